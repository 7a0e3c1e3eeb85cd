import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { WebhookError } from '../errors.js';
import { type FileReloader, type ReloadResult, watchAndReload } from '../watch-files.js';

const TLS_MIN_VERSION = 'TLSv1.2';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** A serving certificate (chain) and its private key, PEM text or its bytes. */
export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
}

/** Where the server gets its certificate: files (watched and reloaded) or PEM text (replaced by the caller). */
export type TlsSource = TlsFiles | TlsMaterial;

export function isTlsFiles(source: TlsSource): source is TlsFiles {
  return 'certFile' in source;
}

/** The serving identity, and the CA bundle client certificates must chain to (`--client-ca`), if any. */
export function secureContextOptions(
  material: TlsMaterial,
  clientCa?: string | Buffer,
): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    minVersion: TLS_MIN_VERSION,
    ...(clientCa ? { ca: clientCa } : {}),
  };
}

/** Reads the serving certificate and key, and proves they make a usable TLS context (they match). */
export async function loadTlsMaterial(files: TlsFiles): Promise<TlsMaterial> {
  let cert: Buffer;
  let key: Buffer;
  try {
    [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
  } catch (error) {
    throw new WebhookError(
      'TLS_FILES_UNREADABLE',
      `cannot read the serving certificate or key (${(error as Error).message})`,
      'check --tls-cert and --tls-key: they must name readable PEM files',
      { cause: error },
    );
  }
  return checkTlsMaterial({ cert, key }, 'TLS_FILES_INVALID', '--tls-cert', '--tls-key');
}

/** Proves PEM text given directly makes a usable TLS context (the certificate and key match). */
export function checkTlsPem(material: TlsMaterial): TlsMaterial {
  return checkTlsMaterial(material, 'TLS_PEM_INVALID', 'the certificate', 'the key');
}

function checkTlsMaterial(
  material: TlsMaterial,
  code: string,
  certName: string,
  keyName: string,
): TlsMaterial {
  try {
    createSecureContext(secureContextOptions(material));
  } catch (error) {
    throw new WebhookError(
      code,
      `the serving certificate and key do not form a TLS identity (${(error as Error).message})`,
      `give ${certName} a PEM certificate (chain) and ${keyName} the PEM private key that matches it`,
      { cause: error },
    );
  }
  return material;
}

/** Re-reads the files now (`reload()` resolves true when a new pair was installed), or stops watching. */
export type TlsReloader = FileReloader;

/**
 * Watches the certificate and key (their folders, because Kubernetes swaps a `..data` symlink) and installs
 * a new pair with `setSecureContext`: open connections keep their session, new ones get the new pair.
 * A half-written or mismatched pair is ignored until the next change; a slow poll catches missed events.
 */
export function watchTlsFiles(
  files: TlsFiles,
  initial: TlsMaterial,
  install: (material: TlsMaterial) => void,
  report: (result: ReloadResult, error?: unknown) => void,
  pollIntervalMs = 30_000,
): TlsReloader {
  return watchAndReload({
    files: [files.certFile, files.keyFile],
    initialKey: fingerprintOf(initial),
    load: () => loadTlsMaterial(files),
    keyOf: fingerprintOf,
    install,
    report,
    pollIntervalMs,
  });
}

function fingerprintOf(material: TlsMaterial): string {
  return `${Buffer.from(material.cert).toString('base64')}:${Buffer.from(material.key).toString('base64')}`;
}
