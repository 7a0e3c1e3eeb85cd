import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tool } from './container-tools.js';

export interface ServingCert {
  /** The CA's certificate (PEM): what a client trusts. */
  caPem: string;
  /** A folder holding tls.crt and tls.key (as a kubernetes.io/tls Secret mounts), readable by `owner`. */
  tlsDir: string;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * A CA and a serving certificate for 127.0.0.1 and localhost, made by openssl in `dir`. The key is
 * owned by `owner` (the image's user), mode 0600, as a Secret volume with fsGroup would give it.
 */
export async function makeServingCert(
  dir: string,
  owner: { uid: number; gid: number },
): Promise<ServingCert> {
  const file = (name: string) => join(dir, name);
  // biome-ignore format: the openssl command lines read best as written
  await tool('openssl', [
    'req', '-x509', ...EC_KEY, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2',
    '-subj', '/CN=Signet image test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await tool('openssl', [
    'req',
    '-new',
    ...EC_KEY,
    '-keyout',
    file('tls.key'),
    '-out',
    file('tls.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  await writeFile(
    file('tls.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n',
  );
  // biome-ignore format: the openssl command line reads best as written
  await tool('openssl', [
    'x509', '-req', '-in', file('tls.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-days', '2', '-out', file('tls.crt'), '-extfile', file('tls.ext'),
  ]);
  const tlsDir = join(dir, 'tls');
  await mkdir(tlsDir);
  await chmod(tlsDir, 0o755);
  for (const name of ['tls.crt', 'tls.key']) {
    await writeFile(join(tlsDir, name), await readFile(file(name)), { mode: 0o600 });
    await chown(join(tlsDir, name), owner.uid, owner.gid);
  }
  return { caPem: await readFile(file('ca.crt'), 'utf8'), tlsDir };
}
