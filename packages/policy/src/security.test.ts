import { generateKeyPairSync, sign } from 'node:crypto';
import { buildPayload, signPkix } from '@signet/signing';
import { GpgHome } from '@signet/signing/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import type { Decision } from './decision-types.js';
import { collectNamespacePolicies } from './documents.js';
import type { AttestationEvidence } from './metadata.js';
import { parsePolicyResource } from './parse.js';
import type { AttestationAuthority, NamespacePolicies } from './resource-types.js';
import { MemoryMetadata } from './test-support/memory-metadata.js';
import { authority, DIGEST_A, DIGEST_B, gap, pgpAuthority, podRequest } from './test-support/resources.js';
import { type PgpSigner, pgpAttestation, pgpSigner, pkixSigner } from './test-support/signers.js';

const APP = 'gcr.io/team/app';
const NOTE = 'projects/attestors/notes/qa';
const URL_A = `https://${APP}@${DIGEST_A}`;
const IMAGE_A = `${APP}@${DIGEST_A}`;
let qa: PgpSigner;
let stranger: PgpSigner;

beforeAll(async () => {
  [qa, stranger] = await Promise.all([pgpSigner('qa'), pgpSigner('stranger')]);
});

function requiring(authorityResource: AttestationAuthority, patterns: string[] = []): NamespacePolicies {
  return {
    authorities: [authorityResource],
    genericAttestationPolicies: [
      gap('g', {
        attestationAuthorityNames: [authorityResource.metadata.name],
        ...(patterns.length
          ? { admissionAllowlistPatterns: patterns.map((namePattern) => ({ namePattern })) }
          : {}),
      }),
    ],
    imageSecurityPolicies: [],
    invalid: [],
  };
}

async function judge(
  evidence: AttestationEvidence | undefined,
  options: {
    image?: string;
    authority?: AttestationAuthority;
    now?: Date;
    url?: string;
    patterns?: string[];
  } = {},
): Promise<Decision> {
  const metadata = new MemoryMetadata();
  if (evidence) metadata.addAttestation(NOTE, options.url ?? URL_A, evidence);
  return decide({
    request: podRequest([options.image ?? IMAGE_A]),
    policies: requiring(options.authority ?? pgpAuthority('qa', qa.publicKeyBase64, NOTE), options.patterns),
    metadata,
    ...(options.now ? { now: options.now } : {}),
  });
}

function expectDenied(decision: Decision, reason: string | RegExp) {
  expect(decision.allowed).toBe(false);
  expect(decision.violations).toHaveLength(1);
  expect(decision.violations[0]!.reason).toMatch(reason);
}

describe('denied: signatures that do not prove this image', () => {
  it('a signature for another digest (replay)', async () => {
    const replay = await pgpAttestation(qa.privateKey, { name: APP, digest: DIGEST_B }, { noteName: NOTE });
    expectDenied(await judge(replay), `the signed payload is for digest ${DIGEST_B}, not ${DIGEST_A}`);
  });

  it('a signature for the same digest in another repository', async () => {
    const other = await pgpAttestation(
      qa.privateKey,
      { name: 'gcr.io/evil/app', digest: DIGEST_A },
      { noteName: NOTE },
    );
    expectDenied(
      await judge(other),
      'the signed payload names repository gcr.io/evil/app, not gcr.io/team/app',
    );
  });

  it('a signature by a key that is not the authority’s', async () => {
    const byStranger = await pgpAttestation(
      stranger.privateKey,
      { name: APP, digest: DIGEST_A },
      { noteName: NOTE },
    );
    expectDenied(
      await judge(byStranger),
      `it is signed by key ${stranger.fingerprint}, which is not one of AttestationAuthority qa's keys`,
    );
  });

  it('a stranger’s signature that claims the authority’s key id', async () => {
    const liar = await pgpAttestation(
      stranger.privateKey,
      { name: APP, digest: DIGEST_A },
      { noteName: NOTE, keyId: qa.fingerprint },
    );
    expectDenied(await judge(liar), /not among the trusted keys/);
  });

  it('a signature by a key of another authority in the same namespace', async () => {
    const strangerAuthority = pgpAuthority(
      'stranger',
      stranger.publicKeyBase64,
      'projects/attestors/notes/stranger',
    );
    const policies = requiring(pgpAuthority('qa', qa.publicKeyBase64, NOTE));
    policies.authorities.push(strangerAuthority);
    const metadata = new MemoryMetadata().addAttestation(
      NOTE,
      URL_A,
      await pgpAttestation(stranger.privateKey, { name: APP, digest: DIGEST_A }, { noteName: NOTE }),
    );
    const decision = await decide({ request: podRequest([IMAGE_A]), policies, metadata });
    expect(decision.allowed).toBe(false);
  });

  it('a PKIX signature whose id is unknown, or whose algorithm differs from the key’s', async () => {
    const signer = pkixSigner();
    const payload = buildPayload({ name: APP, digest: DIGEST_A });
    const evidence = (publicKeyId: string): AttestationEvidence => ({
      noteName: NOTE,
      signature: {
        form: 'generic',
        serializedPayload: payload,
        signatures: [
          { publicKeyId, signature: signPkix(payload, signer.privateKeyPem, 'ECDSA_P256_SHA256') },
        ],
      },
    });
    const withAlgorithm = (signatureAlgorithm: string) =>
      authority('qa', {
        noteReference: NOTE,
        publicKeys: [
          { keyType: 'PKIX', pkixPublicKey: { publicKeyPem: signer.publicKeyPem, signatureAlgorithm } },
        ],
      });
    expectDenied(
      await judge(evidence('ni:///sha-256;unknown'), { authority: withAlgorithm('ECDSA_P256_SHA256') }),
      /ni:\/\/\/sha-256;unknown, which is not one of/,
    );
    expectDenied(
      await judge(evidence(signer.keyId), { authority: withAlgorithm('ECDSA_P384_SHA384') }),
      /algorithm ECDSA_P384_SHA384 cannot be used with an EC P-256 key/,
    );
    expect(
      (await judge(evidence(signer.keyId), { authority: withAlgorithm('ECDSA_P256_SHA256') })).allowed,
    ).toBe(true);
  });

  it('an RSA key under 2048 bits', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const weak = authority('qa', {
      noteReference: NOTE,
      publicKeys: [
        {
          keyType: 'PKIX',
          keyId: 'urn:weak',
          pkixPublicKey: { publicKeyPem, signatureAlgorithm: 'RSA_SIGN_PKCS1_2048_SHA256' },
        },
      ],
    });
    const payload = buildPayload({ name: APP, digest: DIGEST_A });
    const evidence: AttestationEvidence = {
      noteName: NOTE,
      signature: {
        form: 'generic',
        serializedPayload: payload,
        signatures: [
          { publicKeyId: 'urn:weak', signature: new Uint8Array(sign('sha256', payload, privateKey)) },
        ],
      },
    };
    expectDenied(await judge(evidence, { authority: weak }), /RSA key of 1024 bits is too weak/);
  });

  it('a tampered payload', async () => {
    const signer = pkixSigner();
    const payload = buildPayload({ name: APP, digest: DIGEST_A });
    const signature = signPkix(payload, signer.privateKeyPem, signer.algorithm);
    const tampered = buildPayload({ name: APP, digest: DIGEST_A }, { creator: 'mallory' });
    const pkixAuthority = authority('qa', {
      noteReference: NOTE,
      publicKeys: [
        {
          keyType: 'PKIX',
          pkixPublicKey: { publicKeyPem: signer.publicKeyPem, signatureAlgorithm: signer.algorithm },
        },
      ],
    });
    const evidence: AttestationEvidence = {
      noteName: NOTE,
      signature: {
        form: 'generic',
        serializedPayload: tampered,
        signatures: [{ publicKeyId: signer.keyId, signature }],
      },
    };
    expectDenied(
      await judge(evidence, { authority: pkixAuthority }),
      /the signature does not match the data and key/,
    );
  });

  it('an attestation stored under another note', async () => {
    const elsewhere = await pgpAttestation(
      qa.privateKey,
      { name: APP, digest: DIGEST_A },
      { noteName: 'projects/x/notes/other' },
    );
    expectDenied(await judge(elsewhere), `no attestation by AttestationAuthority qa (note ${NOTE})`);
  });

  it('a tag-only image, even if a signature exists for its digest', async () => {
    const signed = await pgpAttestation(qa.privateKey, { name: APP, digest: DIGEST_A }, { noteName: NOTE });
    const decision = await judge(signed, { image: `${APP}:latest` });
    expect(decision.violations.map((v) => [v.code, v.fix])).toEqual([
      [
        'NOT_PINNED',
        `pin it by digest: ${APP}@sha256:<digest> (\`crane digest ${APP}:latest\` prints it), or let Signet's resolve hook pin it at admission (the MutatingWebhookConfiguration signet-resolve, signet-webhook --resolve-tags pods)`,
      ],
    ]);
  });
});

describe('denied: keys that are not good now (real GnuPG)', () => {
  let gpg: GpgHome;
  beforeAll(() => {
    gpg = new GpgHome();
  });
  afterAll(() => gpg.close());

  function gpgAuthority(fingerprint: string) {
    return authority('qa', {
      noteReference: NOTE,
      publicKeys: [
        { keyType: 'PGP', keyId: fingerprint, asciiArmoredPgpPublicKey: gpg.publicKeyBase64(fingerprint) },
      ],
    });
  }
  const evidenceBy = (fingerprint: string, extra: string[] = []): AttestationEvidence => ({
    noteName: NOTE,
    signature: {
      form: 'pgp',
      signature: gpg.signAttached(fingerprint, buildPayload({ name: APP, digest: DIGEST_A }), extra),
      keyId: fingerprint,
    },
  });

  it('a key that has expired since it signed', async () => {
    const fingerprint = gpg.generate('Expiring <expiring@example.com>', 'ed25519', 'sign', '1d');
    const evidence = evidenceBy(fingerprint);
    expect((await judge(evidence, { authority: gpgAuthority(fingerprint) })).allowed).toBe(true);
    const later = new Date(Date.now() + 3 * 24 * 3600 * 1000);
    expectDenied(
      await judge(evidence, { authority: gpgAuthority(fingerprint), now: later }),
      new RegExp(`key ${fingerprint} expired on .* \\(now\\)`),
    );
  });

  it('an expired signature', async () => {
    const fingerprint = gpg.generate('Short <short@example.com>');
    const evidence = evidenceBy(fingerprint, ['--default-sig-expire', '1d']);
    expect((await judge(evidence, { authority: gpgAuthority(fingerprint) })).allowed).toBe(true);
    const later = new Date(Date.now() + 3 * 24 * 3600 * 1000);
    expectDenied(
      await judge(evidence, { authority: gpgAuthority(fingerprint), now: later }),
      /the signature expired on/,
    );
  });

  it('a revoked key', async () => {
    const fingerprint = gpg.generate('Revoked <revoked@example.com>');
    const evidence = evidenceBy(fingerprint);
    expect((await judge(evidence, { authority: gpgAuthority(fingerprint) })).allowed).toBe(true);
    gpg.revoke(fingerprint);
    expectDenied(
      await judge(evidence, { authority: gpgAuthority(fingerprint) }),
      new RegExp(`key ${fingerprint} is revoked`),
    );
  });

  it('a SHA-1 signature', async () => {
    const fingerprint = gpg.generate('Sha1 <sha1@example.com>', 'rsa3072');
    expectDenied(
      await judge(evidenceBy(fingerprint, ['--digest-algo', 'SHA1']), {
        authority: gpgAuthority(fingerprint),
      }),
      /SHA1 digest, which is refused/,
    );
  });
});

describe('denied: allowlist bypass attempts', () => {
  it.each([
    `gcr.io/p/a/b@${DIGEST_A}`,
    `gcr.io/p.evil.com/x@${DIGEST_A}`,
    `gcr.io/p/../x@${DIGEST_A}`,
    'gcr.io/p/a/b:latest',
  ])('`gcr.io/p/*` does not admit %s', async (image) => {
    const decision = await judge(undefined, { image, patterns: ['gcr.io/p/*'] });
    expect(decision.allowed).toBe(false);
  });

  it('`gcr.io/p/*` admits gcr.io/p/a', async () => {
    expect((await judge(undefined, { image: 'gcr.io/p/a:latest', patterns: ['gcr.io/p/*'] })).allowed).toBe(
      true,
    );
  });
});

describe('denied: a policy that fails validation', () => {
  it('fails its namespace closed', async () => {
    const results = [
      parsePolicyResource({
        apiVersion: 'kritis.grafeas.io/v1beta1',
        kind: 'AttestationAuthority',
        metadata: { name: 'qa', namespace: 'default' },
        spec: { noteReference: NOTE, publicKeyData: qa.publicKeyBase64 },
      }),
      parsePolicyResource({
        apiVersion: 'kritis.grafeas.io/v1beta1',
        kind: 'GenericAttestationPolicy',
        metadata: { name: 'typo', namespace: 'default' },
        spec: { attestationAuthorityName: ['qa'] },
      }),
    ];
    const policies = collectNamespacePolicies(results, 'default');
    expect(policies.invalid.map((i) => i.name)).toEqual(['typo']);
    const metadata = new MemoryMetadata().addAttestation(
      NOTE,
      URL_A,
      await pgpAttestation(qa.privateKey, { name: APP, digest: DIGEST_A }, { noteName: NOTE }),
    );
    const decision = await decide({ request: podRequest([IMAGE_A]), policies, metadata });
    expect(decision.allowed).toBe(false);
    expect(decision.violations.map((v) => [v.policy, v.code])).toEqual([
      ['GenericAttestationPolicy default/typo', 'POLICY_INVALID'],
    ]);
    expect(decision.violations[0]!.reason).toContain(
      'spec.attestationAuthorityNames is required but missing',
    );
    expect(decision.violations[0]!.fix).toContain(
      'spec.attestationAuthorityName: did you mean attestationAuthorityNames?',
    );
  });
});
