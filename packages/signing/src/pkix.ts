import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { errorMessage } from '@signet/errors';
import { SigningError } from './signing-error.js';

/**
 * Detached PKIX signatures as Binary Authorization, Cloud KMS, Kritis and `openssl dgst -sign` make
 * them: ECDSA as DER `SEQUENCE{r,s}`, RSA PKCS#1 v1.5, RSA-PSS with MGF1 over the same hash.
 */

export type PkixHash = 'sha256' | 'sha384' | 'sha512';

interface RsaSpec {
  readonly family: 'rsa-pkcs1' | 'rsa-pss';
  readonly bits: 2048 | 3072 | 4096;
  readonly hash: PkixHash;
}
interface EcSpec {
  readonly family: 'ecdsa';
  /** OpenSSL's curve name, as Node reports it in `asymmetricKeyDetails.namedCurve`. */
  readonly curve: 'prime256v1' | 'secp384r1' | 'secp521r1';
  readonly hash: PkixHash;
}
type AlgorithmSpec = RsaSpec | EcSpec;

const SPECS = {
  RSA_PSS_2048_SHA256: { family: 'rsa-pss', bits: 2048, hash: 'sha256' },
  RSA_PSS_3072_SHA256: { family: 'rsa-pss', bits: 3072, hash: 'sha256' },
  RSA_PSS_4096_SHA256: { family: 'rsa-pss', bits: 4096, hash: 'sha256' },
  RSA_PSS_4096_SHA512: { family: 'rsa-pss', bits: 4096, hash: 'sha512' },
  RSA_SIGN_PKCS1_2048_SHA256: { family: 'rsa-pkcs1', bits: 2048, hash: 'sha256' },
  RSA_SIGN_PKCS1_3072_SHA256: { family: 'rsa-pkcs1', bits: 3072, hash: 'sha256' },
  RSA_SIGN_PKCS1_4096_SHA256: { family: 'rsa-pkcs1', bits: 4096, hash: 'sha256' },
  RSA_SIGN_PKCS1_4096_SHA512: { family: 'rsa-pkcs1', bits: 4096, hash: 'sha512' },
  ECDSA_P256_SHA256: { family: 'ecdsa', curve: 'prime256v1', hash: 'sha256' },
  ECDSA_P384_SHA384: { family: 'ecdsa', curve: 'secp384r1', hash: 'sha384' },
  ECDSA_P521_SHA512: { family: 'ecdsa', curve: 'secp521r1', hash: 'sha512' },
} as const satisfies Record<string, AlgorithmSpec>;

/** Canonical names: the first name of each alias pair in the Binary Authorization enum. */
export type PkixAlgorithm = keyof typeof SPECS;

export const PKIX_ALGORITHMS = Object.keys(SPECS) as readonly PkixAlgorithm[];

/** The enum's second spelling of the same algorithms (the Cloud KMS names). */
const ALIASES: Readonly<Record<string, PkixAlgorithm>> = {
  RSA_SIGN_PSS_2048_SHA256: 'RSA_PSS_2048_SHA256',
  RSA_SIGN_PSS_3072_SHA256: 'RSA_PSS_3072_SHA256',
  RSA_SIGN_PSS_4096_SHA256: 'RSA_PSS_4096_SHA256',
  RSA_SIGN_PSS_4096_SHA512: 'RSA_PSS_4096_SHA512',
  EC_SIGN_P256_SHA256: 'ECDSA_P256_SHA256',
  EC_SIGN_P384_SHA384: 'ECDSA_P384_SHA384',
  EC_SIGN_P521_SHA512: 'ECDSA_P521_SHA512',
};

const CURVE_LABEL: Record<EcSpec['curve'], string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

const MIN_RSA_BITS = 2048;

/** Every spelling of the Binary Authorization `signatureAlgorithm` enum (canonical names, then aliases). */
export const PKIX_ALGORITHM_NAMES: readonly string[] = [...PKIX_ALGORITHMS, ...Object.keys(ALIASES)];

/** Maps any name of the Binary Authorization `signatureAlgorithm` enum to its canonical name. */
export function normalizePkixAlgorithm(name: string): PkixAlgorithm {
  if (typeof name === 'string') {
    if (Object.hasOwn(SPECS, name)) return name as PkixAlgorithm;
    const canonical = Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;
    if (canonical) return canonical;
  }
  const valid = PKIX_ALGORITHM_NAMES.join(', ');
  throw new SigningError(
    'PKIX_UNKNOWN_ALGORITHM',
    `unknown PKIX signature algorithm ${JSON.stringify(String(name))}`,
    `use one of: ${valid}`,
  );
}

/** The hash the algorithm signs: what a Cloud KMS `asymmetricSign` digest must be made with. */
export function pkixHash(algorithm: string): PkixHash {
  return SPECS[normalizePkixAlgorithm(algorithm)].hash;
}

/** `ni:///sha-256;` + base64url without padding of SHA-256(DER SubjectPublicKeyInfo). */
export function pkixKeyId(publicKeyPem: string): string {
  const spki = readPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `ni:///sha-256;${createHash('sha256').update(spki).digest('base64url')}`;
}

/** The SPKI PEM of the public half of a private key (PKCS#8, SEC1 or PKCS#1 PEM). */
export function publicKeyFromPrivatePem(privateKeyPem: string): string {
  const privateKey = readPrivateKey(privateKeyPem);
  return createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
}

/** Signs `data` with the algorithm's hash and padding; refuses a key that does not fit the algorithm. */
export function signPkix(data: Uint8Array, privateKeyPem: string, algorithm: string): Uint8Array {
  const canonical = normalizePkixAlgorithm(algorithm);
  const spec: AlgorithmSpec = SPECS[canonical];
  const key = readPrivateKey(privateKeyPem);
  assertKeyFits(key, canonical, spec);
  try {
    return new Uint8Array(sign(spec.hash, data, signOptions(key, spec)));
  } catch (cause) {
    throw new SigningError(
      'PKIX_SIGN_FAILED',
      `could not sign with ${canonical}: ${errorMessage(cause)}`,
      'check that the private key is a valid, unencrypted key for this algorithm',
      { cause },
    );
  }
}

/** Throws unless `signature` is a valid signature of `data` by the key, under the algorithm. */
export function verifyPkix(
  data: Uint8Array,
  signature: Uint8Array,
  publicKeyPem: string,
  algorithm: string,
): void {
  const canonical = normalizePkixAlgorithm(algorithm);
  const spec: AlgorithmSpec = SPECS[canonical];
  const key = readPublicKey(publicKeyPem);
  assertKeyFits(key, canonical, spec);
  if (!(data instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw badSignature(canonical, 'data and signature must be bytes');
  }
  let valid: boolean;
  try {
    valid = verify(spec.hash, data, verifyOptions(key, spec), signature);
  } catch (cause) {
    throw badSignature(canonical, `malformed signature (${errorMessage(cause)})`);
  }
  if (!valid) throw badSignature(canonical, 'the signature does not match the data and key');
}

function signOptions(key: KeyObject, spec: AlgorithmSpec) {
  if (spec.family === 'ecdsa') return { key, dsaEncoding: 'der' as const };
  if (spec.family === 'rsa-pkcs1') return { key, padding: constants.RSA_PKCS1_PADDING };
  return {
    key,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  };
}

function verifyOptions(key: KeyObject, spec: AlgorithmSpec) {
  if (spec.family !== 'rsa-pss') return signOptions(key, spec);
  // Signers choose the salt length (Cloud KMS: digest length; some tools: maximum): accept any.
  return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO };
}

function badSignature(algorithm: PkixAlgorithm, reason: string): SigningError {
  return new SigningError(
    'PKIX_BAD_SIGNATURE',
    `PKIX signature (${algorithm}) is not valid: ${reason}`,
    'sign the payload again with the private key that belongs to this public key, using this algorithm',
  );
}

function assertKeyFits(key: KeyObject, algorithm: PkixAlgorithm, spec: AlgorithmSpec): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      throw new SigningError(
        'PKIX_WEAK_KEY',
        `RSA key of ${bits} bits is too weak (minimum ${MIN_RSA_BITS})`,
        'generate an RSA key of at least 2048 bits (or an ECDSA P-256 key) and register it with the attestor',
      );
    }
    if (spec.family === 'ecdsa') throw mismatch(algorithm, `an RSA-${bits} key`);
    if (type === 'rsa-pss' && spec.family !== 'rsa-pss') throw mismatch(algorithm, 'an RSA-PSS-only key');
    if (type === 'rsa-pss' && details.hashAlgorithm && details.hashAlgorithm !== spec.hash) {
      throw mismatch(algorithm, `an RSA-PSS key restricted to ${details.hashAlgorithm}`);
    }
    if (bits !== spec.bits) throw mismatch(algorithm, `an RSA-${bits} key`);
    return;
  }
  if (type === 'ec') {
    const curve = details.namedCurve ?? 'unknown';
    const label = CURVE_LABEL[curve as EcSpec['curve']] ?? curve;
    if (spec.family !== 'ecdsa' || spec.curve !== curve) throw mismatch(algorithm, `an EC ${label} key`);
    return;
  }
  throw mismatch(algorithm, `a key of type ${type ?? 'unknown'}`);
}

function mismatch(algorithm: PkixAlgorithm, keyDescription: string): SigningError {
  return new SigningError(
    'PKIX_ALGORITHM_MISMATCH',
    `algorithm ${algorithm} cannot be used with ${keyDescription}`,
    'declare the algorithm that matches the key (type, curve and size), or use a key made for this algorithm',
  );
}

const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);
const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY']);

function readPublicKey(pem: string): KeyObject {
  const label = pemLabel(pem);
  if (label === undefined || !PUBLIC_LABELS.has(label)) {
    throw keyInvalid(
      `expected a PEM public key ("BEGIN PUBLIC KEY"), got ${label ? `"${label}"` : 'no PEM block'}`,
    );
  }
  try {
    return createPublicKey({ key: pem.trim(), format: 'pem' });
  } catch (cause) {
    throw keyInvalid(`cannot read the public key: ${errorMessage(cause)}`, cause);
  }
}

function readPrivateKey(pem: string): KeyObject {
  const label = pemLabel(pem);
  if (
    label === 'ENCRYPTED PRIVATE KEY' ||
    (typeof pem === 'string' && pem.includes('Proc-Type: 4,ENCRYPTED'))
  ) {
    throw keyInvalid(
      'the private key is encrypted',
      undefined,
      'decrypt it first, e.g. `openssl pkey -in key.pem -out plain.pem`',
    );
  }
  if (label === undefined || !PRIVATE_LABELS.has(label)) {
    throw keyInvalid(
      `expected a PEM private key (PKCS#8, SEC1 or PKCS#1), got ${label ? `"${label}"` : 'no PEM block'}`,
    );
  }
  try {
    return createPrivateKey({ key: pem.trim(), format: 'pem' });
  } catch (cause) {
    throw keyInvalid(`cannot read the private key: ${errorMessage(cause)}`, cause);
  }
}

/**
 * The label of the one PEM block `pem` must consist of. Like Kritis, refuses text before or after
 * the block, or a second block: what is verified must be exactly the key that was registered.
 */
function pemLabel(pem: unknown): string | undefined {
  if (typeof pem !== 'string') return undefined;
  const text = pem.trim();
  const label = /^-----BEGIN ([A-Z0-9 ]{1,40})-----\r?\n/.exec(text)?.[1];
  if (label === undefined) {
    if (text.includes('-----BEGIN ')) throw keyInvalid('there is text before the PEM block');
    return undefined;
  }
  const end = `-----END ${label}-----`;
  if (!text.endsWith(end) || text.indexOf('-----', text.indexOf('\n')) !== text.length - end.length) {
    throw keyInvalid('the PEM text must be exactly one block, with nothing after its END line');
  }
  return label;
}

function keyInvalid(reason: string, cause?: unknown, fix?: string): SigningError {
  return new SigningError(
    'PKIX_KEY_INVALID',
    `invalid PKIX key: ${reason}`,
    fix ?? 'supply the key as PEM, e.g. the output of `openssl pkey -in key.pem -pubout` for a public key',
    cause === undefined ? undefined : { cause },
  );
}
