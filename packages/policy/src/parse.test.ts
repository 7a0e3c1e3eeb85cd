import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseAttestationAuthority,
  parseClusterSettings,
  parseGenericAttestationPolicy,
  parseImageSecurityPolicy,
  parsePolicyResource,
  parseVulnzSigningPolicy,
} from './parse.js';
import { recordedKeyData, SLSA_V1 } from './test-support/cosign.js';
import { pgpSigner, pkixSigner } from './test-support/signers.js';

const API = 'kritis.grafeas.io/v1beta1';
const doc = (kind: string, spec: unknown, name = 'x', namespace = 'team') => ({
  apiVersion: API,
  kind,
  metadata: { name, namespace },
  spec,
});

function issuesOf(result: { ok: boolean } & ({ ok: true } | { ok: false; invalid: { issues: unknown[] } })) {
  if (result.ok) throw new Error('expected a failure');
  return result.invalid.issues;
}

describe('AttestationAuthority', () => {
  it('reads the guide form: noteReference projects/P and publicKeyData', async () => {
    const signer = await pgpSigner('guide');
    const result = parseAttestationAuthority(
      doc(
        'AttestationAuthority',
        { noteReference: 'projects/image-attestor', publicKeyData: signer.publicKeyBase64 },
        'qa-attestator',
      ),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.noteName).toBe('projects/image-attestor/notes/qa-attestator');
    expect(result.value.keys).toEqual([{ type: 'PGP', armoredKey: signer.publicKey }]);
  });

  it('drops the tutorial’s v1beta1/ prefix of noteReference', async () => {
    const signer = await pgpSigner('guide');
    const result = parseAttestationAuthority(
      doc(
        'AttestationAuthority',
        { noteReference: 'v1beta1/projects/my-proj', publicKeyData: signer.publicKeyBase64 },
        'my-attestor',
      ),
    );
    expect(result.ok && result.value.noteName).toBe('projects/my-proj/notes/my-attestor');
  });

  it('reads publicKeys in both keyType spellings, and PKIX keys with their default id', async () => {
    const signer = await pgpSigner('rotation');
    const pkix = pkixSigner();
    const result = parseAttestationAuthority(
      doc('AttestationAuthority', {
        noteReference: 'projects/p/notes/n',
        publicKeys: [
          {
            keyType: 'PGP',
            keyId: `openpgp4fpr:${signer.fingerprint.toLowerCase()}`,
            asciiArmoredPgpPublicKey: signer.publicKeyBase64,
          },
          { KeyType: 'PGP', asciiArmoredPgpPublicKey: signer.publicKeyBase64 },
          {
            keyType: 'PKIX',
            pkixPublicKey: { publicKeyPem: pkix.publicKeyPem, signatureAlgorithm: 'EC_SIGN_P256_SHA256' },
          },
        ],
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.noteName).toBe('projects/p/notes/n');
    expect(result.value.keys).toEqual([
      { type: 'PGP', fingerprint: signer.fingerprint, armoredKey: signer.publicKey },
      { type: 'PGP', armoredKey: signer.publicKey },
      {
        type: 'PKIX',
        keyId: pkix.keyId,
        publicKeyPem: pkix.publicKeyPem,
        signatureAlgorithm: 'ECDSA_P256_SHA256',
      },
    ]);
  });

  it('accepts privateKeySecretName with a notice, and says when there are no keys', () => {
    const result = parseAttestationAuthority(
      doc(
        'AttestationAuthority',
        { noteReference: 'projects/k/notes/a', privateKeySecretName: 'secret' },
        'a',
        'default',
      ),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.notices).toEqual([
      'AttestationAuthority default/a: spec.privateKeySecretName is ignored (Signet never holds signing keys)',
      'AttestationAuthority default/a has no public keys: every policy that requires it denies all images',
    ]);
  });

  it('names the field and the fix for each problem', () => {
    const result = parseAttestationAuthority(
      doc('AttestationAuthority', {
        noteReference: 'project/p',
        publicKeys: [{ keyType: 'pgp', asciiArmoredPgpPublicKey: 'aGVsbG8=' }],
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('POLICY_INVALID');
    expect(result.error.resource).toBe('AttestationAuthority team/x');
    expect(result.error.field).toBe('spec.noteReference');
    expect(result.invalid.issues.map((i) => i.field)).toEqual([
      'spec.noteReference',
      'spec.publicKeys[0].keyType',
    ]);
    expect(result.invalid.issues[1]!.fix).toBe('did you mean PGP? Values are case-sensitive');
    expect(result.invalid.issues[0]!.fix).toContain('projects/PROJECT');
  });

  it('refuses key material that is not what it claims', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [
        { keyType: 'PGP', asciiArmoredPgpPublicKey: 'aGVsbG8=' },
        'spec.publicKeys[0].asciiArmoredPgpPublicKey',
        'is not base64 of an ASCII-armored PGP public key',
      ],
      [
        {
          keyType: 'PKIX',
          pkixPublicKey: {
            publicKeyPem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
            signatureAlgorithm: 'ECDSA_P256_SHA256',
          },
        },
        'spec.publicKeys[0].pkixPublicKey.publicKeyPem',
        'cannot be read',
      ],
      [
        { keyType: 'PGP' },
        'spec.publicKeys[0].asciiArmoredPgpPublicKey',
        'is required for a PGP key but missing',
      ],
      [{ keyType: 'PKIX' }, 'spec.publicKeys[0].pkixPublicKey', 'is required for a PKIX key but missing'],
      [{ keyType: 'PGP', KeyType: 'PKIX' }, 'spec.publicKeys[0].keyType', 'says PGP but KeyType says PKIX'],
      [{ keyId: 'x' }, 'spec.publicKeys[0].keyType', 'is required but missing'],
    ];
    for (const [key, field, message] of cases) {
      const issues = issuesOf(
        parseAttestationAuthority(
          doc('AttestationAuthority', { noteReference: 'projects/p', publicKeys: [key] }),
        ),
      ) as { field: string; message: string }[];
      expect(issues[0]!.field).toBe(field);
      expect(issues[0]!.message).toContain(message);
    }
  });

  it('refuses a short PGP key id and a PKIX key id that is not a URI', async () => {
    const signer = await pgpSigner('short');
    const pkix = pkixSigner();
    const pgpIssues = issuesOf(
      parseAttestationAuthority(
        doc('AttestationAuthority', {
          noteReference: 'projects/p',
          publicKeys: [
            {
              keyType: 'PGP',
              keyId: signer.fingerprint.slice(-16),
              asciiArmoredPgpPublicKey: signer.publicKeyBase64,
            },
          ],
        }),
      ),
    ) as { field: string; fix: string }[];
    expect(pgpIssues[0]!.field).toBe('spec.publicKeys[0].keyId');
    expect(pgpIssues[0]!.fix).toContain('full 40-hex fingerprint');
    const pkixIssues = issuesOf(
      parseAttestationAuthority(
        doc('AttestationAuthority', {
          noteReference: 'projects/p',
          publicKeys: [
            {
              keyType: 'PKIX',
              keyId: 'my key',
              pkixPublicKey: { publicKeyPem: pkix.publicKeyPem, signatureAlgorithm: 'ECDSA_P256_SHA256' },
            },
          ],
        }),
      ),
    ) as { field: string; fix: string }[];
    expect(pkixIssues[0]!.field).toBe('spec.publicKeys[0].keyId');
    expect(pkixIssues[0]!.fix).toContain(pkix.keyId);
  });
});

describe('AttestationAuthority with spec.cosign', () => {
  const cosignKey = recordedKeyData('ecdsa-p256');

  it('reads a cosign-only authority: its key, repository and predicate types', () => {
    const result = parseAttestationAuthority(
      doc('AttestationAuthority', {
        cosign: {
          publicKeyData: cosignKey,
          repository: '127.0.0.1:5123/signet/signatures',
          attestations: [{ predicateType: SLSA_V1 }, { predicateType: SLSA_V1 }],
        },
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.noteName).toBeUndefined();
    expect(result.value.keys).toEqual([]);
    expect(result.value.cosign?.publicKey.type).toBe('ecdsa-p256');
    expect(result.value.cosign?.repository).toBe('127.0.0.1:5123/signet/signatures');
    expect(result.value.cosign?.predicateTypes).toEqual([SLSA_V1]);
    expect(result.notices).toEqual([]);
  });

  it('normalises the repository as images are (Docker Hub)', () => {
    const result = parseAttestationAuthority(
      doc('AttestationAuthority', { cosign: { publicKeyData: cosignKey, repository: 'team/sigs' } }),
    );
    expect(result.ok && result.value.cosign?.repository).toBe('docker.io/team/sigs');
  });

  it('reads an authority with both a note and a cosign key', async () => {
    const signer = await pgpSigner('both');
    const result = parseAttestationAuthority(
      doc('AttestationAuthority', {
        noteReference: 'projects/p/notes/qa',
        publicKeyData: signer.publicKeyBase64,
        cosign: { publicKeyData: cosignKey },
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.noteName).toBe('projects/p/notes/qa');
    expect(result.value.keys).toHaveLength(1);
    expect(result.value.cosign?.predicateTypes).toEqual([]);
  });

  it('says that PGP keys without a note are ignored', async () => {
    const signer = await pgpSigner('stray');
    const result = parseAttestationAuthority(
      doc('AttestationAuthority', {
        publicKeyData: signer.publicKeyBase64,
        cosign: { publicKeyData: cosignKey },
      }),
    );
    expect(result.ok && result.notices).toEqual([
      'AttestationAuthority team/x: spec.publicKeyData and spec.publicKeys are ignored: they verify Grafeas attestations, and the authority has no noteReference (its cosign key is spec.cosign.publicKeyData)',
    ]);
  });

  it('refuses an authority with neither noteReference nor cosign', () => {
    const issues = issuesOf(
      parseAttestationAuthority(doc('AttestationAuthority', { publicKeyData: 'aGVsbG8=' })),
    );
    expect(issues).toEqual([
      {
        field: 'spec',
        message: 'has neither noteReference nor cosign, so nothing could ever attest an image',
        fix: 'add noteReference (attestations in Grafeas), cosign (cosign signatures in the registry), or both',
      },
    ]);
  });

  it('refuses a key cosign cannot have written, like a bad PGP key', () => {
    const rsa1024 = Buffer.from(
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }),
    ).toString('base64');
    const pgp = Buffer.from('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxx\n').toString('base64');
    for (const [publicKeyData, message] of [
      [rsa1024, 'invalid cosign public key: the RSA key has 1024 bits, fewer than 2048'],
      [
        pgp,
        'invalid cosign public key: publicKeyData does not decode to exactly one "BEGIN PUBLIC KEY" PEM block',
      ],
    ] as const) {
      const issues = issuesOf(
        parseAttestationAuthority(doc('AttestationAuthority', { cosign: { publicKeyData } })),
      );
      expect(issues).toEqual([
        {
          field: 'spec.cosign.publicKeyData',
          message,
          fix: expect.stringContaining('base64 -w0 cosign.pub'),
        },
      ]);
    }
  });

  it('refuses a missing key, a repository with a tag, a predicate type that is not a URI, an unknown field', () => {
    const issues = issuesOf(
      parseAttestationAuthority(
        doc('AttestationAuthority', {
          cosign: {
            repository: 'r.example/sigs:v1',
            attestations: [{ predicateType: 'slsaprovenance1' }],
            keyless: true,
          },
        }),
      ),
    );
    expect(issues.map((i) => (i as { field: string }).field)).toEqual([
      'spec.cosign.publicKeyData',
      'spec.cosign.repository',
      'spec.cosign.attestations[0].predicateType',
      'spec.cosign.keyless',
    ]);
    expect((issues[0] as { fix: string }).fix).toContain('base64 -w0 cosign.pub');
    expect((issues[2] as { message: string }).message).toContain('in-toto predicate type URI');
    expect((issues[3] as { fix: string }).fix).toBe(
      'remove it (see deploy/crds.yaml for the fields each kind accepts)',
    );
  });
});

describe('GenericAttestationPolicy', () => {
  it('reads the guide’s policy', () => {
    const result = parseGenericAttestationPolicy(
      doc(
        'GenericAttestationPolicy',
        {
          admissionAllowlistPatterns: [
            { namePattern: 'gcr.io/1-my-image-any-tag:*' },
            { namePattern: 'gcr.io/2-my-image:latest' },
          ],
          attestationAuthorityNames: ['kritis-authority'],
        },
        'my-gap',
        'default',
      ),
    );
    expect(result).toEqual({
      ok: true,
      notices: [],
      value: {
        kind: 'GenericAttestationPolicy',
        metadata: { name: 'my-gap', namespace: 'default' },
        attestationAuthorityNames: ['kritis-authority'],
        allowlistPatterns: ['gcr.io/1-my-image-any-tag:*', 'gcr.io/2-my-image:latest'],
        enforcementMode: 'Enforce',
      },
    });
  });

  it('refuses an empty authority list (Kritis too: it would admit everything) and bad patterns', () => {
    const issues = issuesOf(
      parseGenericAttestationPolicy(
        doc('GenericAttestationPolicy', {
          attestationAuthorityNames: [],
          admissionAllowlistPatterns: [
            { namePattern: 'gcr.io/n*x' },
            { namePattern: '*' },
            { namePattern: 'gcr*' },
          ],
          enforcementMode: 'Audit',
        }),
      ),
    ) as { field: string }[];
    expect(issues.map((i) => i.field)).toEqual([
      'spec.attestationAuthorityNames',
      'spec.admissionAllowlistPatterns[0].namePattern',
      'spec.admissionAllowlistPatterns[1].namePattern',
      'spec.admissionAllowlistPatterns[2].namePattern',
      'spec.enforcementMode',
    ]);
  });
});

describe('ImageSecurityPolicy', () => {
  it('applies Kritis defaults and ignores its signing fields with a notice', () => {
    const result = parseImageSecurityPolicy(
      doc(
        'ImageSecurityPolicy',
        { attestationAuthorityName: 'a', privateKeySecretName: 's', enforcementMode: 'DryRun' },
        'my-isp',
        'default',
      ),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toEqual({
      kind: 'ImageSecurityPolicy',
      metadata: { name: 'my-isp', namespace: 'default' },
      imageAllowlist: [],
      maximumSeverity: 'CRITICAL',
      maximumFixUnavailableSeverity: 'ALLOW_ALL',
      allowlistCVEs: [],
      enforcementMode: 'DryRun',
      requireScan: false,
    });
    expect(result.notices).toEqual([
      'ImageSecurityPolicy default/my-isp: spec.attestationAuthorityName is a Kritis field with no effect here; it is ignored',
      'ImageSecurityPolicy default/my-isp: spec.privateKeySecretName is a Kritis field with no effect here; it is ignored',
    ]);
  });

  it('refuses a typo instead of turning it into "allow everything"', () => {
    const result = parseImageSecurityPolicy(
      doc('ImageSecurityPolicy', { packageVulnerabilityRequirements: { maximumSeverty: 'LOW' } }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.invalid.issues).toEqual([
      {
        field: 'spec.packageVulnerabilityRequirements.maximumSeverty',
        message: 'is not a field of this resource',
        fix: 'did you mean maximumSeverity? Field names are case-sensitive',
      },
    ]);
  });

  it('points Kritis doc spellings to the real field names', () => {
    const result = parseImageSecurityPolicy(
      doc('ImageSecurityPolicy', {
        packageVulnerabilityPolicy: { maximumSeverity: 'LOW' },
        imageWhitelist: [],
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.invalid.issues.map((i) => i.fix)).toEqual([
      'did you mean packageVulnerabilityRequirements? Field names are case-sensitive',
      'did you mean imageAllowlist? Field names are case-sensitive',
    ]);
  });

  it('refuses an unknown severity and a wrong apiVersion', () => {
    const result = parseImageSecurityPolicy({
      apiVersion: 'kritis.github.com/v1beta1',
      kind: 'ImageSecurityPolicy',
      metadata: { name: 'x' },
      spec: { packageVulnerabilityRequirements: { maximumSeverity: 'SEVERE' } },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.invalid.issues.map((i) => [i.field, i.message])).toEqual([
      ['apiVersion', 'must be kritis.grafeas.io/v1beta1'],
      [
        'spec.packageVulnerabilityRequirements.maximumSeverity',
        'must be one of MINIMAL, LOW, MEDIUM, HIGH, CRITICAL, BLOCK_ALL, ALLOW_ALL',
      ],
    ]);
  });
});

describe('VulnzSigningPolicy', () => {
  it('reads limits and CVEs', () => {
    const result = parseVulnzSigningPolicy({
      apiVersion: API,
      kind: 'VulnzSigningPolicy',
      metadata: { name: 'my-vsp' },
      spec: {
        imageVulnerabilityRequirements: { maximumFixableSeverity: 'MEDIUM', allowlistCVEs: ['CVE-1'] },
      },
    });
    expect(result.ok && result.value).toEqual({
      kind: 'VulnzSigningPolicy',
      metadata: { name: 'my-vsp' },
      maximumFixableSeverity: 'MEDIUM',
      maximumUnfixableSeverity: 'ALLOW_ALL',
      allowlistCVEs: ['CVE-1'],
    });
  });
});

describe('any input', () => {
  it.each([
    null,
    42,
    'text',
    [],
    {},
    { kind: 'Pod' },
    { kind: 'AttestationAuthority' },
    { kind: 'ImageSecurityPolicy', spec: [] },
  ])('is a typed failure, never a crash: %j', (input) => {
    const result = parsePolicyResource(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('POLICY_INVALID');
    expect(result.invalid.issues.length).toBeGreaterThan(0);
  });

  it('names an unknown kind', () => {
    const result = parsePolicyResource({ kind: 'BuildPolicy', metadata: { name: 'b' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.invalid).toMatchObject({ kind: 'BuildPolicy', name: 'b', issues: [{ field: 'kind' }] });
  });
});

describe('cluster settings', () => {
  it('defaults to Kritis behaviour, fail closed', () => {
    expect(parseClusterSettings(undefined)).toEqual({
      ok: true,
      value: { noPolicy: 'allow', breakglass: 'on', onBackendError: 'deny' },
    });
  });

  it('reads every setting', () => {
    const settings = {
      noPolicy: 'deny',
      breakglass: 'off',
      onBackendError: 'allow',
      vulnerabilityProject: 'scans',
    };
    expect(parseClusterSettings(settings)).toEqual({ ok: true, value: settings });
  });

  it('refuses unknown values with the field and fix', () => {
    const result = parseClusterSettings({ noPolicy: 'Deny', failOpen: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('SETTINGS_INVALID');
    expect(result.issues).toEqual([
      {
        field: 'noPolicy',
        message: 'must be one of allow, deny',
        fix: 'did you mean deny? Values are case-sensitive',
      },
      {
        field: 'failOpen',
        message: 'is not a field of this resource',
        fix: 'remove it (see deploy/crds.yaml for the fields each kind accepts)',
      },
    ]);
  });
});

describe('arbitrary objects', () => {
  it('parse to a result, never an exception (property)', () => {
    const kind = fc.constantFrom(
      'AttestationAuthority',
      'GenericAttestationPolicy',
      'ImageSecurityPolicy',
      'VulnzSigningPolicy',
    );
    const shaped = fc.record({
      apiVersion: fc.constant(API),
      kind,
      metadata: fc.anything(),
      spec: fc.anything(),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), shaped), (input) => {
        expect(typeof parsePolicyResource(input).ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });
});
