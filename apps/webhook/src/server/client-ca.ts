import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { WebhookError } from '../errors.js';
import { type FileReloader, watchAndReload } from '../watch-files.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads `--client-ca`: the PEM bundle of CAs whose client certificates may ask for reviews (the API
 * server's, as its AdmissionConfiguration kubeconfig presents it). Every block must be a CA certificate.
 */
export async function loadClientCa(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw clientCaError(`cannot read --client-ca ${file} (${(error as Error).message})`, error);
  }
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw clientCaError(`--client-ca ${file} holds no PEM certificate`);
  for (const [index, block] of blocks.entries()) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block);
    } catch (error) {
      throw clientCaError(`certificate ${index + 1} of --client-ca ${file} cannot be read`, error);
    }
    if (!certificate.ca) {
      throw clientCaError(
        `certificate ${index + 1} of --client-ca ${file} (${certificate.subject.replaceAll('\n', ', ')}) is not a CA certificate`,
      );
    }
  }
  return blocks.join('\n');
}

function clientCaError(message: string, cause?: unknown): WebhookError {
  return new WebhookError(
    'CLIENT_CA_INVALID',
    message,
    'give --client-ca a PEM file of the CA certificate(s) that sign the client certificate the API server presents',
    cause === undefined ? undefined : { cause },
  );
}

/** Re-reads the file now (`reload()` resolves true when a new bundle was installed), or stops watching. */
export type ClientCaReloader = FileReloader;

/** Watches `--client-ca` like the serving certificate: a rotated CA is installed, a broken file is ignored. */
export function watchClientCa(
  file: string,
  initial: string,
  install: (bundle: string) => void,
  report: (result: 'reloaded' | 'failed', error?: unknown) => void,
  pollIntervalMs = 30_000,
): ClientCaReloader {
  return watchAndReload({
    files: [file],
    initialKey: initial,
    load: () => loadClientCa(file),
    keyOf: (bundle) => bundle,
    install,
    report: (result, error) => {
      if (result !== 'unchanged') report(result, error);
    },
    pollIntervalMs,
  });
}
