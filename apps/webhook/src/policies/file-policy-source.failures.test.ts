import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventually } from '../test-support/eventually.js';
import { tempDir } from '../test-support/tmp.js';
import { filePolicySource } from './file-policy-source.js';
import type { PolicySnapshot, PolicySource } from './policy-source.js';

/**
 * The file system is the real one. The only thing changed is when a file disappears: `removeBeforeRead`
 * names a file that is deleted just before the scan reads it, after the scan listed it, which is what a
 * busy machine does to a scan that runs while `rm` lands.
 */
const race = vi.hoisted(() => ({ removeBeforeRead: undefined as string | undefined }));
vi.mock(import('node:fs/promises'), async (importOriginal) => {
  const fs = await importOriginal();
  const readFileAfterRace = (async (path: Parameters<typeof fs.readFile>[0], ...rest: unknown[]) => {
    if (path === race.removeBeforeRead) {
      race.removeBeforeRead = undefined;
      await fs.rm(path);
    }
    return (fs.readFile as (...args: unknown[]) => Promise<unknown>)(path, ...rest);
  }) as typeof fs.readFile;
  return { ...fs, readFile: readFileAfterRace, default: { ...fs, readFile: readFileAfterRace } };
});

const gap = (name: string, namespace: string) => `apiVersion: kritis.grafeas.io/v1beta1
kind: GenericAttestationPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec: {attestationAuthorityNames: [qa]}
`;

/** Log lines at error level, parsed. */
function capturedLogger() {
  const lines: { msg: string; err?: { message: string } }[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('filePolicySource survives a failed attempt', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let source: PolicySource | undefined;

  beforeEach(async () => {
    dir = await tempDir('policy-failures');
  });
  afterEach(async () => {
    race.removeBeforeRead = undefined;
    await source?.close();
    source = undefined;
    await dir.remove();
  });

  it('logs and counts a listener that throws, gives it the policies again, and still picks up the next change', async () => {
    await writeFile(join(dir.path, 'a.yaml'), gap('one', 'team-a'));
    const { logger, lines } = capturedLogger();
    const failures: unknown[] = [];
    source = filePolicySource({
      directory: dir.path,
      logger,
      pollIntervalMs: 100,
      onFailure: (error) => failures.push(error),
    });
    let throwing = true;
    const seenByFailing: number[] = [];
    const seenByOther: number[] = [];
    source.onChange((snapshot) => {
      seenByFailing.push(snapshot.generation);
      if (throwing) throw new Error('listener broke');
    });
    source.onChange((snapshot) => seenByOther.push(snapshot.generation));
    await source.start();
    // The other listener is not kept from the snapshot by the one that threw.
    expect(seenByOther).toEqual([1]);
    expect(failures).toEqual([new Error('listener broke')]);
    expect(lines[0]).toMatchObject({ msg: expect.stringContaining('policy listener failed') });
    expect(lines[0]?.err?.message).toBe('listener broke');

    // The next scans give the policies to the failing listener again, without a new generation.
    await eventually(() => seenByFailing.length >= 3, 'the listener called again');
    throwing = false;
    await eventually(() => seenByFailing.length > failures.length, 'a call that did not throw');
    expect(source.snapshot().generation).toBe(1);

    await writeFile(join(dir.path, 'b.yaml'), gap('two', 'team-b'));
    await eventually(() => seenByOther.includes(2) && seenByFailing.includes(2), 'the next change');
    expect(source.snapshot().documents.map((d) => d.source)).toEqual(['a.yaml', 'b.yaml']);
  });

  it('opens a namespace again when its file was removed while a scan was reading the folder', async () => {
    const doomed = join(dir.path, 'team-reload.yaml');
    await writeFile(join(dir.path, 'a.yaml'), gap('one', 'team-a'));
    await writeFile(doomed, gap('strict', 'team-reload'));
    source = filePolicySource({ directory: dir.path, pollIntervalMs: 3_600_000 });
    await source.start();
    expect(source.snapshot().documents.map((d) => d.namespace)).toEqual(['team-a', 'team-reload']);

    // A change to a.yaml starts a scan; team-reload.yaml is removed after it is listed, before it is read.
    race.removeBeforeRead = doomed;
    await writeFile(join(dir.path, 'a.yaml'), gap('one-changed', 'team-a'));
    const settled = await eventually((): PolicySnapshot | undefined => {
      const snapshot = source?.snapshot();
      const names = snapshot?.documents.map(
        (d) => (d.document as { metadata: { name: string } }).metadata.name,
      );
      return race.removeBeforeRead === undefined &&
        names?.includes('one-changed') &&
        snapshot?.problems.length === 0
        ? snapshot
        : undefined;
    }, 'the scan after the removal');
    expect(settled.documents.map((d) => d.source)).toEqual(['a.yaml']);
    await expect(readFile(doomed)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
