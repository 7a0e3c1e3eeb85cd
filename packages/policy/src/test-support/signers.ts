import { generateKeyPairSync } from 'node:crypto';
import { buildPayload, generatePgpKey, pkixKeyId, signPgpAttached, signPkix } from '@signet/signing';
import type { AttestationEvidence } from '../metadata.js';

export interface PgpSigner {
  fingerprint: string;
  privateKey: string;
  publicKey: string;
  /** base64 of the armored public key: Kritis's publicKeyData / asciiArmoredPgpPublicKey. */
  publicKeyBase64: string;
}

const generated = new Map<string, Promise<PgpSigner>>();

/** A fresh Ed25519 OpenPGP key (memoised per name within a test file). */
export function pgpSigner(name: string): Promise<PgpSigner> {
  let pending = generated.get(name);
  if (!pending) {
    pending = generatePgpKey({ name, email: `${name}@example.com` }).then((key) => ({
      ...key,
      publicKeyBase64: Buffer.from(key.publicKey).toString('base64'),
    }));
    generated.set(name, pending);
  }
  return pending;
}

/** A v1beta1 pgpSignedAttestation over the simple-signing payload of `name@digest`. */
export async function pgpAttestation(
  signerPrivateKey: string,
  image: { name: string; digest: string },
  options: { noteName: string; keyId?: string; date?: Date; base64?: boolean; payload?: Uint8Array },
): Promise<AttestationEvidence> {
  const payload = options.payload ?? buildPayload(image);
  const { signature, keyFingerprint } = await signPgpAttached(payload, signerPrivateKey, {
    ...(options.date ? { date: options.date } : {}),
  });
  return {
    noteName: options.noteName,
    occurrenceName: `projects/p/occurrences/${Math.random().toString(36).slice(2)}`,
    signature: {
      form: 'pgp',
      signature: options.base64 ? Buffer.from(signature).toString('base64') : signature,
      keyId: options.keyId ?? keyFingerprint,
    },
  };
}

export interface PkixSigner {
  publicKeyPem: string;
  privateKeyPem: string;
  keyId: string;
  algorithm: string;
}

export function pkixSigner(): PkixSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    publicKeyPem,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    keyId: pkixKeyId(publicKeyPem),
    algorithm: 'ECDSA_P256_SHA256',
  };
}

/** A v1 attestation (serializedPayload + signatures) signed with a PKIX key. */
export function pkixAttestation(
  signer: PkixSigner,
  image: { name: string; digest: string },
  noteName: string,
  publicKeyId = signer.keyId,
): AttestationEvidence {
  const serializedPayload = buildPayload(image);
  return {
    noteName,
    signature: {
      form: 'generic',
      serializedPayload,
      signatures: [
        { publicKeyId, signature: signPkix(serializedPayload, signer.privateKeyPem, signer.algorithm) },
      ],
    },
  };
}
