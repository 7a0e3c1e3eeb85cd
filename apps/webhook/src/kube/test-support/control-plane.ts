import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeAssets } from './assets.js';
import { KubeClient } from './kube-client.js';
import { createPki, type Pki } from './pki.js';
import { freePort, type RunningProcess, startProcess, waitUntil } from './process.js';

export interface ControlPlane {
  url: string;
  pki: Pki;
  client: KubeClient;
  /** A kubeconfig for the admin token, as `signet-webhook --kubeconfig` reads it. */
  kubeconfigFile: string;
  apiserver: RunningProcess;
  etcd: RunningProcess;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;

/**
 * etcd and kube-apiserver on loopback, configured as controller-runtime's envtest does: secure
 * serving with a generated certificate, a static admin token, RBAC, service-account keys, and the
 * ServiceAccount admission plugin off (no controller-manager creates the default accounts). A test may
 * add kube-apiserver flags (e.g. `--admission-control-config-file`).
 */
export async function startControlPlane(
  assets: KubeAssets,
  directory: string,
  options: { apiserverArgs?: readonly string[] } = {},
): Promise<ControlPlane> {
  const pki = await createPki(directory);
  const started: RunningProcess[] = [];
  const stopAll = async () => {
    for (const process of started.reverse()) await process.stop();
  };
  try {
    const etcdUrl = await startEtcd(assets, directory, started);
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const token = randomBytes(24).toString('hex');
    await writeFile(
      join(directory, 'tokens.csv'),
      `${token},signet-test-admin,signet-test-admin,"system:masters"\n`,
    );
    const certDir = join(directory, 'apiserver-certs');
    await mkdir(certDir);
    const apiserver = startProcess(
      'kube-apiserver',
      assets.kubeApiserver,
      [
        `--etcd-servers=${etcdUrl}`,
        `--secure-port=${port}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--cert-dir=${certDir}`,
        `--tls-cert-file=${pki.servingCertFile}`,
        `--tls-private-key-file=${pki.servingKeyFile}`,
        `--token-auth-file=${join(directory, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        `--service-account-issuer=${url}`,
        `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`,
        `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        '--disable-admission-plugins=ServiceAccount',
        '--enable-priority-and-fairness=false',
        '--endpoint-reconciler-type=none',
        ...(options.apiserverArgs ?? []),
      ],
      join(directory, 'kube-apiserver.log'),
    );
    started.push(apiserver);
    const client = new KubeClient(url, token, pki.caPem);
    await waitUntil(
      apiserver,
      'ready',
      async () => (await client.get('/readyz')).status === 200,
      START_TIMEOUT_MS,
    );
    // Pods go to `default`, which the API server creates shortly after it reports ready.
    await waitUntil(
      apiserver,
      'serving namespace default',
      async () => (await client.get('/api/v1/namespaces/default')).status === 200,
      START_TIMEOUT_MS,
    );
    const kubeconfigFile = join(directory, 'kubeconfig');
    await writeKubeconfig(kubeconfigFile, url, pki.caPem, token);
    const etcd = started[0] as RunningProcess;
    return { url, pki, client, kubeconfigFile, apiserver, etcd, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startEtcd(assets: KubeAssets, directory: string, started: RunningProcess[]): Promise<string> {
  const clientUrl = `http://127.0.0.1:${await freePort()}`;
  const peerUrl = `http://127.0.0.1:${await freePort()}`;
  const etcd = startProcess(
    'etcd',
    assets.etcd,
    [
      '--name=default',
      `--data-dir=${join(directory, 'etcd')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
    ],
    join(directory, 'etcd.log'),
  );
  started.push(etcd);
  await waitUntil(
    etcd,
    'healthy',
    async () => {
      const response = await fetch(`${clientUrl}/health`);
      return ((await response.json()) as { health?: string }).health === 'true';
    },
    START_TIMEOUT_MS,
  );
  return clientUrl;
}

/** A kubeconfig reaching `url` (trusting `caPem`) with a bearer token, as kubectl and the webhook read it. */
export async function writeKubeconfig(
  file: string,
  url: string,
  caPem: string,
  token: string,
): Promise<void> {
  await writeFile(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'test',
          cluster: { server: url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
        },
      ],
      users: [{ name: 'user', user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'user' } }],
      'current-context': 'test',
    }),
  );
}
