import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReplayServer, startReplayServer } from './replay-server.js';

let replay: ReplayServer;
beforeAll(async () => {
  replay = await startReplayServer();
});
afterAll(async () => {
  await replay?.close();
});

describe('the replay server of recorded open-source Grafeas exchanges', () => {
  it('binds {{uuid:N}} to one UUID per N and {{time}} to one time, everywhere', () => {
    const text = JSON.stringify(replay.exchanges);
    expect(text).not.toMatch(/\{\{(uuid|time)/);
    expect(replay.exchanges).toHaveLength(118);
    const created = replay.exchange('occ-create-attestation-pgp').response.body as {
      name: string;
      createTime: string;
    };
    expect(created.name).toBe(`projects/signet-conformance/occurrences/${replay.uuid(1)}`);
    expect(replay.exchange('occ-get').request.path).toContain(replay.uuid(1));
    expect(created.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  it('answers as recorded, the later answer for a repeated request, and 501 for what was never recorded', async () => {
    replay.seek('unknown-route');
    const notFound = await fetch(`${replay.url}/v1beta1/nothing`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await notFound.text()).toBe('Not Found\n');
    const never = await fetch(`${replay.url}/v1beta1/nothing`);
    expect(never.status).toBe(501);
    expect(await never.text()).toContain(
      'no recorded exchange after unknown-route matches GET /v1beta1/nothing',
    );
    expect(replay.unmatched).toEqual(['GET /v1beta1/nothing']);
  });
});
