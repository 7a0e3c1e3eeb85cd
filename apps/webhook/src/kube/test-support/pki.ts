import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa, issueLoopbackServingCert } from '../../test-support/openssl-pki.js';

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
  const serving = await issueLoopbackServingCert(directory, ca, 'serving');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serviceAccountKeyFile = join(directory, 'sa.key');
  const serviceAccountPublicKeyFile = join(directory, 'sa.pub');
  await writeFile(serviceAccountKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(serviceAccountPublicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    caFile: ca.certFile,
    caPem: ca.certPem,
    servingCertFile: serving.certFile,
    servingKeyFile: serving.keyFile,
    serviceAccountKeyFile,
    serviceAccountPublicKeyFile,
  };
}
