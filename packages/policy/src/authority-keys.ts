import { errorMessage } from '@signet/errors';
import { normalizePkixAlgorithm, parseImageReference, pkixKeyId } from '@signet/signing';
import { readCosignPublicKey } from '@signet/signing/cosign';
import type { z } from 'zod';
import type { AuthorityKey, CosignAuthority, PolicyIssue } from './resource-types.js';
import type { attestationAuthoritySpec, publicKeySpec } from './schemas/resources.js';
import { isUriReference } from './uri-reference.js';

type AuthoritySpec = z.output<typeof attestationAuthoritySpec>;
type PublicKeySpec = z.output<typeof publicKeySpec>;
type CosignSpec = NonNullable<AuthoritySpec['cosign']>;

const ARMOR_HEADER = '-----BEGIN PGP PUBLIC KEY BLOCK-----';

/** The authority's keys in either Kritis form, or the issues that make them unusable. */
export function readAuthorityKeys(spec: AuthoritySpec): { keys: AuthorityKey[]; issues: PolicyIssue[] } {
  const keys: AuthorityKey[] = [];
  const issues: PolicyIssue[] = [];
  if (spec.publicKeyData !== undefined) {
    const armored = decodeArmoredKey(spec.publicKeyData, 'spec.publicKeyData', issues);
    if (armored) keys.push({ type: 'PGP', armoredKey: armored });
  }
  spec.publicKeys?.forEach((key, index) => {
    const read = readPublicKey(key, `spec.publicKeys[${index}]`, issues);
    if (read) keys.push(read);
  });
  return { keys, issues };
}

/** `spec.cosign`: its key read (a key cosign cannot have written is an issue, like a bad PGP key). */
export function readCosignAuthority(spec: CosignSpec, issues: PolicyIssue[]): CosignAuthority | undefined {
  const reading = readCosignPublicKey(spec.publicKeyData);
  if (!reading.valid) {
    issues.push({ field: 'spec.cosign.publicKeyData', message: reading.message, fix: reading.fix });
  }
  let repository: string | undefined;
  if (spec.repository !== undefined) {
    try {
      repository = parseImageReference(spec.repository).name;
    } catch (error) {
      issues.push({
        field: 'spec.cosign.repository',
        message: `cannot be read: ${errorMessage(error)}`,
        fix: 'write the repository as cosign’s COSIGN_REPOSITORY names it: REGISTRY/PATH, no tag or digest',
      });
    }
  }
  if (!reading.valid || (spec.repository !== undefined && repository === undefined)) return undefined;
  const predicateTypes = [...new Set((spec.attestations ?? []).map((a) => a.predicateType))];
  return { publicKey: reading.key, predicateTypes, ...(repository ? { repository } : {}) };
}

function readPublicKey(key: PublicKeySpec, at: string, issues: PolicyIssue[]): AuthorityKey | undefined {
  if (key.keyType && key.KeyType && key.keyType !== key.KeyType) {
    issues.push({
      field: `${at}.keyType`,
      message: `says ${key.keyType} but KeyType says ${key.KeyType}`,
      fix: 'keep one of keyType / KeyType',
    });
    return undefined;
  }
  const type = key.keyType ?? key.KeyType ?? inferType(key);
  if (type === undefined) {
    issues.push({
      field: `${at}.keyType`,
      message: 'is required but missing',
      fix: 'add keyType: PGP (with asciiArmoredPgpPublicKey) or keyType: PKIX (with pkixPublicKey)',
    });
    return undefined;
  }
  return type === 'PGP' ? readPgpKey(key, at, issues) : readPkixKey(key, at, issues);
}

/** A key with exactly one kind of material says what it is, even when keyType is absent. */
function inferType(key: PublicKeySpec): 'PGP' | 'PKIX' | undefined {
  if (key.asciiArmoredPgpPublicKey && !key.pkixPublicKey) return 'PGP';
  if (key.pkixPublicKey && !key.asciiArmoredPgpPublicKey) return 'PKIX';
  return undefined;
}

function readPgpKey(key: PublicKeySpec, at: string, issues: PolicyIssue[]): AuthorityKey | undefined {
  if (key.pkixPublicKey) {
    issues.push({
      field: `${at}.pkixPublicKey`,
      message: 'is set on a PGP key',
      fix: 'remove pkixPublicKey, or set keyType: PKIX and remove asciiArmoredPgpPublicKey',
    });
    return undefined;
  }
  if (!key.asciiArmoredPgpPublicKey) {
    issues.push({
      field: `${at}.asciiArmoredPgpPublicKey`,
      message: 'is required for a PGP key but missing',
      fix: 'add asciiArmoredPgpPublicKey: the output of `gpg --armor --export FINGERPRINT | base64 -w0`',
    });
    return undefined;
  }
  const armored = decodeArmoredKey(key.asciiArmoredPgpPublicKey, `${at}.asciiArmoredPgpPublicKey`, issues);
  if (!armored) return undefined;
  if (key.keyId === undefined) return { type: 'PGP', armoredKey: armored };
  const fingerprint = normalizePgpKeyId(key.keyId);
  if (!fingerprint) {
    issues.push({
      field: `${at}.keyId`,
      message: `${JSON.stringify(key.keyId)} is not a full OpenPGP fingerprint`,
      fix: 'write the full 40-hex fingerprint (`gpg --fingerprint`), not a short key id; or omit keyId',
    });
    return undefined;
  }
  return { type: 'PGP', fingerprint, armoredKey: armored };
}

function readPkixKey(key: PublicKeySpec, at: string, issues: PolicyIssue[]): AuthorityKey | undefined {
  if (key.asciiArmoredPgpPublicKey) {
    issues.push({
      field: `${at}.asciiArmoredPgpPublicKey`,
      message: 'is set on a PKIX key',
      fix: 'remove asciiArmoredPgpPublicKey, or set keyType: PGP and remove pkixPublicKey',
    });
    return undefined;
  }
  const pkix = key.pkixPublicKey;
  if (!pkix) {
    issues.push({
      field: `${at}.pkixPublicKey`,
      message: 'is required for a PKIX key but missing',
      fix: 'add pkixPublicKey: {publicKeyPem: <PEM public key>, signatureAlgorithm: e.g. ECDSA_P256_SHA256}',
    });
    return undefined;
  }
  let computedId: string;
  try {
    computedId = pkixKeyId(pkix.publicKeyPem);
  } catch (error) {
    issues.push({
      field: `${at}.pkixPublicKey.publicKeyPem`,
      message: `cannot be read: ${errorMessage(error)}`,
      fix: 'paste the public key PEM, e.g. the output of `openssl pkey -in key.pem -pubout`',
    });
    return undefined;
  }
  if (key.keyId !== undefined && !isUriReference(key.keyId)) {
    issues.push({
      field: `${at}.keyId`,
      message: `${JSON.stringify(key.keyId)} is not an RFC 3986 URI reference`,
      fix: `omit keyId to use the default id ${computedId}, or write the id signatures name (a URI reference, e.g. //cloudkms.googleapis.com/v1/projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/1); it is matched exactly`,
    });
    return undefined;
  }
  return {
    type: 'PKIX',
    keyId: key.keyId ?? computedId,
    publicKeyPem: pkix.publicKeyPem,
    signatureAlgorithm: normalizePkixAlgorithm(pkix.signatureAlgorithm),
  };
}

function decodeArmoredKey(base64: string, field: string, issues: PolicyIssue[]): string | undefined {
  const text = Buffer.from(base64.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (text.includes(ARMOR_HEADER)) return text;
  issues.push({
    field,
    message: 'is not base64 of an ASCII-armored PGP public key',
    fix: 'write the output of `gpg --armor --export FINGERPRINT | base64 -w0`',
  });
  return undefined;
}

/**
 * An OpenPGP key id as users and tools write it (`openpgp4fpr:` prefix, any case, spaces), as
 * upper-case hex; undefined unless it is a full V4 (40 hex) or V6 (64 hex) fingerprint.
 */
function normalizePgpKeyId(id: string): string | undefined {
  const hex = id
    .trim()
    .replace(/^openpgp4fpr:/i, '')
    .replace(/[\s:]/g, '')
    .toUpperCase();
  return /^([0-9A-F]{40}|[0-9A-F]{64})$/.test(hex) ? hex : undefined;
}
