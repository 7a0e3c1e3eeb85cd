import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

export async function openssl(args: string[]): Promise<void> {
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
export async function issueClientCert(
  directory: string,
  ca: CertificateFiles,
  name: string,
  commonName = name,
): Promise<CertificateFiles> {
  const certFile = join(directory, `${name}.crt`);
  const keyFile = join(directory, `${name}.key`);
  const csr = join(directory, `${name}.csr`);
  const extensions = join(directory, `${name}.ext`);
  await openssl(['req', '-new', ...EC_KEY, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${commonName}`]);
  await writeFile(extensions, 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    certFile,
    '-extfile',
    extensions,
  ]);
  return read(certFile, keyFile);
}
