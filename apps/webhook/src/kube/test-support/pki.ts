import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa, EC_KEY, openssl } from '../../test-support/client-pki.js';

export interface Pki {
  caFile: string;
  caPem: string;
  /** Serving certificate for 127.0.0.1 / localhost, signed by the CA (both servers use it). */
  servingCertFile: string;
  servingKeyFile: string;
  /** RSA key pair the API server signs and checks service-account tokens with. */
  serviceAccountKeyFile: string;
  serviceAccountPublicKeyFile: string;
}

/** A throwaway CA, one loopback serving certificate under it, and a service-account key pair. */
export async function createPki(directory: string): Promise<Pki> {
  const ca = await createCa(directory, 'ca', 'signet-kube-test-ca');
  const caFile = ca.certFile;
  const caKey = ca.keyFile;
  const servingCertFile = join(directory, 'serving.crt');
  const servingKeyFile = join(directory, 'serving.key');
  const csr = join(directory, 'serving.csr');
  const extensions = join(directory, 'serving.ext');
  await openssl(['req', '-new', ...EC_KEY, '-keyout', servingKeyFile, '-out', csr, '-subj', '/CN=127.0.0.1']);
  await writeFile(
    extensions,
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n',
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caFile,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    servingCertFile,
    '-extfile',
    extensions,
  ]);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serviceAccountKeyFile = join(directory, 'sa.key');
  const serviceAccountPublicKeyFile = join(directory, 'sa.pub');
  await writeFile(serviceAccountKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(serviceAccountPublicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    caFile,
    caPem: await readFile(caFile, 'utf8'),
    servingCertFile,
    servingKeyFile,
    serviceAccountKeyFile,
    serviceAccountPublicKeyFile,
  };
}
