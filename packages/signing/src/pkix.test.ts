import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, generateKeyPair, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  normalizePkixAlgorithm,
  PKIX_ALGORITHMS,
  type PkixAlgorithm,
  pkixHash,
  pkixKeyId,
  publicKeyFromPrivatePem,
  signPkix,
  verifyPkix,
} from './pkix.js';
import { SigningError } from './signing-error.js';
import {
  KRITIS_EXTRA_DATA_KEY,
  KRITIS_PAYLOAD,
  KRITIS_PUBLIC_KEYS,
  KRITIS_SIGNATURES,
} from './test-support/kritis-pkix-vectors.js';

const generate = promisify(generateKeyPair);
const KRITIS_SIGNER = join(process.env.SIGNET_TESTDATA ?? '', 'kritis', 'integration', 'signer');
const data = new TextEncoder().encode('good payload');

interface Pair {
  privateKey: string;
  publicKey: string;
}
type KeyName = 'rsa2048' | 'rsa3072' | 'rsa4096' | 'p256' | 'p384' | 'p521' | 'rsa1024' | 'ed25519';
const keys = {} as Record<KeyName, Pair>;

const pem = {
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
} as const;

const KEY_FOR: Record<PkixAlgorithm, KeyName> = {
  RSA_PSS_2048_SHA256: 'rsa2048',
  RSA_PSS_3072_SHA256: 'rsa3072',
  RSA_PSS_4096_SHA256: 'rsa4096',
  RSA_PSS_4096_SHA512: 'rsa4096',
  RSA_SIGN_PKCS1_2048_SHA256: 'rsa2048',
  RSA_SIGN_PKCS1_3072_SHA256: 'rsa3072',
  RSA_SIGN_PKCS1_4096_SHA256: 'rsa4096',
  RSA_SIGN_PKCS1_4096_SHA512: 'rsa4096',
  ECDSA_P256_SHA256: 'p256',
  ECDSA_P384_SHA384: 'p384',
  ECDSA_P521_SHA512: 'p521',
};

const HASH_OF = (alg: PkixAlgorithm) =>
  alg.endsWith('SHA512') ? 'sha512' : alg.endsWith('SHA384') ? 'sha384' : 'sha256';

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-pkix-'));
  const [rsa2048, rsa3072, rsa4096, p256, p384, p521, rsa1024, ed25519] = await Promise.all([
    generate('rsa', { modulusLength: 2048, ...pem }),
    generate('rsa', { modulusLength: 3072, ...pem }),
    generate('rsa', { modulusLength: 4096, ...pem }),
    generate('ec', { namedCurve: 'P-256', ...pem }),
    generate('ec', { namedCurve: 'P-384', ...pem }),
    generate('ec', { namedCurve: 'P-521', ...pem }),
    generate('rsa', { modulusLength: 1024, ...pem }),
    generate('ed25519', pem),
  ]);
  Object.assign(keys, { rsa2048, rsa3072, rsa4096, p256, p384, p521, rsa1024, ed25519 });
  for (const [name, pair] of Object.entries(keys)) {
    writeFileSync(join(dir, `${name}.key.pem`), pair.privateKey);
    writeFileSync(join(dir, `${name}.pub.pem`), pair.publicKey);
  }
  writeFileSync(join(dir, 'data'), data);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof SigningError) return error.code;
    throw error;
  }
  return 'NO_ERROR';
}

const ALL_ENUM_NAMES: Array<[string, PkixAlgorithm]> = [
  ['RSA_PSS_2048_SHA256', 'RSA_PSS_2048_SHA256'],
  ['RSA_SIGN_PSS_2048_SHA256', 'RSA_PSS_2048_SHA256'],
  ['RSA_PSS_3072_SHA256', 'RSA_PSS_3072_SHA256'],
  ['RSA_SIGN_PSS_3072_SHA256', 'RSA_PSS_3072_SHA256'],
  ['RSA_PSS_4096_SHA256', 'RSA_PSS_4096_SHA256'],
  ['RSA_SIGN_PSS_4096_SHA256', 'RSA_PSS_4096_SHA256'],
  ['RSA_PSS_4096_SHA512', 'RSA_PSS_4096_SHA512'],
  ['RSA_SIGN_PSS_4096_SHA512', 'RSA_PSS_4096_SHA512'],
  ['RSA_SIGN_PKCS1_2048_SHA256', 'RSA_SIGN_PKCS1_2048_SHA256'],
  ['RSA_SIGN_PKCS1_3072_SHA256', 'RSA_SIGN_PKCS1_3072_SHA256'],
  ['RSA_SIGN_PKCS1_4096_SHA256', 'RSA_SIGN_PKCS1_4096_SHA256'],
  ['RSA_SIGN_PKCS1_4096_SHA512', 'RSA_SIGN_PKCS1_4096_SHA512'],
  ['ECDSA_P256_SHA256', 'ECDSA_P256_SHA256'],
  ['EC_SIGN_P256_SHA256', 'ECDSA_P256_SHA256'],
  ['ECDSA_P384_SHA384', 'ECDSA_P384_SHA384'],
  ['EC_SIGN_P384_SHA384', 'ECDSA_P384_SHA384'],
  ['ECDSA_P521_SHA512', 'ECDSA_P521_SHA512'],
  ['EC_SIGN_P521_SHA512', 'ECDSA_P521_SHA512'],
];

describe('normalizePkixAlgorithm', () => {
  it.each(ALL_ENUM_NAMES)('%s → %s', (name, canonical) => {
    expect(normalizePkixAlgorithm(name)).toBe(canonical);
  });

  it('lists the eleven canonical algorithms', () => {
    expect(new Set(ALL_ENUM_NAMES.map(([, c]) => c))).toEqual(new Set(PKIX_ALGORITHMS));
    expect(PKIX_ALGORITHMS).toHaveLength(11);
  });

  it.each([
    'SIGNATURE_ALGORITHM_UNSPECIFIED',
    'ecdsa_p256_sha256',
    'RSA_PSS_1024_SHA256',
    '',
    'toString',
    '__proto__',
  ])('refuses %j, listing the valid names', (name) => {
    try {
      normalizePkixAlgorithm(name);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SigningError);
      expect((error as SigningError).code).toBe('PKIX_UNKNOWN_ALGORITHM');
      expect((error as SigningError).fix).toContain('ECDSA_P256_SHA256');
      expect((error as SigningError).fix).toContain('RSA_SIGN_PSS_4096_SHA512');
    }
  });
});

describe('sign and verify round trip', () => {
  it.each(ALL_ENUM_NAMES)('%s', (name, canonical) => {
    const pair = keys[KEY_FOR[canonical]];
    const signature = signPkix(data, pair.privateKey, name);
    expect(() => verifyPkix(data, signature, pair.publicKey, name)).not.toThrow();
    expect(() => verifyPkix(data, signature, pair.publicKey, canonical)).not.toThrow();
    const other = new TextEncoder().encode('good payload!');
    expect(codeOf(() => verifyPkix(other, signature, pair.publicKey, name))).toBe('PKIX_BAD_SIGNATURE');
    const flipped = signature.slice();
    flipped[flipped.length >> 1] = (flipped[flipped.length >> 1] ?? 0) ^ 0x01;
    expect(codeOf(() => verifyPkix(data, flipped, pair.publicKey, name))).toBe('PKIX_BAD_SIGNATURE');
  });

  it('ECDSA signatures are DER SEQUENCE{r,s}', () => {
    const signature = signPkix(data, keys.p256.privateKey, 'ECDSA_P256_SHA256');
    expect(signature[0]).toBe(0x30);
    expect(signature[1]).toBe(signature.length - 2);
  });

  it('refuses ECDSA signatures in raw r||s (JOSE) encoding', () => {
    const raw = sign('sha256', data, { key: keys.p256.privateKey, dsaEncoding: 'ieee-p1363' });
    expect(codeOf(() => verifyPkix(data, raw, keys.p256.publicKey, 'ECDSA_P256_SHA256'))).toBe(
      'PKIX_BAD_SIGNATURE',
    );
  });

  it('a PKCS#1 v1.5 signature does not pass as PSS, nor the reverse', () => {
    const pkcs1 = signPkix(data, keys.rsa2048.privateKey, 'RSA_SIGN_PKCS1_2048_SHA256');
    const pss = signPkix(data, keys.rsa2048.privateKey, 'RSA_PSS_2048_SHA256');
    expect(codeOf(() => verifyPkix(data, pkcs1, keys.rsa2048.publicKey, 'RSA_PSS_2048_SHA256'))).toBe(
      'PKIX_BAD_SIGNATURE',
    );
    expect(codeOf(() => verifyPkix(data, pss, keys.rsa2048.publicKey, 'RSA_SIGN_PKCS1_2048_SHA256'))).toBe(
      'PKIX_BAD_SIGNATURE',
    );
  });

  it('a signature by another key of the same kind is bad', () => {
    const kritisKey = readFileSync(join(KRITIS_SIGNER, 'ec_private.pem'), 'utf8');
    const signature = signPkix(data, kritisKey, 'ECDSA_P256_SHA256');
    expect(codeOf(() => verifyPkix(data, signature, keys.p256.publicKey, 'ECDSA_P256_SHA256'))).toBe(
      'PKIX_BAD_SIGNATURE',
    );
  });
});

describe('Kritis attestlib vectors (Go crypto signatures)', () => {
  const payload = new TextEncoder().encode(KRITIS_PAYLOAD);
  it.each(KRITIS_SIGNATURES.map((v) => [v.algorithm, v] as const))('%s verifies', (_, vector) => {
    const signature = new Uint8Array(Buffer.from(vector.signature, 'base64url'));
    expect(() =>
      verifyPkix(payload, signature, KRITIS_PUBLIC_KEYS[vector.key], vector.algorithm),
    ).not.toThrow();
    expect(
      codeOf(() => verifyPkix(data.subarray(1), signature, KRITIS_PUBLIC_KEYS[vector.key], vector.algorithm)),
    ).toBe('PKIX_BAD_SIGNATURE');
  });

  it('a public key followed by extra text is refused, as Kritis does', () => {
    const vector = KRITIS_SIGNATURES[0];
    if (!vector) throw new Error('no vector');
    const signature = new Uint8Array(Buffer.from(vector.signature, 'base64url'));
    expect(codeOf(() => verifyPkix(payload, signature, KRITIS_EXTRA_DATA_KEY, vector.algorithm))).toBe(
      'PKIX_KEY_INVALID',
    );
    expect(codeOf(() => verifyPkix(payload, signature, 'malformed key', vector.algorithm))).toBe(
      'PKIX_KEY_INVALID',
    );
  });

  it('two PEM blocks, or text before the block, are refused', () => {
    const two = `${KRITIS_PUBLIC_KEYS.P256}${KRITIS_PUBLIC_KEYS.P384}`;
    expect(codeOf(() => pkixKeyId(two))).toBe('PKIX_KEY_INVALID');
    expect(codeOf(() => pkixKeyId(`comment\n${KRITIS_PUBLIC_KEYS.P256}`))).toBe('PKIX_KEY_INVALID');
    expect(pkixKeyId(`\n  ${KRITIS_PUBLIC_KEYS.P256}\n\n`)).toBe(pkixKeyId(KRITIS_PUBLIC_KEYS.P256));
  });
});

describe('Kritis signer keys', () => {
  const pub = () => readFileSync(join(KRITIS_SIGNER, 'ec_public.pem'), 'utf8');

  it.each(['ec_private.pem', 'ec_private_p8.pem'])('%s signs and ec_public.pem verifies', (file) => {
    const privateKey = readFileSync(join(KRITIS_SIGNER, file), 'utf8');
    const signature = signPkix(data, privateKey, 'EC_SIGN_P256_SHA256');
    expect(() => verifyPkix(data, signature, pub(), 'ECDSA_P256_SHA256')).not.toThrow();
    expect(publicKeyFromPrivatePem(privateKey)).toBe(createSpkiPem(pub()));
  });

  it('the SEC1 key refuses P-384', () => {
    const privateKey = readFileSync(join(KRITIS_SIGNER, 'ec_private.pem'), 'utf8');
    expect(codeOf(() => signPkix(data, privateKey, 'ECDSA_P384_SHA384'))).toBe('PKIX_ALGORITHM_MISMATCH');
  });

  it('accepts a PKCS#1 RSA private key', () => {
    const pkcs1 = execFileSync('openssl', ['rsa', '-in', join(dir, 'rsa2048.key.pem'), '-traditional'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    const signature = signPkix(data, pkcs1, 'RSA_SIGN_PKCS1_2048_SHA256');
    expect(() =>
      verifyPkix(data, signature, keys.rsa2048.publicKey, 'RSA_SIGN_PKCS1_2048_SHA256'),
    ).not.toThrow();
  });
});

function createSpkiPem(publicPem: string): string {
  return execFileSync('openssl', ['pkey', '-pubin', '-pubout'], { input: publicPem }).toString();
}

describe('key ids', () => {
  it.each(['p256', 'rsa2048', 'p521'] as const)(
    '%s: ni:///sha-256; + base64url(SHA-256(DER SPKI)) as openssl computes it',
    (name) => {
      const der = execFileSync('openssl', [
        'pkey',
        '-pubin',
        '-in',
        join(dir, `${name}.pub.pem`),
        '-outform',
        'DER',
      ]);
      const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der });
      const expected = `ni:///sha-256;${digest.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
      expect(pkixKeyId(keys[name].publicKey)).toBe(expected);
    },
  );

  it('Kritis ec_public.pem has a fixed id', () => {
    const pub = readFileSync(join(KRITIS_SIGNER, 'ec_public.pem'), 'utf8');
    expect(pkixKeyId(pub)).toBe('ni:///sha-256;9g6kOJ83hhsuXwr3CTbUECTGGIcfboOrdA0bDej_0Io');
  });

  it('a PKCS#1 "RSA PUBLIC KEY" gives the same id as its SPKI form', () => {
    const pkcs1 = execFileSync(
      'openssl',
      ['rsa', '-pubin', '-in', join(dir, 'rsa2048.pub.pem'), '-RSAPublicKey_out'],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).toString();
    expect(pkcs1).toContain('BEGIN RSA PUBLIC KEY');
    expect(pkixKeyId(pkcs1)).toBe(pkixKeyId(keys.rsa2048.publicKey));
  });

  it('matches a hand computation', () => {
    const der = Buffer.from(
      keys.p384.publicKey.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''),
      'base64',
    );
    expect(pkixKeyId(keys.p384.publicKey)).toBe(
      `ni:///sha-256;${createHash('sha256').update(der).digest('base64url')}`,
    );
  });
});

function opensslSignArgs(alg: PkixAlgorithm, keyFile: string, sigFile: string, pssSalt = 'digest'): string[] {
  const args = ['dgst', `-${HASH_OF(alg)}`, '-sign', keyFile, '-out', sigFile];
  if (alg.startsWith('RSA_PSS'))
    args.push('-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${pssSalt}`);
  return [...args, join(dir, 'data')];
}

describe('openssl interop', () => {
  it.each([...PKIX_ALGORITHMS])('openssl signs, %s verifies', (alg) => {
    const sigFile = join(dir, `${alg}.openssl.sig`);
    execFileSync('openssl', opensslSignArgs(alg, join(dir, `${KEY_FOR[alg]}.key.pem`), sigFile));
    const signature = new Uint8Array(readFileSync(sigFile));
    expect(() => verifyPkix(data, signature, keys[KEY_FOR[alg]].publicKey, alg)).not.toThrow();
  });

  it('PSS verification accepts a maximum salt length (auto)', () => {
    const sigFile = join(dir, 'pss-max.sig');
    execFileSync(
      'openssl',
      opensslSignArgs('RSA_PSS_2048_SHA256', join(dir, 'rsa2048.key.pem'), sigFile, 'max'),
    );
    expect(() =>
      verifyPkix(data, new Uint8Array(readFileSync(sigFile)), keys.rsa2048.publicKey, 'RSA_PSS_2048_SHA256'),
    ).not.toThrow();
  });

  it.each([...PKIX_ALGORITHMS])('%s signs, openssl dgst -verify says Verified OK', (alg) => {
    const sigFile = join(dir, `${alg}.signet.sig`);
    writeFileSync(sigFile, signPkix(data, keys[KEY_FOR[alg]].privateKey, alg));
    const args = [
      'dgst',
      `-${HASH_OF(alg)}`,
      '-verify',
      join(dir, `${KEY_FOR[alg]}.pub.pem`),
      '-signature',
      sigFile,
    ];
    if (alg.startsWith('RSA_PSS'))
      args.push('-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest');
    const result = spawnSync('openssl', [...args, join(dir, 'data')], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('Verified OK');
  });

  it('openssl rejects a Signet signature over other data (the check can fail)', () => {
    const sigFile = join(dir, 'other.sig');
    writeFileSync(
      sigFile,
      signPkix(new TextEncoder().encode('other'), keys.p256.privateKey, 'ECDSA_P256_SHA256'),
    );
    const result = spawnSync(
      'openssl',
      ['dgst', '-sha256', '-verify', join(dir, 'p256.pub.pem'), '-signature', sigFile, join(dir, 'data')],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stdout.trim()).toBe('Verification failure');
  });
});

describe('key refusals', () => {
  it.each<[KeyName, string]>([
    ['p384', 'ECDSA_P256_SHA256'],
    ['p256', 'EC_SIGN_P521_SHA512'],
    ['rsa2048', 'RSA_SIGN_PKCS1_4096_SHA512'],
    ['rsa4096', 'RSA_PSS_2048_SHA256'],
    ['rsa3072', 'RSA_SIGN_PKCS1_2048_SHA256'],
    ['p256', 'RSA_SIGN_PKCS1_2048_SHA256'],
    ['rsa2048', 'ECDSA_P256_SHA256'],
    ['ed25519', 'ECDSA_P256_SHA256'],
    ['ed25519', 'RSA_PSS_2048_SHA256'],
  ])('%s key with %s → PKIX_ALGORITHM_MISMATCH (sign and verify)', (key, alg) => {
    expect(codeOf(() => signPkix(data, keys[key].privateKey, alg))).toBe('PKIX_ALGORITHM_MISMATCH');
    expect(codeOf(() => verifyPkix(data, new Uint8Array(64), keys[key].publicKey, alg))).toBe(
      'PKIX_ALGORITHM_MISMATCH',
    );
  });

  it.each(['RSA_SIGN_PKCS1_2048_SHA256', 'RSA_PSS_2048_SHA256', 'ECDSA_P256_SHA256'])(
    'an RSA-1024 key is weak under %s',
    (alg) => {
      expect(codeOf(() => signPkix(data, keys.rsa1024.privateKey, alg))).toBe('PKIX_WEAK_KEY');
      expect(codeOf(() => verifyPkix(data, new Uint8Array(128), keys.rsa1024.publicKey, alg))).toBe(
        'PKIX_WEAK_KEY',
      );
    },
  );

  it('a mismatch message names the key and algorithm', () => {
    try {
      signPkix(data, keys.p384.privateKey, 'ECDSA_P256_SHA256');
      expect.unreachable();
    } catch (error) {
      expect((error as SigningError).message).toBe(
        'algorithm ECDSA_P256_SHA256 cannot be used with an EC P-384 key',
      );
    }
  });
});

describe('malformed keys', () => {
  const bad: Array<[string, () => string]> = [
    ['empty', () => ''],
    ['garbage', () => 'not a key'],
    ['truncated body', () => `${keys.p256.publicKey.slice(0, 60)}\n-----END PUBLIC KEY-----\n`],
    ['label only', () => '-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n'],
    ['a certificate label', () => keys.p256.publicKey.replace(/PUBLIC KEY/g, 'CERTIFICATE')],
  ];

  it.each(bad)('public key: %s → PKIX_KEY_INVALID', (_, make) => {
    expect(codeOf(() => pkixKeyId(make()))).toBe('PKIX_KEY_INVALID');
    expect(codeOf(() => verifyPkix(data, new Uint8Array(64), make(), 'ECDSA_P256_SHA256'))).toBe(
      'PKIX_KEY_INVALID',
    );
  });

  it('a private key is not accepted where a public key is expected, nor the reverse', () => {
    expect(
      codeOf(() => verifyPkix(data, new Uint8Array(64), keys.p256.privateKey, 'ECDSA_P256_SHA256')),
    ).toBe('PKIX_KEY_INVALID');
    expect(codeOf(() => signPkix(data, keys.p256.publicKey, 'ECDSA_P256_SHA256'))).toBe('PKIX_KEY_INVALID');
    expect(codeOf(() => publicKeyFromPrivatePem(keys.p256.publicKey))).toBe('PKIX_KEY_INVALID');
  });

  it('an encrypted private key → PKIX_KEY_INVALID with a fix', () => {
    const encrypted = execFileSync('openssl', [
      'pkcs8',
      '-topk8',
      '-in',
      join(dir, 'p256.key.pem'),
      '-passout',
      'pass:secret',
    ]).toString();
    expect(encrypted).toContain('ENCRYPTED PRIVATE KEY');
    try {
      signPkix(data, encrypted, 'ECDSA_P256_SHA256');
      expect.unreachable();
    } catch (error) {
      expect((error as SigningError).code).toBe('PKIX_KEY_INVALID');
      expect((error as SigningError).fix).toContain('openssl pkey');
    }
  });

  it('a legacy encrypted PEM (Proc-Type: 4,ENCRYPTED) → PKIX_KEY_INVALID', () => {
    const legacy = execFileSync(
      'openssl',
      ['rsa', '-in', join(dir, 'rsa2048.key.pem'), '-aes128', '-traditional', '-passout', 'pass:secret'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    ).toString();
    expect(legacy).toContain('Proc-Type: 4,ENCRYPTED');
    expect(codeOf(() => signPkix(data, legacy, 'RSA_SIGN_PKCS1_2048_SHA256'))).toBe('PKIX_KEY_INVALID');
  });

  it('non-string keys → PKIX_KEY_INVALID', () => {
    expect(codeOf(() => pkixKeyId(42 as unknown as string))).toBe('PKIX_KEY_INVALID');
    expect(codeOf(() => signPkix(data, undefined as unknown as string, 'ECDSA_P256_SHA256'))).toBe(
      'PKIX_KEY_INVALID',
    );
  });
});

describe('fuzz', () => {
  it('random signature bytes are only ever PKIX_BAD_SIGNATURE', () => {
    const algs: PkixAlgorithm[] = [
      'ECDSA_P256_SHA256',
      'ECDSA_P521_SHA512',
      'RSA_SIGN_PKCS1_2048_SHA256',
      'RSA_PSS_2048_SHA256',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...algs), fc.uint8Array({ maxLength: 600 }), (alg, signature) => {
        expect(codeOf(() => verifyPkix(data, signature, keys[KEY_FOR[alg]].publicKey, alg))).toBe(
          'PKIX_BAD_SIGNATURE',
        );
      }),
      { numRuns: 200 },
    );
  });

  it('mutated PEMs give a key or a SigningError, never another exception', () => {
    const sources = [
      keys.p256.publicKey,
      keys.rsa2048.publicKey,
      keys.p256.privateKey,
      keys.rsa2048.privateKey,
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...sources),
        fc.nat(),
        fc.string({ minLength: 0, maxLength: 3 }),
        fc.nat({ max: 4 }),
        (source, at, insert, remove) => {
          const i = at % source.length;
          const mutated = source.slice(0, i) + insert + source.slice(i + remove);
          for (const attempt of [
            () => pkixKeyId(mutated),
            () => publicKeyFromPrivatePem(mutated),
            () => verifyPkix(data, new Uint8Array(70), mutated, 'ECDSA_P256_SHA256'),
            () => signPkix(data, mutated, 'RSA_SIGN_PKCS1_2048_SHA256'),
          ]) {
            try {
              attempt();
            } catch (error) {
              expect(error).toBeInstanceOf(SigningError);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('pkixHash: the digest a Cloud KMS key version signs', () => {
  it.each([
    ['EC_SIGN_P256_SHA256', 'sha256'],
    ['EC_SIGN_P384_SHA384', 'sha384'],
    ['EC_SIGN_P521_SHA512', 'sha512'],
    ['RSA_SIGN_PSS_2048_SHA256', 'sha256'],
    ['RSA_SIGN_PSS_4096_SHA512', 'sha512'],
    ['RSA_SIGN_PKCS1_3072_SHA256', 'sha256'],
    ['RSA_SIGN_PKCS1_4096_SHA512', 'sha512'],
  ])('%s hashes with %s', (algorithm, hash) => {
    expect(pkixHash(algorithm)).toBe(hash);
  });

  it('an algorithm outside the Binary Authorization list is refused', () => {
    expect(() => pkixHash('EC_SIGN_SECP256K1_SHA256')).toThrow(/unknown PKIX signature algorithm/);
  });
});
