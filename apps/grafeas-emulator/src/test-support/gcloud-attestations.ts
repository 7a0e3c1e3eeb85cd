import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pkixKeyId } from '@signet/signing';
import { GpgHome } from '@signet/signing/test-support';
import type { Gcloud } from '../gcloud.js';

/** What `attestWithGcloud` made, for the caller's AttestationAuthorities and its own signing. */
export interface GcloudAttestations {
  /** gcloud's payload for the image (`create-signature-payload`), in `Gcloud.dir`. */
  payloadFile: string;
  /** `publicKeyBase64`: the armored key in base64, as Kritis' `asciiArmoredPgpPublicKey` holds it. */
  pgp: { fingerprint: string; publicKeyBase64: string };
  pkix: { keyId: string; publicKeyPem: string; privateKeyFile: string };
}

/**
 * The attestations a user writes with gcloud (`container binauthz attestations create --note`): gcloud's
 * payload for `image` signed by a new ed25519 key with gpg (under note `pgp`) and by a new P-256 key with
 * openssl (under note `pkix`), and a replay Signet must refuse: that payload and PKIX signature stored
 * as an attestation of `replayed`. Both notes must exist in gcloud's project. Files live in `Gcloud.dir`.
 */
export async function attestWithGcloud(
  gcloud: Gcloud,
  image: string,
  replayed: string,
): Promise<GcloudAttestations> {
  const inGcloud = (name: string) => join(gcloud.dir, name);
  const payloadFile = inGcloud('payload.json');
  writeFileSync(
    payloadFile,
    await gcloud.ok(['container', 'binauthz', 'create-signature-payload', `--artifact-url=${image}`]),
  );
  const pgp = signWithGpg(payloadFile, inGcloud('signature.pgp'));
  const pkix = signWithOpenssl(payloadFile, inGcloud('pkix.pem'), inGcloud('signature.pkix'));
  const attest = (artifactUrl: string, note: string, publicKeyId: string, payload?: string) =>
    gcloud.createAttestation({
      artifactUrl,
      note,
      signatureFile: `signature.${note}`,
      publicKeyId,
      ...(payload ? { payloadFile: payload } : {}),
    });
  await attest(image, 'pgp', pgp.fingerprint);
  await attest(image, 'pkix', pkix.keyId);
  await attest(replayed, 'pkix', pkix.keyId, 'payload.json');
  return { payloadFile, pgp, pkix };
}

/** `gpg --armor --sign` of the payload by a new key, in a GnuPG home removed afterwards. */
function signWithGpg(payloadFile: string, signatureFile: string): GcloudAttestations['pgp'] {
  const gpg = new GpgHome();
  try {
    const fingerprint = gpg.generate('gcloud interop <gcloud-interop@example.com>');
    writeFileSync(signatureFile, gpg.signAttached(fingerprint, readFileSync(payloadFile)));
    return { fingerprint, publicKeyBase64: gpg.publicKeyBase64(fingerprint) };
  } finally {
    gpg.close();
  }
}

/** `openssl dgst -sha256 -sign` of the payload by a new P-256 key, kept in `privateKeyFile`. */
function signWithOpenssl(
  payloadFile: string,
  privateKeyFile: string,
  signatureFile: string,
): GcloudAttestations['pkix'] {
  execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', privateKeyFile]);
  const publicKeyPem = execFileSync('openssl', ['pkey', '-in', privateKeyFile, '-pubout']).toString('utf8');
  execFileSync('openssl', ['dgst', '-sha256', '-sign', privateKeyFile, '-out', signatureFile, payloadFile]);
  return { keyId: pkixKeyId(publicKeyPem), publicKeyPem, privateKeyFile };
}

/** The key an AttestationAuthority trusts: a PGP key (armored, in base64) or a PKIX key. */
export type AuthorityKey =
  | { pgpPublicKeyBase64: string }
  | { pkixKeyId: string; publicKeyPem: string; signatureAlgorithm: string };

/** A Kritis AttestationAuthority `name` over note `projects/PROJECT/notes/NAME`, as YAML. */
export function authorityYaml(project: string, name: string, key: AuthorityKey): string {
  const keyYaml =
    'pgpPublicKeyBase64' in key
      ? `  - keyType: PGP\n    asciiArmoredPgpPublicKey: ${key.pgpPublicKeyBase64}\n`
      : `  - keyType: PKIX\n    keyId: ${JSON.stringify(key.pkixKeyId)}\n    pkixPublicKey:\n` +
        `      signatureAlgorithm: ${key.signatureAlgorithm}\n      publicKeyPem: |\n` +
        `        ${key.publicKeyPem.trim().split('\n').join('\n        ')}\n`;
  return `apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata:\n  name: ${name}\nspec:\n  noteReference: projects/${project}/notes/${name}\n  publicKeys:\n${keyYaml}`;
}

/** A GenericAttestationPolicy in namespace `default` requiring every one of `authorities`, as YAML. */
export function policyYaml(authorities: string[]): string {
  const names = authorities.map((n) => `  - ${n}\n`).join('');
  return `apiVersion: kritis.grafeas.io/v1beta1\nkind: GenericAttestationPolicy\nmetadata:\n  name: gcloud-signed\n  namespace: default\nspec:\n  attestationAuthorityNames:\n${names}`;
}
