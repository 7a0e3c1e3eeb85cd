import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  makePki,
  type RunningRegistry,
  startRegistry,
  type TestPki,
  tool,
} from '@signet/registry/test-support';
import { pushArchive } from '../push.js';
import type { BuiltImage } from './built-images.js';

const USER = 'release';
const PASSWORD = 'release-demo';

/** Debian's docker-registry over TLS (a CA made here by openssl), Basic auth, and what clients need to reach it. */
export interface ReleaseRegistry {
  /** `127.0.0.1:PORT`. */
  host: string;
  pki: TestPki;
  /** A Docker config.json with the registry's login: `--registry-config` of signet and the webhook. */
  configFile: string;
  /** As `pnpm images --push` does (push.ts: skopeo, digests kept), to `ref`. */
  push(image: BuiltImage, ref: string): Promise<void>;
  /** The digest the registry serves for `ref` (the sha256 of the manifest skopeo reads). */
  digestOf(ref: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startReleaseRegistry(dir: string): Promise<ReleaseRegistry> {
  mkdirSync(dir, { recursive: true });
  const pki = await makePki(dir);
  const htpasswdFile = join(dir, 'htpasswd');
  writeFileSync(htpasswdFile, await tool('htpasswd', ['-Bbn', USER, PASSWORD]));
  const registry: RunningRegistry = await startRegistry(join(dir, 'registry'), {
    kind: 'basic',
    tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile, caPem: pki.caPem },
    htpasswdFile,
  });
  const configFile = join(dir, 'registry-config.json');
  const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  writeFileSync(configFile, JSON.stringify({ auths: { [registry.host]: { auth } } }));
  const creds = `${USER}:${PASSWORD}`;
  return {
    host: registry.host,
    pki,
    configFile,
    push: (image, ref) =>
      pushArchive(image.archive, `${image.name}:${image.tag}`, ref, {
        registryCa: pki.caFile,
        registryConfig: configFile,
      }),
    digestOf: async (ref) => {
      const inspected = JSON.parse(
        await tool('skopeo', ['inspect', '--cert-dir', pki.certDir, '--creds', creds, `docker://${ref}`]),
      ) as {
        Digest: string;
      };
      return inspected.Digest;
    },
    stop: () => registry.stop(),
  };
}
