import { join } from 'node:path';
import type { OccurrenceSpec } from '@signet/grafeas-client';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli/run-cli.js';

const policy = join(
  process.env.SIGNET_TESTDATA ?? '',
  'kritis',
  'integration',
  'signer',
  'policy_loose.yaml',
);
const image = `gcr.io/big/app@sha256:${'3'.repeat(64)}`;

function vulnerability(resourceUri: string, n: number): OccurrenceSpec {
  return {
    kind: 'VULNERABILITY',
    resourceUri,
    noteName: `projects/goog-vulnz/notes/CVE-2024-${n}`,
    severity: 'LOW',
    effectiveSeverity: 'LOW',
    fixAvailable: false,
    packages: [{ affectedCpeUri: 'cpe:/a', affectedPackage: 'zlib', fixAvailable: false }],
  };
}

/** `signet check` in this process, its stderr a terminal or not. */
async function check(url: string, extra: string[], stderrIsTty: boolean) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    ['--store', `grafeas:${url}`, ...extra, 'check', '--image', image, '--policy', policy],
    '0.0.0',
    {
      stdout: (text) => {
        stdout += text.toString();
      },
      stderr: (text) => {
        stderr += text;
      },
      stderrIsTty,
      env: {},
    },
  );
  return { code, stdout, stderr };
}

describe('signet against open-source Grafeas (filters ignored) with 2,500 occurrences of other images', () => {
  const data = new SqliteMetadataStore(':memory:');
  let emulator: RunningEmulator;

  beforeAll(async () => {
    data.insertOccurrences(
      'big',
      [
        ...Array.from({ length: 2_500 }, (_, n) =>
          vulnerability(`https://gcr.io/big/other${n}@sha256:${'4'.repeat(64)}`, n),
        ),
        vulnerability(`https://${image}`, 1),
        {
          kind: 'DISCOVERY',
          resourceUri: image,
          noteName: 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY',
          analysisStatus: 'FINISHED_SUCCESS',
        },
      ],
      false,
    );
    emulator = await startEmulator({ flavor: 'oss', store: data });
  });
  afterAll(async () => {
    await emulator.close();
    await data.close();
  });

  it('reads the project once per command, showing pages and occurrences on a terminal', async () => {
    const run = await check(emulator.url, [], true);
    expect(run.stdout).toMatch(/^PASS/);
    const lines = run.stderr.split('\r\u001b[2K').filter(Boolean);
    expect(lines.map((line) => line.replace(/ from \S+:/, ':'))).toEqual([
      'reading project big: 1 page, 1000 occurrences',
      'reading project big: 2 pages, 2000 occurrences',
      'reading project big: 3 pages, 2502 occurrences',
      'reading project big: 3 pages, 2502 occurrences\n',
    ]);
  });

  it('finds the image in either spelling (the discovery occurrence is stored without https://)', async () => {
    const run = await check(emulator.url, ['--output', 'json'], false);
    expect(JSON.parse(run.stdout)).toMatchObject({ scan: 'FINISHED', passed: true });
  });

  it('shows no progress with --quiet, nor when stderr is not a terminal', async () => {
    expect((await check(emulator.url, ['--quiet'], true)).stderr).toBe('');
    expect((await check(emulator.url, [], false)).stderr).toBe('');
  });
});
