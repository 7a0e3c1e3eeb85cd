/**
 * Verifications per second: Signet's OpenPGP and PKIX verifiers beside raw node:crypto verification
 * with the same key type, in the same run. Run: `pnpm --filter @signet/signing bench`.
 */
import { generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { generateKey } from 'openpgp';
import { buildPayload } from '../src/payload.js';
import { readPgpPublicKeys, signPgpAttached, verifyPgpAttached } from '../src/pgp/index.js';
import { signPkix, verifyPkix } from '../src/pkix.js';

const WARMUP_MS = 300;
const RUN_MS = 1500;

const payload = buildPayload(
  { name: 'registry.example/team/app', digest: `sha256:${'ab'.repeat(32)}` },
  { creator: 'signet bench v0.1.0 (https://example.com/signet)', timestamp: 1_795_000_000 },
);

/** Calls `op` in a loop for RUN_MS after a warm-up; returns operations per second. */
async function opsPerSecond(op: () => unknown): Promise<number> {
  const loop = async (ms: number) => {
    let count = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      await op();
      count++;
      elapsed = performance.now() - start;
    }
    return count / (elapsed / 1000);
  };
  await loop(WARMUP_MS);
  return loop(RUN_MS);
}

interface Row {
  name: string;
  signet: () => unknown;
  baselineName: string;
  baseline: () => unknown;
}

async function pgpRow(
  label: string,
  type: 'rsa' | 'ecc',
  raw: { name: string; op: () => unknown },
): Promise<Row> {
  const { privateKey, publicKey } = await generateKey({
    type,
    rsaBits: 2048,
    curve: 'ed25519Legacy',
    userIDs: [{ name: 'Bench', email: 'bench@example.com' }],
    subkeys: [],
  });
  const keys = await readPgpPublicKeys(publicKey);
  const { signature } = await signPgpAttached(payload, privateKey);
  await verifyPgpAttached(signature, keys); // must succeed before it is timed
  return {
    name: label,
    signet: () => verifyPgpAttached(signature, keys),
    baselineName: raw.name,
    baseline: raw.op,
  };
}

function rawVerifier(
  algorithm: string | null,
  keyPair: { privateKey: KeyObject; publicKey: KeyObject },
  options: object = {},
) {
  const signature = sign(algorithm, payload, { key: keyPair.privateKey, ...options });
  return () => {
    if (!verify(algorithm, payload, { key: keyPair.publicKey, ...options }, signature))
      throw new Error('bad');
  };
}

async function rows(): Promise<Row[]> {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecPrivatePem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const ecPublicPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const pkixSignature = signPkix(payload, ecPrivatePem, 'ECDSA_P256_SHA256');
  verifyPkix(payload, pkixSignature, ecPublicPem, 'ECDSA_P256_SHA256');
  return [
    await pgpRow('PGP RSA-2048 (verifyPgpAttached)', 'rsa', {
      name: 'node:crypto RSA-2048 PKCS1 SHA-256',
      op: rawVerifier('sha256', rsa),
    }),
    await pgpRow('PGP Ed25519 (verifyPgpAttached)', 'ecc', {
      name: 'node:crypto Ed25519',
      op: rawVerifier(null, ed),
    }),
    {
      name: 'PKIX ECDSA P-256 (verifyPkix)',
      signet: () => verifyPkix(payload, pkixSignature, ecPublicPem, 'ECDSA_P256_SHA256'),
      baselineName: 'node:crypto ECDSA P-256 SHA-256',
      baseline: rawVerifier('sha256', ec, { dsaEncoding: 'der' }),
    },
  ];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

const table: Record<string, string>[] = [];
console.log(`payload: ${payload.length} bytes; ${RUN_MS} ms per measurement after ${WARMUP_MS} ms warm-up`);
for (const row of await rows()) {
  const ours = await opsPerSecond(row.signet);
  const base = await opsPerSecond(row.baseline);
  table.push({
    verifier: row.name,
    'verifications/s': fmt(ours),
    baseline: row.baselineName,
    'baseline/s': fmt(base),
    'ours / baseline': (ours / base).toFixed(3),
  });
}
console.table(table);
