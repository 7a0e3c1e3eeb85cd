import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OccurrenceSpec, PackageIssue } from '../model.js';
import { SEVERITIES, VERSION_KINDS } from '../model.js';
import { v1beta1Mapper, v1Mapper } from './index.js';

const mappers = [v1Mapper, v1beta1Mapper];

/** Never throws; answers either a spec or a skip with a non-empty reason. */
function checkTotal(json: unknown): void {
  for (const mapper of mappers) {
    const occurrence = mapper.occurrenceFromWire(json);
    if (!occurrence.ok) expect(occurrence.skipped.reason.length).toBeGreaterThan(0);
    const note = mapper.noteFromWire(json);
    if (!note.ok) expect(note.skipped.reason.length).toBeGreaterThan(0);
  }
}

const seeds: unknown[] = [
  {
    resource: { uri: 'https://gcr.io/p/a@sha256:00' },
    noteName: 'projects/p/notes/n',
    attestation: {
      attestation: {
        pgpSignedAttestation: { signature: 'x', contentType: 'SIMPLE_SIGNING_JSON', pgpKeyId: 'F' },
      },
    },
  },
  {
    resourceUri: 'https://gcr.io/p/a@sha256:00',
    noteName: 'projects/p/notes/n',
    attestation: { serializedPayload: 'e30=', signatures: [{ signature: 'AQ==', publicKeyId: 'k' }] },
  },
  {
    resource: { uri: 'u' },
    noteName: 'projects/goog-vulnz/notes/CVE-1',
    vulnerability: {
      severity: 'HIGH',
      packageIssue: [
        {
          affectedLocation: { cpeUri: 'c', package: 'p', version: { kind: 'NORMAL' } },
          fixedLocation: { version: { kind: 'MAXIMUM' } },
        },
      ],
    },
  },
  {
    resourceUri: 'u',
    noteName: 'n',
    vulnerability: { packageIssue: [{ affectedCpeUri: 'c', fixAvailable: true }] },
  },
  { resource: { uri: 'u' }, noteName: 'n', discovered: { discovered: { analysisStatus: 'PENDING' } } },
  { name: 'projects/p/notes/n', attestationAuthority: { hint: { humanReadableName: 'x' } } },
];

/** Replace the value at a random path of a JSON value by an arbitrary JSON value. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const i = head! % value.length;
    return value.map((v, j) => (j === i ? mutate(v, rest, replacement) : v));
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[head! % keys.length]!;
  return {
    ...(value as Record<string, unknown>),
    [key]: mutate((value as Record<string, unknown>)[key], rest, replacement),
  };
}

describe('fuzz: the mappers never throw', () => {
  it('on random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => checkTotal(json)),
      { numRuns: 300 },
    );
  });

  it('on random objects carrying the keys the mappers look for', () => {
    const keys = fc.constantFrom(
      'resource',
      'resourceUri',
      'resourceUrl',
      'noteName',
      'note_name',
      'attestation',
      'vulnerability',
      'discovered',
      'discovery',
      'pgpSignedAttestation',
      'genericSignedAttestation',
      'serializedPayload',
      'signatures',
      'packageIssue',
      'affectedLocation',
      'fixedLocation',
      'version',
      'kind',
      'uri',
      'signature',
      '__proto__',
      'constructor',
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.dictionary(keys, tie('node'), { maxKeys: 4 }),
        fc.array(tie('node'), { maxLength: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(keys, tree, { maxKeys: 6 }), (json) => checkTotal(json)),
      { numRuns: 300 },
    );
  });

  it('on mutated valid occurrences', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.jsonValue({ maxDepth: 2 }),
        (seed, path, replacement) => checkTotal(mutate(seed, path, replacement)),
      ),
      { numRuns: 300 },
    );
  });
});

const bytes = fc.uint8Array({ maxLength: 40 });
const text = fc.string({ minLength: 1, maxLength: 20 });
const version = fc.record(
  { kind: fc.constantFrom(...VERSION_KINDS.slice(1)), name: text },
  { requiredKeys: ['kind'] },
);
const pkg = fc.boolean().chain((fixable) =>
  fc.record({
    affectedCpeUri: text,
    affectedPackage: text,
    fixAvailable: fc.constant(fixable),
    fixedVersion: fixable
      ? version.filter((v) => v.kind !== 'MAXIMUM')
      : fc.constant({ kind: 'MAXIMUM' as const }),
  }),
);
const occurrence: fc.Arbitrary<OccurrenceSpec> = fc.oneof(
  fc.record({
    kind: fc.constant('ATTESTATION' as const),
    resourceUri: text,
    noteName: text.map((t) => `projects/p/notes/${encodeURIComponent(t)}`),
    signature: fc.record({
      form: fc.constant('generic' as const),
      serializedPayload: bytes,
      signatures: fc.array(fc.record({ publicKeyId: text, signature: bytes }), { maxLength: 3 }),
    }),
  }),
  fc
    .record({
      kind: fc.constant('VULNERABILITY' as const),
      resourceUri: text,
      noteName: text.map((t) => `projects/goog-vulnz/notes/${encodeURIComponent(t)}`),
      severity: fc.constantFrom(...SEVERITIES),
      effectiveSeverity: fc.constantFrom(...SEVERITIES),
      packages: fc.array(pkg, { minLength: 1, maxLength: 3 }),
    })
    .map((v) => ({ ...v, fixAvailable: v.packages.some((p: PackageIssue) => p.fixAvailable) })),
);

describe('round trips through both wire versions keep the model', () => {
  it('model -> v1 -> model and model -> v1beta1 -> model', () => {
    fc.assert(
      fc.property(occurrence, (o) => {
        for (const mapper of mappers) {
          const back = mapper.occurrenceFromWire(JSON.parse(JSON.stringify(mapper.occurrenceToWire(o))));
          expect(back.ok).toBe(true);
          if (!back.ok) return;
          const got = back.value.spec;
          expect(got.kind).toBe(o.kind);
          expect(got.resourceUri).toBe(o.resourceUri);
          if (
            o.kind === 'ATTESTATION' &&
            got.kind === 'ATTESTATION' &&
            got.signature.form === 'generic' &&
            o.signature.form === 'generic'
          ) {
            expect(got.signature.serializedPayload).toEqual(o.signature.serializedPayload);
            expect(got.signature.signatures).toEqual(o.signature.signatures);
          }
          if (o.kind === 'VULNERABILITY' && got.kind === 'VULNERABILITY') {
            expect(got.fixAvailable).toBe(o.fixAvailable);
            expect(got.packages.map((p) => p.fixAvailable)).toEqual(o.packages.map((p) => p.fixAvailable));
            expect(got.severity).toBe(o.severity);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
