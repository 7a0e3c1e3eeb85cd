import { createPrivateKey, X509Certificate } from 'node:crypto';

/** A CA and the serving certificate it signed, all PEM. */
export interface CertificateBundle {
  caPem: string;
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

/** What the Secret holds: the current bundle and, after a renewal, the CA it replaced. */
export interface StoredCertificates {
  bundle: CertificateBundle;
  previousCaPem?: string;
}

/**
 * Secret keys. `tls.crt`, `tls.key` and `ca.crt` are the `kubernetes.io/tls` conventions (the same
 * names cert-manager writes), so the Secret can also be mounted as files.
 */
const SECRET_KEYS = {
  cert: 'tls.crt',
  key: 'tls.key',
  ca: 'ca.crt',
  caKey: 'ca.key',
  previousCa: 'ca-previous.crt',
} as const;

export function encodeSecretData(stored: StoredCertificates): Record<string, string> {
  const { bundle, previousCaPem } = stored;
  const data: Record<string, string> = {
    [SECRET_KEYS.cert]: base64(bundle.certPem),
    [SECRET_KEYS.key]: base64(bundle.keyPem),
    [SECRET_KEYS.ca]: base64(bundle.caPem),
    [SECRET_KEYS.caKey]: base64(bundle.caKeyPem),
  };
  if (previousCaPem) data[SECRET_KEYS.previousCa] = base64(previousCaPem);
  return data;
}

/** The stored certificates, or the reason the Secret's data cannot be used as they are. */
export function decodeSecretData(
  data: Record<string, string> | undefined,
): { ok: true; stored: StoredCertificates } | { ok: false; reason: string } {
  const read = (key: string): string | undefined => {
    const value = data?.[key];
    return typeof value === 'string' && value !== ''
      ? Buffer.from(value, 'base64').toString('utf8')
      : undefined;
  };
  const fields: [keyof CertificateBundle, string][] = [
    ['certPem', SECRET_KEYS.cert],
    ['keyPem', SECRET_KEYS.key],
    ['caPem', SECRET_KEYS.ca],
    ['caKeyPem', SECRET_KEYS.caKey],
  ];
  const bundle: Partial<CertificateBundle> = {};
  const missing: string[] = [];
  for (const [field, key] of fields) {
    const value = read(key);
    if (value === undefined) missing.push(key);
    else bundle[field] = value;
  }
  if (missing.length > 0) return { ok: false, reason: `the Secret lacks ${missing.join(', ')}` };
  const previousCaPem = read(SECRET_KEYS.previousCa);
  return {
    ok: true,
    stored: { bundle: bundle as CertificateBundle, ...(previousCaPem ? { previousCaPem } : {}) },
  };
}

export interface AssessOptions {
  dnsName: string;
  now: Date;
  renewBeforeMs: number;
}

/**
 * Whether a bundle can keep serving: it parses, the serving certificate chains to the CA, names
 * `dnsName`, matches its key, and neither certificate expires within the renewal window.
 */
export function assessBundle(
  bundle: CertificateBundle,
  options: AssessOptions,
): { ok: true } | { ok: false; reason: string } {
  let ca: X509Certificate;
  let serving: X509Certificate;
  try {
    ca = new X509Certificate(bundle.caPem);
    serving = new X509Certificate(bundle.certPem);
    if (!serving.checkPrivateKey(createPrivateKey(bundle.keyPem))) {
      return { ok: false, reason: 'the serving key does not match the serving certificate' };
    }
    if (!ca.checkPrivateKey(createPrivateKey(bundle.caKeyPem))) {
      return { ok: false, reason: 'the CA key does not match the CA certificate' };
    }
  } catch (error) {
    return { ok: false, reason: `a certificate or key does not parse (${(error as Error).message})` };
  }
  if (!serving.checkIssued(ca) || !serving.verify(ca.publicKey)) {
    return { ok: false, reason: 'the serving certificate is not signed by the CA' };
  }
  if (!serving.checkHost(options.dnsName, { subject: 'never' })) {
    return { ok: false, reason: `the serving certificate has no SAN for ${options.dnsName}` };
  }
  const expiry = Math.min(Date.parse(ca.validTo), Date.parse(serving.validTo));
  if (expiry - options.now.getTime() <= options.renewBeforeMs) {
    return {
      ok: false,
      reason: `the certificates expire at ${new Date(expiry).toISOString()}, within the renewal window`,
    };
  }
  return { ok: true };
}

/** The PEMs for `caBundle`: the current CA, then the previous one while it is still valid. */
export function caBundlePem(stored: StoredCertificates, now: Date): string {
  const previous = stored.previousCaPem;
  if (!previous || previous === stored.bundle.caPem || !stillValid(previous, now)) return stored.bundle.caPem;
  return `${stored.bundle.caPem.trimEnd()}\n${previous.trimEnd()}\n`;
}

function stillValid(pem: string, now: Date): boolean {
  try {
    return Date.parse(new X509Certificate(pem).validTo) > now.getTime();
  } catch {
    return false;
  }
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
