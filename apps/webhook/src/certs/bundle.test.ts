import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assessBundle,
  type CertificateBundle,
  caBundlePem,
  decodeSecretData,
  encodeSecretData,
} from './bundle.js';
import { generateCertificateBundle } from './generate.js';

const DAY = 24 * 60 * 60 * 1000;
const now = new Date('2026-11-28T00:00:00Z');
const window = { dnsName: 'signet-webhook.signet.svc', now, renewBeforeMs: 30 * DAY };

let ours: CertificateBundle;
let other: CertificateBundle;
beforeAll(async () => {
  ours = await generateCertificateBundle({
    serviceName: 'signet-webhook',
    namespace: 'signet',
    now,
    validityMs: 365 * DAY,
  });
  other = await generateCertificateBundle({
    serviceName: 'other',
    namespace: 'signet',
    now,
    validityMs: 365 * DAY,
  });
});

describe('assessBundle says why a stored bundle cannot serve', () => {
  it('accepts a fresh bundle for the service', () => {
    expect(assessBundle(ours, window)).toEqual({ ok: true });
  });

  it.each([
    [
      'another service’s certificate',
      () => other,
      'the serving certificate has no SAN for signet-webhook.signet.svc',
    ],
    [
      'a key that is not the certificate’s',
      () => ({ ...ours, keyPem: other.keyPem }),
      'the serving key does not match the serving certificate',
    ],
    [
      'a CA that did not sign it',
      () => ({ ...ours, caPem: other.caPem, caKeyPem: other.caKeyPem }),
      'the serving certificate is not signed by the CA',
    ],
    [
      'a CA key that is not the CA’s',
      () => ({ ...ours, caKeyPem: other.caKeyPem }),
      'the CA key does not match the CA certificate',
    ],
  ])('%s', (_name, bundle, reason) => {
    expect(assessBundle(bundle(), window)).toEqual({ ok: false, reason });
  });

  it('garbage PEM', () => {
    const verdict = assessBundle({ ...ours, certPem: 'not a certificate' }, window);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok === false && verdict.reason).toMatch(/^a certificate or key does not parse \(/);
  });

  it('the renewal window starts renewBefore ahead of the earliest expiry', () => {
    const expiry = Date.parse(new X509Certificate(ours.certPem).validTo);
    expect(assessBundle(ours, { ...window, now: new Date(expiry - 30 * DAY - 1000) })).toEqual({ ok: true });
    expect(assessBundle(ours, { ...window, now: new Date(expiry - 30 * DAY) })).toEqual({
      ok: false,
      reason: `the certificates expire at ${new Date(expiry).toISOString()}, within the renewal window`,
    });
  });
});

describe('the Secret’s data', () => {
  it('round-trips, with the previous CA', () => {
    const data = encodeSecretData({ bundle: ours, previousCaPem: other.caPem });
    expect(Object.keys(data).sort()).toEqual(['ca-previous.crt', 'ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    expect(decodeSecretData(data)).toEqual({
      ok: true,
      stored: { bundle: ours, previousCaPem: other.caPem },
    });
  });

  it('names the keys a foreign Secret lacks (e.g. one cert-manager wrote: no ca.key)', () => {
    const { 'ca.key': _dropped, ...certManagerLike } = encodeSecretData({ bundle: ours });
    expect(decodeSecretData(certManagerLike)).toEqual({ ok: false, reason: 'the Secret lacks ca.key' });
    expect(decodeSecretData(undefined)).toEqual({
      ok: false,
      reason: 'the Secret lacks tls.crt, tls.key, ca.crt, ca.key',
    });
  });

  it('caBundle keeps the previous CA only while it is valid', () => {
    const stored = { bundle: ours, previousCaPem: other.caPem };
    expect(caBundlePem(stored, now)).toBe(`${ours.caPem.trimEnd()}\n${other.caPem.trimEnd()}\n`);
    expect(caBundlePem(stored, new Date(now.getTime() + 366 * DAY))).toBe(ours.caPem);
    expect(caBundlePem({ bundle: ours, previousCaPem: 'garbage' }, now)).toBe(ours.caPem);
  });
});
