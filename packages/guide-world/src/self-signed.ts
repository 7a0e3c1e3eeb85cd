import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GuideWorldError } from './guide-world-error.js';

const run = promisify(execFile);

export interface SelfSignedPair {
  certFile: string;
  keyFile: string;
  certPem: string;
}

/**
 * A fresh self-signed P-256 serving certificate for localhost (DNS localhost, IP 127.0.0.1 and ::1),
 * made with the `openssl` binary, so the demo and the TLS tests serve a certificate no Signet code made
 * (`--manage-certs` makes its own in-process: certs/generate.ts).
 */
export async function generateSelfSignedCert(
  directory: string,
  options: { name?: string; commonName?: string; days?: number } = {},
): Promise<SelfSignedPair> {
  const name = options.name ?? 'serving';
  const certFile = join(directory, `${name}.crt`);
  const keyFile = join(directory, `${name}.key`);
  const args = [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    String(options.days ?? 2),
    '-subj',
    `/CN=${options.commonName ?? 'signet-webhook.localhost'}`,
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    '-addext',
    'extendedKeyUsage=serverAuth',
  ];
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (error) {
    throw new GuideWorldError(
      'OPENSSL_FAILED',
      `openssl could not make a self-signed certificate (${(error as Error).message})`,
      'install openssl (Debian: apt-get install openssl) and make sure it is on PATH',
      { cause: error },
    );
  }
  return { certFile, keyFile, certPem: await readFile(certFile, 'utf8') };
}
