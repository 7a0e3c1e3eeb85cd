import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebhookError } from '../errors.js';
import { findKubeAssets } from './test-support/assets.js';

/** `pnpm test:kube` must fail loudly, saying how to get the binaries, when they are not there. */
describe('findKubeAssets', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signet-kube-assets-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function binary(name: string, mode = 0o755): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, '#!/bin/sh\n');
    await chmod(path, mode);
    return path;
  }

  function failure(env: NodeJS.ProcessEnv): WebhookError {
    try {
      findKubeAssets(env);
    } catch (error) {
      if (error instanceof WebhookError) return error;
      throw error;
    }
    throw new Error('findKubeAssets did not fail');
  }

  it('finds both binaries', async () => {
    const kubeApiserver = await binary('kube-apiserver');
    const etcd = await binary('etcd');
    expect(findKubeAssets({ KUBEBUILDER_ASSETS: dir })).toEqual({ kubeApiserver, etcd });
  });

  it('fails naming KUBEBUILDER_ASSETS and how to get the binaries when it is unset', () => {
    const error = failure({});
    expect(error.code).toBe('KUBE_ASSETS_MISSING');
    expect(error.message).toContain('KUBEBUILDER_ASSETS is not set');
    expect(error.message).toContain('apt-get install etcd-server');
    expect(error.message).toContain('kube-apiserver: no Debian package ships it');
    expect(error.fix).toContain('KUBEBUILDER_ASSETS=/abs/folder pnpm test:kube');
  });

  it('refuses a relative folder', () => {
    expect(failure({ KUBEBUILDER_ASSETS: 'bin/k8s' }).message).toContain(
      'KUBEBUILDER_ASSETS must be an absolute path, not bin/k8s',
    );
  });

  it('names the missing binary', async () => {
    await binary('kube-apiserver');
    expect(failure({ KUBEBUILDER_ASSETS: dir }).message).toContain(
      `KUBEBUILDER_ASSETS=${dir} has no executable etcd (looked for ${join(dir, 'etcd')})`,
    );
  });

  it('refuses a binary that is not executable', async () => {
    await binary('kube-apiserver', 0o644);
    await binary('etcd');
    expect(failure({ KUBEBUILDER_ASSETS: dir }).message).toContain('has no executable kube-apiserver');
  });

  it('refuses a folder in place of a binary', async () => {
    await mkdir(join(dir, 'kube-apiserver'));
    await binary('etcd');
    expect(failure({ KUBEBUILDER_ASSETS: dir }).message).toContain('has no executable kube-apiserver');
  });
});
