import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  GoogleApiError,
  type RecordedRequest,
  type RunningStub,
  type StubAnswer,
  startGoogleStub,
} from './google-stub-server.js';
import { signDigest } from './sign-digest.js';

/**
 * A loopback Cloud KMS (v1 REST) that really signs, with the shapes gcloud-528 recorded:
 * GET …/cryptoKeyVersions/N/publicKey → {pem, algorithm, name};
 * POST …/cryptoKeyVersions/N:asymmetricSign {digest:{sha256|sha384|sha512}} → {signature, name};
 * errors as {"error":{code, message, status}}.
 */

export type KmsStubAlgorithm =
  | 'EC_SIGN_P256_SHA256'
  | 'EC_SIGN_P384_SHA384'
  | 'EC_SIGN_P521_SHA512'
  | 'EC_SIGN_SECP256K1_SHA256'
  | `RSA_SIGN_${'PSS' | 'PKCS1'}_${2048 | 3072 | 4096}_SHA256`
  | `RSA_SIGN_${'PSS' | 'PKCS1'}_4096_SHA512`;

interface KmsStubKey {
  name: string;
  algorithm: KmsStubAlgorithm;
  privateKey: KeyObject;
  publicKeyPem: string;
  /** DISABLED: both calls answer 400 FAILED_PRECONDITION, as Cloud KMS does. */
  state: 'ENABLED' | 'DISABLED';
  /** Names of methods that answer 403 PERMISSION_DENIED. */
  denied: Set<'getPublicKey' | 'asymmetricSign'>;
  /** Answer a signature by another key: what a client must catch before storing it. */
  wrongSignature: boolean;
}

export interface CloudKmsStub extends RunningStub {
  /** Adds a key version, generating a key (one per curve or RSA size, shared within the run). */
  addKey(name: string, algorithm: KmsStubAlgorithm): KmsStubKey;
  key(name: string): KmsStubKey | undefined;
}

const HASH_FIELDS = ['sha256', 'sha384', 'sha512'] as const;
const keyCache = new Map<string, KeyObject>();

function keyFor(algorithm: KmsStubAlgorithm): KeyObject {
  const spec = /^RSA_SIGN_\w+?_(\d+)_/.exec(algorithm);
  const cacheKey = spec ? `rsa-${spec[1]}` : algorithm;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = spec
      ? generateKeyPairSync('rsa', { modulusLength: Number(spec[1]) }).privateKey
      : generateKeyPairSync('ec', { namedCurve: CURVES[algorithm] ?? 'prime256v1' }).privateKey;
    keyCache.set(cacheKey, key);
  }
  return key;
}

const CURVES: Partial<Record<KmsStubAlgorithm, string>> = {
  EC_SIGN_P256_SHA256: 'prime256v1',
  EC_SIGN_P384_SHA384: 'secp384r1',
  EC_SIGN_P521_SHA512: 'secp521r1',
  EC_SIGN_SECP256K1_SHA256: 'secp256k1',
};

function hashOf(algorithm: KmsStubAlgorithm): (typeof HASH_FIELDS)[number] {
  if (algorithm.endsWith('SHA512')) return 'sha512';
  return algorithm.endsWith('SHA384') ? 'sha384' : 'sha256';
}

export async function startCloudKmsStub(): Promise<CloudKmsStub> {
  const keys = new Map<string, KmsStubKey>();
  const decoy = keyFor('EC_SIGN_P256_SHA256');
  const stub = await startGoogleStub((request) => handle(request, keys, decoy));
  return {
    ...stub,
    addKey(name, algorithm) {
      const privateKey = keyFor(algorithm);
      const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
      const key: KmsStubKey = {
        name,
        algorithm,
        privateKey,
        publicKeyPem,
        state: 'ENABLED',
        denied: new Set(),
        wrongSignature: false,
      };
      keys.set(name, key);
      return key;
    },
    key: (name) => keys.get(name),
  };
}

const ROUTE =
  /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+\/cryptoKeyVersions\/[^/:]+)(\/publicKey|:asymmetricSign)$/;

function handle(request: RecordedRequest, keys: Map<string, KmsStubKey>, decoy: KeyObject): StubAnswer {
  const route = ROUTE.exec(decodeURIComponent(request.path));
  const method = route?.[2] === '/publicKey' ? 'GET' : 'POST';
  if (!route || request.method !== method) {
    throw new GoogleApiError(
      404,
      'NOT_FOUND',
      `The requested URL ${request.path} was not found on this server.`,
    );
  }
  const name = route[1] as string;
  const key = keys.get(name);
  const call = method === 'GET' ? 'getPublicKey' : 'asymmetricSign';
  if (key?.denied.has(call)) {
    const permission = call === 'getPublicKey' ? 'viewPublicKey' : 'useToSign';
    throw new GoogleApiError(
      403,
      'PERMISSION_DENIED',
      `Permission 'cloudkms.cryptoKeyVersions.${permission}' denied on resource '${name}' (or it may not exist).`,
    );
  }
  if (!key) throw new GoogleApiError(404, 'NOT_FOUND', `Resource '${name}' was not found`);
  if (key.state !== 'ENABLED') {
    throw new GoogleApiError(
      400,
      'FAILED_PRECONDITION',
      `${name} is not enabled, current state is: ${key.state}.`,
    );
  }
  if (call === 'getPublicKey') {
    return { status: 200, body: { pem: key.publicKeyPem, algorithm: key.algorithm, name } };
  }
  const digest = digestOf(request.body, key);
  const signer = key.wrongSignature ? decoy : key.privateKey;
  const signature = signDigest(signer, key.wrongSignature ? 'EC_SIGN_P256_SHA256' : key.algorithm, digest);
  return { status: 200, body: { signature: Buffer.from(signature).toString('base64'), name } };
}

/** The one digest field the key's algorithm takes, in either base64 alphabet (as Google's JSON parser reads bytes). */
function digestOf(body: unknown, key: KmsStubKey): Buffer {
  const digest = (body as { digest?: Record<string, unknown> } | null)?.digest;
  const fields = Object.keys(digest ?? {});
  const expected = hashOf(key.algorithm);
  const value = digest?.[expected];
  if (fields.length !== 1 || typeof value !== 'string') {
    const given = fields.join(', ') || 'none';
    throw new GoogleApiError(
      400,
      'INVALID_ARGUMENT',
      `The digest type (${given}) does not match the algorithm of key version ${key.name} (${key.algorithm}); expected ${expected}.`,
    );
  }
  const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  const length = { sha256: 32, sha384: 48, sha512: 64 }[expected];
  if (bytes.length !== length) {
    throw new GoogleApiError(
      400,
      'INVALID_ARGUMENT',
      `Invalid digest length: ${bytes.length}, expected ${length}.`,
    );
  }
  return bytes;
}
