import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from './test-support/eventually.js';
import { tempDir } from './test-support/tmp.js';
import { type FileReloader, type ReloadResult, watchAndReload } from './watch-files.js';

describe('watchAndReload survives a failed attempt', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let file: string;
  let reloader: FileReloader | undefined;
  const installed: string[] = [];
  const reports: { result: ReloadResult; error?: unknown }[] = [];

  beforeEach(async () => {
    dir = await tempDir('watch');
    file = join(dir.path, 'value.txt');
    await writeFile(file, 'one');
    installed.length = 0;
    reports.length = 0;
  });
  afterEach(async () => {
    reloader?.close();
    reloader = undefined;
    await dir.remove();
  });

  /** Reloads `file` as text; polls often, so the test does not depend on a file event arriving. */
  function watch(overrides: Partial<Parameters<typeof watchAndReload<string>>[0]> = {}): FileReloader {
    reloader = watchAndReload({
      files: [file],
      initialKey: 'one',
      load: () => readFile(file, 'utf8'),
      keyOf: (text) => text,
      install: (text) => {
        installed.push(text);
      },
      report: (result, error) => {
        reports.push({ result, error });
      },
      pollIntervalMs: 100,
      ...overrides,
    });
    return reloader;
  }

  it('reports a load that fails (the file is gone), keeps the old value, and installs the next change', async () => {
    const files = watch();
    await rm(file);
    expect(await files.reload()).toBe(false);
    expect(reports.at(-1)).toEqual({ result: 'failed', error: expect.objectContaining({ code: 'ENOENT' }) });
    expect(installed).toEqual([]);

    await writeFile(file, 'two');
    await eventually(() => installed.includes('two'), 'the change after a failed load');
    expect(installed).toEqual(['two']);
    expect(reports.some((r) => r.result === 'reloaded')).toBe(true);
  });

  it('reports an install that throws, and tries again at the next attempt', async () => {
    let failures = 1;
    const files = watch({
      install: (text) => {
        if (failures-- > 0) throw new Error('install refused');
        installed.push(text);
      },
    });
    await writeFile(file, 'two');
    await eventually(() => installed.includes('two'), 'the install after a failed one');
    expect(reports.find((r) => r.result === 'failed')?.error).toEqual(new Error('install refused'));
    expect(await files.reload()).toBe(false);
  });

  it('goes on when the report itself throws: later changes are still installed', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const files = watch({
        report: (result) => {
          if (result === 'failed') throw new Error('the logger is broken');
        },
      });
      await rm(file);
      expect(await files.reload()).toBe(false);
      await writeFile(file, 'two');
      await eventually(() => installed.includes('two'), 'the change after a report that threw');
      expect(await files.reload()).toBe(false);
      await eventually(() => warnings.some((w) => w.includes('the logger is broken')), 'the warning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
