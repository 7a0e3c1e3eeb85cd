import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSignet } from '../test-support/run-signet.js';
import { createSandbox, type Sandbox } from '../test-support/sandbox.js';
import { type StoreUnderTest, startStore } from '../test-support/stores.js';

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(() => sandbox.cleanup());

describe('signet note create', () => {
  it('creates the embedded store under XDG_DATA_HOME on first use', async () => {
    const db = join(sandbox.env.XDG_DATA_HOME ?? '', 'signet', 'metadata.db');
    expect(existsSync(db)).toBe(false);
    const run = await runSignet(['note', 'create', '--project', 'p', '--note-id', 'qa'], sandbox.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`Note projects/p/notes/qa (ATTESTATION) is ready in sqlite:${db}\n`);
    expect(existsSync(db)).toBe(true);
  });

  it('treats an existing note as success', async () => {
    const again = await runSignet(
      ['--output', 'json', 'note', 'create', '--project', 'p', '--note-id', 'qa'],
      sandbox.env,
    );
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ name: 'projects/p/notes/qa', kind: 'ATTESTATION' });
  });

  it('uses SIGNET_STORE and SIGNET_API, printing the note in that API version', async () => {
    let store: StoreUnderTest | undefined;
    try {
      store = await startStore('emulator-v1beta1');
      const env = {
        ...sandbox.env,
        SIGNET_STORE: `containeranalysis:${store.emulator?.url}`,
        SIGNET_API: 'v1beta1',
      };
      const args = [
        '--output',
        'json',
        'note',
        'create',
        '--project',
        'p',
        '--note-id',
        'qa',
        '--description',
        'QA passed',
      ];
      const run = await runSignet(args, env);
      expect(run.code).toBe(0);
      const note = JSON.parse(run.stdout);
      expect(note).toMatchObject({ name: 'projects/p/notes/qa', shortDescription: 'QA passed' });
      expect(note.attestationAuthority).toEqual({ hint: { humanReadableName: 'qa' } });
      expect(existsSync(join(sandbox.dir, 'data', 'signet', 'metadata.db'))).toBe(true);
      const v1 = await runSignet([...args.slice(0, 2), '--api', 'v1', ...args.slice(2)], env);
      expect(v1.code).toBe(0);
      expect(JSON.parse(v1.stdout).attestation).toEqual({ hint: { humanReadableName: 'qa' } });
    } finally {
      await store?.emulator?.close();
    }
  });
});
