import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const run = promisify(execFile);

/** Open a store in a fresh Node process, list once, and report which CommonJS modules were loaded. */
async function openInChild(url: string, options: string, env: NodeJS.ProcessEnv = {}) {
  const script = `
    const { openMetadataStore } = await import('./src/open.ts');
    const store = await openMetadataStore(${JSON.stringify(url)}, ${options});
    const outcome = await store.listOccurrences('p').then(() => 'OK', (e) => e.code);
    await store.close();
    console.log('OUTCOME ' + outcome);`;
  const { stdout, stderr } = await run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: packageDir,
      env: { ...process.env, NODE_DEBUG: 'module', ...env },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return { outcome: /OUTCOME (\S+)/.exec(stdout)?.[1], loaded: stderr };
}

// Each test starts a Node process that compiles the sources with tsx: minutes on a busy 2-core machine.
// The store deadlines are as generous: the outcomes come from events (a refused connection, no credentials).
describe('googleapis and google-auth-library load only when a containeranalysis store is used', {
  timeout: 300_000,
}, () => {
  it('the embedded store loads neither', async () => {
    const { outcome, loaded } = await openInChild('sqlite::memory:', '{}');
    expect(outcome).toBe('OK');
    expect(loaded).not.toMatch(/googleapis|google-auth-library/);
  });

  it('a containeranalysis store loads its one API module, never the googleapis entry point', async () => {
    const { outcome, loaded } = await openInChild(
      'containeranalysis:http://127.0.0.1:1',
      "{ api: 'v1beta1', timeoutMs: 240000, retry: { attempts: 1 } }",
    );
    expect(outcome).toBe('GRAFEAS_UNAVAILABLE');
    expect(loaded).toContain('googleapis/build/src/apis/containeranalysis/v1beta1.js');
    expect(loaded).not.toContain('googleapis/build/src/index.js');
    expect(loaded).not.toContain('googleapis/build/src/apis/compute');
  });

  it('with ADC required and no credentials anywhere: GRAFEAS_UNAUTHENTICATED', async () => {
    const { outcome } = await openInChild(
      'containeranalysis:http://127.0.0.1:1',
      "{ credentials: 'adc', timeoutMs: 240000, retry: { attempts: 1 } }",
      {
        GOOGLE_APPLICATION_CREDENTIALS: '',
        HOME: '/nonexistent',
        METADATA_SERVER_DETECTION: 'none',
        CLOUDSDK_CONFIG: '/nonexistent',
      },
    );
    expect(outcome).toBe('GRAFEAS_UNAUTHENTICATED');
  });
});
