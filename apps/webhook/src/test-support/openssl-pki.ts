import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args, { timeout: 30_000 });
}

async function read(certFile: string, keyFile: string): Promise<CertificateFiles> {
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { certFile, keyFile, certPem, keyPem };
}

/** A CA made by the `openssl` binary (as an operator would for the API server's client certificate). */
export async function createCa(
  directory: string,
  name: string,
  commonName = name,
): Promise<CertificateFiles> {
  const certFile = join(directory, `${name}.crt`);
  const keyFile = join(directory, `${name}.key`);
  await openssl([
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return read(certFile, keyFile);
}

/** A client certificate (extendedKeyUsage clientAuth) for `commonName`, signed by `ca`. */
export function issueClientCert(
  directory: string,
  ca: CertificateFiles,
  name: string,
  commonName = name,
): Promise<CertificateFiles> {
  return issueCert(directory, ca, name, `/CN=${commonName}`, 'extendedKeyUsage=clientAuth');
}

/** A serving certificate (extendedKeyUsage serverAuth) for 127.0.0.1 and localhost, signed by `ca`. */
export function issueLoopbackServingCert(
  directory: string,
  ca: CertificateFiles,
  name: string,
): Promise<CertificateFiles> {
  const extensions = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth';
  return issueCert(directory, ca, name, '/CN=127.0.0.1', extensions);
}

async function issueCert(
  directory: string,
  ca: CertificateFiles,
  name: string,
  subject: string,
  extensions: string,
): Promise<CertificateFiles> {
  const certFile = join(directory, `${name}.crt`);
  const keyFile = join(directory, `${name}.key`);
  const csr = join(directory, `${name}.csr`);
  const extensionsFile = join(directory, `${name}.ext`);
  await openssl(['req', '-new', ...EC_KEY, '-keyout', keyFile, '-out', csr, '-subj', subject]);
  await writeFile(extensionsFile, `${extensions}\nkeyUsage=critical,digitalSignature\n`);
  // biome-ignore format: the openssl command line reads best as written
  await openssl([
    'x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial',
    '-days', '2', '-out', certFile, '-extfile', extensionsFile,
  ]);
  return read(certFile, keyFile);
}
