import { constants, createECDH, createHash, type KeyObject, privateEncrypt, randomBytes } from 'node:crypto';

/**
 * Signs a digest that was computed elsewhere, as Cloud KMS `asymmetricSign` does. node:crypto only
 * signs messages (it hashes them itself), so the padding (PKCS#1 v1.5, PSS) is built here and the
 * private-key operation done by `privateEncrypt`, and ECDSA's k·G is computed by ECDH.
 */
export function signDigest(key: KeyObject, algorithm: string, digest: Uint8Array): Uint8Array {
  const hash = algorithm.endsWith('SHA512') ? 'sha512' : algorithm.endsWith('SHA384') ? 'sha384' : 'sha256';
  if (algorithm.startsWith('EC_SIGN_')) return ecdsaSignDigest(key, digest);
  if (algorithm.startsWith('RSA_SIGN_PKCS1_')) {
    const info = Buffer.concat([Buffer.from(DIGEST_INFO[hash], 'hex'), digest]);
    return new Uint8Array(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, info));
  }
  if (algorithm.startsWith('RSA_SIGN_PSS_')) {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    const encoded = pssEncode(digest, hash, bits - 1);
    const block = Buffer.concat([Buffer.alloc(Math.ceil(bits / 8) - encoded.length), encoded]);
    return new Uint8Array(privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, block));
  }
  throw new Error(`the Cloud KMS stub cannot sign with ${algorithm}`);
}

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
} as const;

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with MGF1 over the same hash and a salt as long as the digest. */
function pssEncode(mHash: Uint8Array, hash: keyof typeof DIGEST_INFO, emBits: number): Buffer {
  const hLen = mHash.length;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
  const mask = mgf1(h, emLen - hLen - 1, hash);
  for (let i = 0; i < db.length; i += 1) db[i] = (db[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits));
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

function mgf1(seed: Buffer, length: number, hash: string): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * seed.length < length; counter += 1) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

const CURVE_ORDERS: Record<string, bigint> = {
  prime256v1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1:
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  secp521r1:
    0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
};

/** ECDSA (SEC 1 §4.1.3) over a given digest; the signature DER-encoded, as Cloud KMS returns it. */
function ecdsaSignDigest(key: KeyObject, digest: Uint8Array): Uint8Array {
  const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
  const n = CURVE_ORDERS[curve];
  if (n === undefined) throw new Error(`the Cloud KMS stub knows no order for curve ${curve}`);
  const d = toBigInt(Buffer.from(key.export({ format: 'jwk' }).d ?? '', 'base64url'));
  const size = Math.ceil(n.toString(2).length / 8);
  const excessBits = digest.length * 8 - n.toString(2).length;
  const z = excessBits > 0 ? toBigInt(digest) >> BigInt(excessBits) : toBigInt(digest);
  for (;;) {
    const k = (toBigInt(randomBytes(size + 8)) % (n - 1n)) + 1n;
    const ecdh = createECDH(curve);
    ecdh.setPrivateKey(Buffer.from(k.toString(16).padStart(size * 2, '0'), 'hex'));
    const point = ecdh.getPublicKey();
    const r = toBigInt(point.subarray(1, 1 + (point.length - 1) / 2)) % n;
    const s = (modPow(k, n - 2n, n) * ((z + r * d) % n)) % n;
    if (r !== 0n && s !== 0n) return derSequence([derInteger(r), derInteger(s)]);
  }
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

function derLength(length: number): Buffer {
  return length < 0x80 ? Buffer.from([length]) : Buffer.from([0x81, length]);
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02]), derLength(bytes.length), bytes]);
}

function derSequence(parts: Buffer[]): Uint8Array {
  const body = Buffer.concat(parts);
  return new Uint8Array(Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]));
}
