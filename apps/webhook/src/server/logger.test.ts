import fs from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  let dir: string | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function logFile() {
    dir = await mkdtemp(join(tmpdir(), 'signet-logger-'));
    return join(dir, 'webhook.log');
  }

  it('writes a line shorter than the 4 KiB batch within the flush interval', async () => {
    const file = await logFile();
    const logger = createLogger({ dest: file, flushIntervalMs: 20 });
    logger.info({ decision: 'deny' }, 'admission decision');
    await vi.waitFor(
      async () => {
        const text = await readFile(file, 'utf8').catch(() => '');
        expect(text).toContain('"decision":"deny"');
      },
      { timeout: 10_000, interval: 20 },
    );
  });

  it('makes no write while nothing is logged, and one batch for the lines logged since', async () => {
    const file = await logFile();
    const write = vi.spyOn(fs, 'write');
    const logger = createLogger({ dest: file, flushIntervalMs: 10 });
    logger.info('first');
    await vi.waitFor(async () => expect(await readFile(file, 'utf8').catch(() => '')).toContain('first'), {
      timeout: 10_000,
      interval: 10,
    });
    const afterFirst = write.mock.calls.length;
    // Many flush intervals with nothing logged (sonic-boom's periodicFlush, every 250 ms, wrote each time).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(write.mock.calls.length).toBe(afterFirst);
    logger.info('second');
    logger.info('third');
    await vi.waitFor(async () => expect(await readFile(file, 'utf8')).toContain('third'), {
      timeout: 10_000,
      interval: 10,
    });
    expect(write.mock.calls.length).toBe(afterFirst + 1);
  });
});
