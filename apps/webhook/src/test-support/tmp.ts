import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary folder and its removal, for afterEach/afterAll. */
export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `signet-webhook-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
