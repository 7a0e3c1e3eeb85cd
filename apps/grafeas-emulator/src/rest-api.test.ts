import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from './server.js';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(emulator.url + path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('the REST surface (grafeas-api.md §1-§4)', () => {
  it('notes:batchCreate creates every note; a batch with an existing id -> 409 and creates none', async () => {
    const r = await call('POST', '/v1beta1/projects/b/notes:batchCreate', {
      notes: {
        a: { attestationAuthority: { hint: { humanReadableName: 'A' } } },
        'CVE-1': { vulnerability: { severity: 'LOW', details: [{ cpeUri: 'c', package: 'p' }] } },
      },
    });
    expect(r.status).toBe(200);
    expect((r.json.notes as { name: string }[]).map((n) => n.name).sort()).toEqual([
      'projects/b/notes/CVE-1',
      'projects/b/notes/a',
    ]);
    const again = await call('POST', '/v1beta1/projects/b/notes:batchCreate', {
      notes: { c: { attestationAuthority: {} }, a: { attestationAuthority: {} } },
    });
    expect(again.status).toBe(409);
    expect((await call('GET', '/v1beta1/projects/b/notes/c')).status).toBe(404);
  });

  it('a note reads in each version`s own shape, with kind', async () => {
    await call('POST', '/v1/projects/shape/notes?noteId=n', {
      attestation: { hint: { humanReadableName: 'N' } },
    });
    expect((await call('GET', '/v1beta1/projects/shape/notes/n')).json).toMatchObject({
      name: 'projects/shape/notes/n',
      kind: 'ATTESTATION',
      attestationAuthority: { hint: { humanReadableName: 'N' } },
    });
    expect((await call('GET', '/v1/projects/shape/notes/n')).json).toMatchObject({
      kind: 'ATTESTATION',
      attestation: { hint: { humanReadableName: 'N' } },
    });
  });

  it('occurrences/{id}/notes returns the note of an occurrence; proto field names are accepted', async () => {
    await call('POST', '/v1beta1/projects/on/notes?note_id=qa', {
      attestation_authority: { hint: { human_readable_name: 'QA' } },
    });
    const created = await call('POST', '/v1beta1/projects/on/occurrences', {
      resource: { uri: 'https://gcr.io/on/app@sha256:00' },
      note_name: 'projects/on/notes/qa',
      attestation: { attestation: { pgp_signed_attestation: { signature: 's', pgp_key_id: 'F' } } },
    });
    expect(created.status).toBe(200);
    const id = String(created.json.name).split('/').pop();
    const note = await call('GET', `/v1beta1/projects/on/occurrences/${id}/notes`);
    expect(note.json).toMatchObject({
      name: 'projects/on/notes/qa',
      attestationAuthority: { hint: { humanReadableName: 'QA' } },
    });
  });

  it('pages notes and occurrences with opaque tokens until nextPageToken is absent', async () => {
    const ids = Array.from({ length: 5 }, (_, i) => `n${i}`);
    for (const id of ids) await call('POST', `/v1/projects/pages/notes?noteId=${id}`, { attestation: {} });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await call('GET', `/v1/projects/pages/notes?pageSize=2${token ? `&pageToken=${token}` : ''}`);
      seen.push(...(r.json.notes as { name: string }[]).map((n) => n.name));
      token = r.json.nextPageToken as string | undefined;
      if (token) expect(token).not.toMatch(/^\d+$/);
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids.map((id) => `projects/pages/notes/${id}`));
    const defaultPage = await call('GET', '/v1/projects/pages/notes');
    expect((defaultPage.json.notes as unknown[]).length).toBe(5);
  });

  it('deletes answer {} and the resource is gone', async () => {
    await call('POST', '/v1/projects/del/notes?noteId=n', { attestation: {} });
    expect(await call('DELETE', '/v1/projects/del/notes/n')).toEqual({ status: 200, json: {} });
    expect((await call('DELETE', '/v1/projects/del/notes/n')).status).toBe(404);
  });
});
