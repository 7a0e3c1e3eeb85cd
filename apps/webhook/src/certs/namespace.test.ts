import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { podNamespace } from './namespace.js';

describe('podNamespace', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'signet-ns-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const kubeconfig = (namespace?: string) => {
    const file = join(dir, 'kubeconfig');
    const context = { cluster: 'c', user: 'u', ...(namespace === undefined ? {} : { namespace }) };
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'ci', context }],
        'current-context': 'ci',
      }),
    );
    return file;
  };

  it('prefers POD_NAMESPACE, then the service account’s namespace file, as client-go does', () => {
    const file = join(dir, 'namespace');
    writeFileSync(file, 'from-file\n');
    const options = { file, kubeconfig: kubeconfig('from-kubeconfig') };
    expect(podNamespace({ POD_NAMESPACE: 'from-env' }, options)).toEqual({
      namespace: 'from-env',
      from: 'POD_NAMESPACE',
    });
    expect(podNamespace({}, options)).toEqual({ namespace: 'from-file', from: file });
    expect(podNamespace({ POD_NAMESPACE: '  ' }, options)).toEqual({ namespace: 'from-file', from: file });
  });

  it('outside a cluster reads the kubeconfig context’s namespace, then takes default', () => {
    // The regression of issue 19: `--kubernetes --kubeconfig FILE` on a laptop or in CI refused to start.
    const file = join(dir, 'absent');
    expect(podNamespace({}, { file, kubeconfig: kubeconfig('team-a') })).toEqual({
      namespace: 'team-a',
      from: 'kubeconfig context ci',
    });
    expect(podNamespace({}, { file, kubeconfig: kubeconfig() })).toEqual({
      namespace: 'default',
      from: 'default',
    });
    expect(podNamespace({}, { file })).toEqual({ namespace: 'default', from: 'default' });
  });

  it('takes default when the kubeconfig cannot be read (its clients report that), and never throws', () => {
    const file = join(dir, 'absent');
    const broken = join(dir, 'broken');
    writeFileSync(broken, '{ not: [yaml');
    expect(podNamespace({}, { file, kubeconfig: broken })).toEqual({ namespace: 'default', from: 'default' });
    expect(podNamespace({}, { file, kubeconfig: join(dir, 'missing') })).toEqual({
      namespace: 'default',
      from: 'default',
    });
  });
});
