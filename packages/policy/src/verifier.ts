import { createHash } from 'node:crypto';
import { errorMessage, SignetError } from '@signet/errors';
import {
  checkPayloadIdentity,
  findPgpKeyById,
  type PgpPublicKey,
  parsePayload,
  readPgpPublicKeys,
  verifyPgpAttached,
  verifyPgpDetached,
  verifyPkix,
} from '@signet/signing';
import type { AttestationEvidence } from './metadata.js';
import type { AttestationAuthority, PgpAuthorityKey, PkixAuthorityKey } from './resource-types.js';

/** The outcome of checking one attestation against one authority for one image. */
export type AttestationCheck =
  | { valid: true; keyId: string }
  | { valid: false; code: string; reason: string; fix: string };

export interface CachedCheck {
  check: AttestationCheck;
  /** When it was verified (ms since the epoch, by the decision's clock). */
  checkedAt: number;
}

/** Any map-like store (a Map, an LRU…) the webhook wants to keep verification results in. */
export interface VerificationCache {
  get(key: string): CachedCheck | undefined;
  set(key: string, value: CachedCheck): void;
}

export interface AttestationVerifierOptions {
  cache?: VerificationCache;
  /**
   * How long a cached result stands. Key expiry and revocation are judged at verification time,
   * so this bounds how late an expiry is noticed. Default 60 s.
   */
  maxAgeMs?: number;
}

/** The image an attestation must be for. */
export interface AttestedImage {
  /** Normalised repository name, e.g. `gcr.io/p/app`. */
  name: string;
  /** `sha256:<hex>`. */
  digest: string;
}

const KEY_CACHE_LIMIT = 256;
const DEFAULT_CACHE_ENTRIES = 10_000;

/** The default verification cache: a Map that forgets its oldest entries beyond `limit`. */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly limit = DEFAULT_CACHE_ENTRIES) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Verifies attestations: signature first (with a key chosen by id among the authority's keys
 * only), then the payload's digest and repository. Results are cached by authority keys, image
 * and attestation content, so the webhook verifies each attestation once per `maxAgeMs`.
 * Evidence objects and cosign layers' bytes are assumed immutable (their content hash is memoised per
 * object: a warm decision is handed the same cached objects again, and hashes nothing).
 */
export class AttestationVerifier {
  private readonly cache: VerificationCache;
  private readonly maxAgeMs: number;
  private readonly pgpKeys = new Map<string, Promise<PgpPublicKey[]>>();
  private readonly authorityIds = new WeakMap<AttestationAuthority, string>();
  private readonly evidenceIds = new WeakMap<AttestationEvidence, string>();
  private readonly cosignChecks = new BoundedCache<unknown>();
  private readonly layerHashes = new WeakMap<Uint8Array, string>();

  constructor(options: AttestationVerifierOptions = {}) {
    this.cache = options.cache ?? new BoundedCache<CachedCheck>();
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
  }

  /** Checks one attestation; never throws. */
  async verify(
    authority: AttestationAuthority,
    evidence: AttestationEvidence,
    image: AttestedImage,
    now: Date = new Date(),
  ): Promise<AttestationCheck> {
    let key: string;
    try {
      key = `${this.authorityId(authority)}|${image.name}@${image.digest}|${this.evidenceId(evidence)}`;
    } catch (error) {
      return failed(error, 'ATTESTATION_UNREADABLE');
    }
    const cached = this.cache.get(key);
    if (cached && Math.abs(now.getTime() - cached.checkedAt) <= this.maxAgeMs) return cached.check;
    const check = await this.verifyUncached(authority, evidence, image, now);
    this.cache.set(key, { check, checkedAt: now.getTime() });
    return check;
  }

  /**
   * A cosign check (`kind`: signature, attestation or bundle) of `layer` for `image`, remembered: it
   * depends only on the key, the image, the layer's bytes and its signature, never on the time, so a
   * warm decision verifies nothing again. `check` must be that pure function.
   */
  cosign<T>(
    kind: string,
    key: { type: string; hint: string },
    layer: { bytes: Uint8Array; signature?: string },
    image: AttestedImage,
    check: () => T,
  ): T {
    const id = `${kind}|${key.type}|${key.hint}|${image.name}@${image.digest}|${this.layerHash(layer.bytes)}|${layer.signature ?? ''}`;
    const cached = this.cosignChecks.get(id);
    if (cached !== undefined) return cached as T;
    const result = check();
    this.cosignChecks.set(id, result);
    return result;
  }

  private async verifyUncached(
    authority: AttestationAuthority,
    evidence: AttestationEvidence,
    image: AttestedImage,
    now: Date,
  ): Promise<AttestationCheck> {
    try {
      const signature = evidence.signature;
      if (signature.form === 'pgp') return await this.verifyPgpForm(authority, signature, image, now);
      if (signature.form === 'generic') return await this.verifyGenericForm(authority, signature, image, now);
      return invalid(
        'ATTESTATION_UNREADABLE',
        'the attestation has no signature Signet can read',
        'sign the image again',
      );
    } catch (error) {
      return failed(error, 'ATTESTATION_UNREADABLE');
    }
  }

  private async verifyPgpForm(
    authority: AttestationAuthority,
    signature: { signature: string; keyId?: string },
    image: AttestedImage,
    now: Date,
  ): Promise<AttestationCheck> {
    const keys = await this.authorityPgpKeys(authority);
    let trusted = keys;
    if (signature.keyId) {
      const chosen = findPgpKeyById(keys, signature.keyId);
      if (!chosen) return unknownKey(authority, signature.keyId);
      trusted = [chosen];
    }
    if (trusted.length === 0) return unknownKey(authority, signature.keyId ?? '(none declared)');
    const verified = await verifyPgpAttached(signature.signature, trusted, { now });
    checkPayloadIdentity(parsePayload(verified.payload), image);
    return { valid: true, keyId: verified.keyFingerprint };
  }

  private async verifyGenericForm(
    authority: AttestationAuthority,
    signature: {
      serializedPayload: Uint8Array;
      signatures: { publicKeyId: string; signature: Uint8Array }[];
    },
    image: AttestedImage,
    now: Date,
  ): Promise<AttestationCheck> {
    const payload = signature.serializedPayload;
    if (!(payload instanceof Uint8Array) || !Array.isArray(signature.signatures)) {
      return invalid(
        'ATTESTATION_UNREADABLE',
        'the attestation has no payload or signatures',
        'sign the image again',
      );
    }
    if (signature.signatures.length === 0) {
      return invalid('ATTESTATION_UNSIGNED', 'the attestation carries no signature', 'sign the image again');
    }
    let firstFailure: AttestationCheck | undefined;
    for (const one of signature.signatures) {
      const check = await this.verifyGenericSignature(authority, payload, one, image, now);
      if (check.valid) return check;
      firstFailure ??= check;
    }
    return firstFailure!;
  }

  private async verifyGenericSignature(
    authority: AttestationAuthority,
    payload: Uint8Array,
    one: { publicKeyId: string; signature: Uint8Array },
    image: AttestedImage,
    now: Date,
  ): Promise<AttestationCheck> {
    try {
      const id = String(one.publicKeyId ?? '');
      const pkix = authority.keys.find((k): k is PkixAuthorityKey => k.type === 'PKIX' && k.keyId === id);
      if (pkix) {
        verifyPkix(payload, one.signature, pkix.publicKeyPem, pkix.signatureAlgorithm);
      } else {
        const pgp = findPgpKeyById(await this.authorityPgpKeys(authority), id);
        if (!pgp) return unknownKey(authority, id);
        await verifyPgpOverPayload(payload, one.signature, pgp, now);
      }
      checkPayloadIdentity(parsePayload(payload), image);
      return { valid: true, keyId: id };
    } catch (error) {
      return failed(error, 'ATTESTATION_UNREADABLE');
    }
  }

  /** The authority's PGP keys, read once per armored text; a declared keyId must be the key's. */
  private async authorityPgpKeys(authority: AttestationAuthority): Promise<PgpPublicKey[]> {
    const pgpKeys = authority.keys.filter((k): k is PgpAuthorityKey => k.type === 'PGP');
    const lists = await Promise.all(pgpKeys.map((k) => this.readKeys(k)));
    return lists.flat();
  }

  private async readKeys(key: PgpAuthorityKey): Promise<PgpPublicKey[]> {
    const cacheKey = `${key.fingerprint ?? ''}|${key.armoredKey}`;
    let pending = this.pgpKeys.get(cacheKey);
    if (!pending) {
      pending = readPgpPublicKeys(key.armoredKey).then((keys) => {
        if (key.fingerprint && !findPgpKeyById(keys, key.fingerprint)) {
          throw new SignetError(
            'AUTHORITY_KEY_ID_MISMATCH',
            `the authority declares keyId ${key.fingerprint}, but its key has fingerprint ${keys.map((k) => k.fingerprint).join(', ')}`,
            'set keyId to the key’s fingerprint (`gpg --fingerprint`), or omit it',
          );
        }
        return keys;
      });
      if (this.pgpKeys.size >= KEY_CACHE_LIMIT) this.pgpKeys.clear();
      this.pgpKeys.set(cacheKey, pending);
      // A key that cannot be read is reported each time, not cached as a rejection forever.
      pending.catch(() => this.pgpKeys.delete(cacheKey));
    }
    return pending;
  }

  private authorityId(authority: AttestationAuthority): string {
    let id = this.authorityIds.get(authority);
    if (!id) {
      id = digest(JSON.stringify([authority.metadata, authority.noteName, authority.keys]));
      this.authorityIds.set(authority, id);
    }
    return id;
  }

  private layerHash(bytes: Uint8Array): string {
    let hash = this.layerHashes.get(bytes);
    if (hash === undefined) {
      hash = createHash('sha256').update(bytes).digest('base64url');
      this.layerHashes.set(bytes, hash);
    }
    return hash;
  }

  private evidenceId(evidence: AttestationEvidence): string {
    let id = this.evidenceIds.get(evidence);
    if (!id) {
      const hash = createHash('sha256');
      const signature = evidence.signature;
      if (signature.form === 'pgp') {
        hash.update(`pgp\0${signature.keyId ?? ''}\0${signature.signature}`);
      } else {
        hash.update('generic\0').update(signature.serializedPayload);
        for (const one of signature.signatures) hash.update(`\0${one.publicKeyId}\0`).update(one.signature);
      }
      id = hash.digest('base64url');
      this.evidenceIds.set(evidence, id);
    }
    return id;
  }
}

/**
 * v1 PGP signatures are detached over serializedPayload; an attached one is accepted only when the
 * content it carries is exactly serializedPayload.
 */
async function verifyPgpOverPayload(
  payload: Uint8Array,
  signature: Uint8Array,
  key: PgpPublicKey,
  now: Date,
) {
  try {
    await verifyPgpDetached(payload, signature, [key], { now });
  } catch (detachedError) {
    let attached: Awaited<ReturnType<typeof verifyPgpAttached>>;
    try {
      attached = await verifyPgpAttached(signature, [key], { now });
    } catch {
      throw detachedError;
    }
    if (!sameBytes(attached.payload, payload)) {
      throw new SignetError(
        'ATTESTATION_PAYLOAD_MISMATCH',
        'the PGP signature signs different content than the attestation’s serializedPayload',
        'sign the serializedPayload itself (a detached signature of exactly those bytes)',
      );
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

function unknownKey(authority: AttestationAuthority, keyId: string): AttestationCheck {
  return invalid(
    'ATTESTATION_UNKNOWN_KEY',
    `it is signed by key ${keyId}, which is not one of AttestationAuthority ${authority.metadata.name}'s keys`,
    `sign with a key of AttestationAuthority ${authority.metadata.name}, or add the public key to it`,
  );
}

function invalid(code: string, reason: string, fix: string): AttestationCheck {
  return { valid: false, code, reason, fix };
}

function failed(error: unknown, fallbackCode: string): AttestationCheck {
  if (error instanceof SignetError) return invalid(error.code, error.message, error.fix);
  const message = errorMessage(error);
  return invalid(fallbackCode, `it cannot be read: ${message}`, 'sign the image again');
}
