import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { WebhookError } from '../../errors.js';

export interface KubeAssets {
  kubeApiserver: string;
  etcd: string;
}

const FIX = [
  'point KUBEBUILDER_ASSETS at a folder holding the kube-apiserver and etcd binaries, as for controller-runtime',
  'envtest (KUBEBUILDER_ASSETS=/abs/folder pnpm test:kube). etcd: apt-get install etcd-server, then link',
  '/usr/bin/etcd into the folder. kube-apiserver: no Debian package ships it; build it from a Kubernetes',
  'source tree (go build ./cmd/kube-apiserver) or take it from an envtest assets archive.',
].join(' ');

/** The message carries the fix too: a failed beforeAll prints only the message. */
function missing(problem: string): WebhookError {
  return new WebhookError(
    'KUBE_ASSETS_MISSING',
    `pnpm test:kube needs kube-apiserver and etcd: ${problem}. To fix: ${FIX}`,
    FIX,
  );
}

function executable(folder: string, name: string): string {
  const path = join(folder, name);
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    accessSync(path, constants.X_OK);
  } catch {
    throw missing(`KUBEBUILDER_ASSETS=${folder} has no executable ${name} (looked for ${path})`);
  }
  return path;
}

/** The binaries envtest-style tests run, from `$KUBEBUILDER_ASSETS`; a clear error when they are not there. */
export function findKubeAssets(env: NodeJS.ProcessEnv = process.env): KubeAssets {
  const folder = env.KUBEBUILDER_ASSETS;
  if (!folder) throw missing('KUBEBUILDER_ASSETS is not set');
  if (!isAbsolute(folder)) throw missing(`KUBEBUILDER_ASSETS must be an absolute path, not ${folder}`);
  return { kubeApiserver: executable(folder, 'kube-apiserver'), etcd: executable(folder, 'etcd') };
}
