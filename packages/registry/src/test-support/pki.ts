import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tool } from './tools.js';

export interface TestPki {
  /** The CA's certificate (PEM): trust it to reach the servers. */
  caPem: string;
  caFile: string;
  /** A server certificate for 127.0.0.1 and localhost, signed by the CA. */
  serverCertFile: string;
  serverKeyFile: string;
  /** A folder holding `ca.crt`, as skopeo's `--dest-cert-dir` wants. */
  certDir: string;
}

/** A CA and a server certificate made by openssl, in `dir`. */
export async function makePki(dir: string): Promise<TestPki> {
  const file = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await tool('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=Signet test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await tool('openssl', [
    'req',
    ...ec,
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(
    file('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  await tool('openssl', [
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.crt'),
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
  ]);
  const certDir = file('cert-dir'); // only ca.crt: skopeo reads any *.key there as a client key
  mkdirSync(certDir);
  copyFileSync(file('ca.crt'), join(certDir, 'ca.crt'));
  return {
    caPem: readFileSync(file('ca.crt'), 'utf8'),
    caFile: file('ca.crt'),
    serverCertFile: file('server.crt'),
    serverKeyFile: file('server.key'),
    certDir,
  };
}

/** A self-signed ES256 signing certificate for the token issuer (the registry trusts it as its root). */
export async function makeTokenSigner(
  dir: string,
): Promise<{ certFile: string; certPem: string; keyPem: string }> {
  const certFile = join(dir, 'token.crt');
  const keyFile = join(dir, 'token.key');
  await tool('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    '/CN=Signet test token issuer',
  ]);
  return { certFile, certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
}
