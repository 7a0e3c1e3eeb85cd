import { chownSync, copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE_USER } from '../spec.js';
import { httpsRequest } from './admission-client.js';
import { type RunningContainer, startContainer, type UnpackedImage } from './run-container.js';

/** The image's user: the mounted files must be its own to read the key and write the store. */
const IMAGE_UID = IMAGE_USER.uid;

export interface WebhookFiles {
  /** A folder for the container's mounts. */
  dir: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  /** The CA that signed the serving certificate (the API server's `caBundle`). */
  tlsCaFile: string;
  registryCaFile: string;
  registryConfigFile: string;
  policiesDir: string;
  /** The embedded store's folder (the webhook writes SQLite's `-wal` and `-shm` files beside it). */
  storeDir: string;
  storeFileName: string;
}

export interface ReleaseWebhook {
  /** `https://127.0.0.1:PORT`. */
  url: string;
  /** The arguments after the image's entrypoint, as they would go into a Deployment. */
  args: string[];
  container: RunningContainer;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number>;
}

/** Where each file is seen in the container. */
const IN_CONTAINER = {
  tls: '/etc/signet/tls',
  registry: '/etc/signet/registry',
  policies: '/etc/signet/policies',
  store: '/var/lib/signet',
};

/**
 * Runs the webhook image in runc (read-only root, host network, uid 65532) on a free loopback port,
 * serving TLS, with the policies, the store and the registry's CA and login mounted; resolves once it
 * is ready (`GET /readyz`).
 */
export async function startReleaseWebhook(
  image: UnpackedImage,
  files: WebhookFiles,
): Promise<ReleaseWebhook> {
  const mounts = prepareMounts(files);
  const args = [
    `--policies=${IN_CONTAINER.policies}`,
    `--store=sqlite:${IN_CONTAINER.store}/${files.storeFileName}`,
    `--tls-cert=${IN_CONTAINER.tls}/tls.crt`,
    `--tls-key=${IN_CONTAINER.tls}/tls.key`,
    '--host=127.0.0.1',
    '--port=0',
    '--resolve-tags=pods',
    `--registry-config=${IN_CONTAINER.registry}/config.json`,
    `--registry-ca=${IN_CONTAINER.registry}/ca.crt`,
    // A tag's digest is reused for --resolve-ttl (30 s by default); 0 lets the demo move the tag and
    // have the very next review pin the new digest.
    '--resolve-ttl=0s',
  ];
  const container = await startContainer(image, { args, mounts });
  try {
    const listening = await container.waitForOutput(/signet-webhook listening on (https:\/\/\S+)/, 120_000);
    const url = listening[1] as string;
    await waitReady(url, files.tlsCaFile, container);
    return { url, args, container, stop: () => stop(container) };
  } catch (error) {
    const { stdout, stderr } = container.logs();
    await container.remove();
    throw new Error(`the webhook container did not become ready: ${String(error)}\n${stdout}${stderr}`);
  }
}

function prepareMounts(files: WebhookFiles) {
  const tls = join(files.dir, 'tls');
  const registry = join(files.dir, 'registry');
  mkdirSync(tls, { recursive: true });
  mkdirSync(registry, { recursive: true });
  copyFileSync(files.tlsCertFile, join(tls, 'tls.crt'));
  copyFileSync(files.tlsKeyFile, join(tls, 'tls.key'));
  copyFileSync(files.registryCaFile, join(registry, 'ca.crt'));
  copyFileSync(files.registryConfigFile, join(registry, 'config.json'));
  const policies = join(files.dir, 'policies');
  cpSync(files.policiesDir, policies, { recursive: true });
  for (const folder of [tls, registry, policies, files.storeDir]) chownTree(folder, IMAGE_UID);
  return [
    { source: tls, destination: IN_CONTAINER.tls },
    { source: registry, destination: IN_CONTAINER.registry },
    { source: policies, destination: IN_CONTAINER.policies },
    { source: files.storeDir, destination: IN_CONTAINER.store, writable: true },
  ];
}

function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid);
  if (!statSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) chownTree(join(path, name), uid);
}

/** Polls `GET /readyz` until it answers 200, pausing by waiting 200 ms for the container to exit (then it fails). */
async function waitReady(url: string, caFile: string, container: RunningContainer): Promise<void> {
  const ca = readFileSync(caFile, 'utf8');
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if ((await readyz(url, ca)) === 200) return;
    const code = await container.waitExit(200).catch(() => undefined);
    if (code !== undefined) throw new Error(`the webhook exited (${code}) before it was ready`);
  }
  throw new Error('the webhook was not ready (GET /readyz) within 120 s');
}

/** The status of GET /readyz; 0 when there is no answer yet. */
function readyz(url: string, ca: string): Promise<number> {
  return httpsRequest(`${url}/readyz`, ca, { timeoutMs: 10_000 }).then(
    (answer) => answer.status,
    () => 0,
  );
}

/** SIGTERM, as the kubelet sends: the webhook drains and exits 0; then runc's leftovers go. */
async function stop(container: RunningContainer): Promise<number> {
  try {
    await container.kill('TERM');
    return await container.waitExit(60_000);
  } finally {
    await container.remove();
  }
}
