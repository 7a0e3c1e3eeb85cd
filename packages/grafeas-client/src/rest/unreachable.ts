import { GrafeasError, localGrafeasError } from '../errors.js';

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ALERT/i;

/**
 * The error for a server that could not be reached. A TLS failure says which setting to change:
 * `--store-ca` for the server's CA, `--store-cert`/`--store-key` for a client certificate.
 */
export function unreachable(backend: string, code: string, cause: unknown): GrafeasError {
  const failure = localGrafeasError(
    'GRAFEAS_UNAVAILABLE',
    backend,
    `cannot reach ${backend}: ${code}`,
    cause,
  );
  if (code === 'ECONNRESET' && backend.startsWith('https:')) {
    // TLS 1.3: a server that refuses the client certificate may just reset the connection.
    return new GrafeasError(failure.code, failure.message, failure, {
      cause,
      fix: 'if the server requires client certificates, give one it trusts with --store-cert FILE and --store-key FILE (SIGNET_STORE_CERT, SIGNET_STORE_KEY); otherwise check that it is running and reachable',
    });
  }
  if (!TLS_CODE.test(code)) return failure;
  const clientCert = /ALERT|BAD_CERTIFICATE|CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/i.test(code);
  return new GrafeasError('GRAFEAS_UNAVAILABLE', `TLS with ${backend} failed: ${code}`, failure, {
    cause,
    fix: clientCert
      ? 'the server refused the client certificate: give one it trusts with --store-cert FILE and --store-key FILE (SIGNET_STORE_CERT, SIGNET_STORE_KEY)'
      : "the server's certificate was not trusted: give the CA that signed it with --store-ca FILE (SIGNET_STORE_CA)",
  });
}
