/**
 * The MetadataStore contract: one suite, run against every backend (the SQLite store directly,
 * googleapis v1 / v1beta1 against the emulator, grafeas: against the emulator's OSS flavour).
 * Imports only types from the package so that other packages can run it against their own build.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AttestationOccurrence,
  GrafeasError,
  MetadataStore,
  Occurrence,
  OccurrenceSpec,
  VulnerabilityOccurrence,
} from '../index.js';

export interface ContractCapabilities {
  /** Creating an identical attestation twice yields one occurrence (Google, the embedded store). */
  dedupesAttestations: boolean;
  /** A v1beta1 PGP attestation reads back as `pgp` (false for v1: it has no PGP form). */
  pgpSurvives: boolean;
}

export interface ContractTarget {
  store: MetadataStore;
  cleanup?: () => Promise<void>;
}

const HEX = 'a'.repeat(64);
const enc = new TextEncoder();
let counter = 0;

function uniqueProject(): string {
  counter += 1;
  return `contract-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export function imageUrl(project: string, n = 0): string {
  return `https://gcr.io/${project}/app${n}@sha256:${HEX}`;
}

/** Real servers list a note's occurrences only when the note exists (OSS v0.1.0 answers 404). */
async function withNote(store: MetadataStore, project: string, note = 'qa'): Promise<void> {
  await store.createNote(project, note, { kind: 'ATTESTATION', humanReadableName: note });
}

export function genericAttestation(project: string, resourceUri: string, note = 'qa'): OccurrenceSpec {
  return {
    kind: 'ATTESTATION',
    resourceUri,
    noteName: `projects/${project}/notes/${note}`,
    signature: {
      form: 'generic',
      contentType: 'SIMPLE_SIGNING_JSON',
      serializedPayload: enc.encode('{"critical":{}}'),
      signatures: [{ publicKeyId: 'ni:///sha-256;abc', signature: new Uint8Array([1, 2, 3, 250]) }],
    },
  };
}

function pgpAttestation(project: string, resourceUri: string): OccurrenceSpec {
  return {
    kind: 'ATTESTATION',
    resourceUri,
    noteName: `projects/${project}/notes/qa`,
    signature: {
      form: 'pgp',
      signature: '-----BEGIN PGP MESSAGE-----\n\nowGbwMvMwMH4\n-----END PGP MESSAGE-----\n',
      contentType: 'SIMPLE_SIGNING_JSON',
      keyId: '24FF6481B76AC91E66A00AC657A93A81EF3AE6FB',
    },
  };
}

function vulnerability(resourceUri: string, cve: string, fixable: boolean): OccurrenceSpec {
  return {
    kind: 'VULNERABILITY',
    resourceUri,
    noteName: `projects/goog-vulnz/notes/${cve}`,
    severity: 'HIGH',
    effectiveSeverity: 'CRITICAL',
    cvssScore: 7.5,
    fixAvailable: fixable,
    packages: [
      {
        affectedCpeUri: 'cpe:/o:debian:debian_linux:12',
        affectedPackage: 'openssl',
        affectedVersion: { kind: 'NORMAL', name: '3.0.11', revision: '1' },
        fixedCpeUri: 'cpe:/o:debian:debian_linux:12',
        fixedPackage: 'openssl',
        fixedVersion: fixable ? { kind: 'NORMAL', name: '3.0.13', revision: '1' } : { kind: 'MAXIMUM' },
        fixAvailable: fixable,
      },
    ],
  };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<GrafeasError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeDefined();
  expect((error as GrafeasError).code).toBe(code);
  return error as GrafeasError;
}

export function runMetadataStoreContract(
  label: string,
  factory: () => Promise<ContractTarget>,
  caps: ContractCapabilities,
): void {
  describe(`MetadataStore contract: ${label}`, () => {
    let target: ContractTarget;
    let store: MetadataStore;
    beforeAll(async () => {
      target = await factory();
      store = target.store;
    });
    afterAll(async () => {
      await store?.close();
      await target?.cleanup?.();
    });

    it('creates, gets, lists and deletes notes; a duplicate create returns the existing note', async () => {
      const p = uniqueProject();
      const created = await store.createNote(p, 'qa', {
        kind: 'ATTESTATION',
        humanReadableName: 'QA attestor',
      });
      expect(created).toMatchObject({
        name: `projects/${p}/notes/qa`,
        kind: 'ATTESTATION',
        humanReadableName: 'QA attestor',
      });
      const again = await store.createNote(`projects/${p}`, 'qa', {
        kind: 'ATTESTATION',
        humanReadableName: 'other',
      });
      expect(again).toMatchObject({ kind: 'ATTESTATION', humanReadableName: 'QA attestor' });
      await store.createNote(p, 'CVE-2024-1', {
        kind: 'VULNERABILITY',
        severity: 'HIGH',
        cvssScore: 8.1,
        details: [{ cpeUri: 'cpe:/o:debian:debian_linux:12', package: 'openssl' }],
      });
      const got = await store.getNote(`projects/${p}/notes/CVE-2024-1`);
      expect(got).toMatchObject({ kind: 'VULNERABILITY', severity: 'HIGH', cvssScore: 8.1 });
      const all = await store.listNotes(p);
      expect(all.items.map((n) => n.name).sort()).toEqual([
        `projects/${p}/notes/CVE-2024-1`,
        `projects/${p}/notes/qa`,
      ]);
      expect(all.skipped).toEqual([]);
      const attestors = await store.listNotes(p, { kind: 'ATTESTATION' });
      expect(attestors.items.map((n) => n.name)).toEqual([`projects/${p}/notes/qa`]);
      await store.deleteNote(`projects/${p}/notes/qa`);
      await rejectsWith(store.getNote(`projects/${p}/notes/qa`), 'GRAFEAS_NOT_FOUND');
      await rejectsWith(store.deleteNote(`projects/${p}/notes/qa`), 'GRAFEAS_NOT_FOUND');
    });

    it('round-trips a generic attestation byte for byte', async () => {
      const p = uniqueProject();
      const spec = genericAttestation(p, imageUrl(p));
      const created = (await store.createOccurrence(p, spec)) as AttestationOccurrence;
      expect(created.name).toMatch(new RegExp(`^projects/${p}/occurrences/[^/]+$`));
      const got = await store.getOccurrence(created.name);
      expect(got.kind).toBe('ATTESTATION');
      expect(got.resourceUri).toBe(spec.resourceUri);
      expect(got.noteName).toBe(spec.noteName);
      const sig = (got as AttestationOccurrence).signature;
      if (sig.form !== 'generic') throw new Error(`expected generic, got ${sig.form}`);
      expect(Buffer.from(sig.serializedPayload).toString()).toBe('{"critical":{}}');
      expect(sig.signatures).toHaveLength(1);
      expect(sig.signatures[0]?.publicKeyId).toBe('ni:///sha-256;abc');
      expect([...(sig.signatures[0]?.signature ?? [])]).toEqual([1, 2, 3, 250]);
    });

    it('stores a PGP attestation (v1 readers get the armored text as the signature bytes)', async () => {
      const p = uniqueProject();
      const spec = pgpAttestation(p, imageUrl(p));
      const created = await store.createOccurrence(p, spec);
      const sig = ((await store.getOccurrence(created.name)) as AttestationOccurrence).signature;
      const original = spec.kind === 'ATTESTATION' ? spec.signature : undefined;
      if (original?.form !== 'pgp') throw new Error('fixture');
      if (caps.pgpSurvives) {
        expect(sig).toEqual(original);
      } else {
        if (sig.form !== 'generic') throw new Error('v1 has no pgp form');
        expect(sig.signatures[0]?.publicKeyId).toBe(original.keyId);
        expect(Buffer.from(sig.signatures[0]?.signature ?? []).toString()).toBe(original.signature);
      }
    });

    it('creating the same attestation twice succeeds', async () => {
      const p = uniqueProject();
      await withNote(store, p);
      const spec = genericAttestation(p, imageUrl(p));
      const first = await store.createOccurrence(p, spec);
      const second = await store.createOccurrence(p, spec);
      const listed = await store.listNoteOccurrences(spec.noteName, spec.resourceUri);
      if (caps.dedupesAttestations) {
        expect(second.name).toBe(first.name);
        expect(listed.items).toHaveLength(1);
      } else {
        expect(second.name).not.toBe(first.name);
        expect(listed.items).toHaveLength(2);
      }
    });

    it('keeps vulnerability details: CVE id, severities, fix availability, packages', async () => {
      const p = uniqueProject();
      const url = imageUrl(p);
      const [fixable, unfixable] = await store.batchCreateOccurrences(p, [
        vulnerability(url, 'CVE-2024-0001', true),
        vulnerability(url, 'CVE-2024-0002', false),
      ]);
      const a = (await store.getOccurrence(fixable!.name)) as VulnerabilityOccurrence;
      const b = (await store.getOccurrence(unfixable!.name)) as VulnerabilityOccurrence;
      expect(a).toMatchObject({
        kind: 'VULNERABILITY',
        cveId: 'CVE-2024-0001',
        noteName: 'projects/goog-vulnz/notes/CVE-2024-0001',
        severity: 'HIGH',
        effectiveSeverity: 'CRITICAL',
        cvssScore: 7.5,
        fixAvailable: true,
      });
      expect(a.packages[0]).toMatchObject({
        affectedPackage: 'openssl',
        affectedVersion: { kind: 'NORMAL', name: '3.0.11', revision: '1' },
        fixedVersion: { kind: 'NORMAL', name: '3.0.13' },
        fixAvailable: true,
      });
      expect(b).toMatchObject({ cveId: 'CVE-2024-0002', fixAvailable: false });
      expect(b.packages[0]?.fixAvailable).toBe(false);
    });

    it('lists one image: attestations, vulnerabilities and discovery, and nothing of other images', async () => {
      const p = uniqueProject();
      const url = imageUrl(p, 1);
      await store.batchCreateOccurrences(p, [
        genericAttestation(p, url),
        vulnerability(url, 'CVE-2024-0003', true),
        {
          kind: 'DISCOVERY',
          resourceUri: url,
          noteName: `projects/${p}/notes/scan`,
          analysisStatus: 'FINISHED_SUCCESS',
        },
        vulnerability(imageUrl(p, 2), 'CVE-2024-0004', true),
        genericAttestation(p, imageUrl(p, 2)),
      ]);
      const image = await store.listImageOccurrences(p, url);
      expect(image.attestations.map((o) => o.resourceUri)).toEqual([url]);
      expect(image.vulnerabilities.map((o) => o.cveId)).toEqual(['CVE-2024-0003']);
      expect(image.discoveries.map((o) => o.analysisStatus)).toEqual(['FINISHED_SUCCESS']);
      expect(image.skipped).toEqual([]);
      const vulns = await store.listOccurrences(p, { resourceUrl: url, kind: 'VULNERABILITY' });
      expect(vulns.items.map((o) => o.kind)).toEqual(['VULNERABILITY']);
      const everything = await store.listOccurrences(p);
      expect(everything.items).toHaveLength(5);
    });

    it("lists a note's occurrences for one resource URL, across projects", async () => {
      const attestor = uniqueProject();
      const other = uniqueProject();
      const url = imageUrl(other, 3);
      await withNote(store, attestor);
      await store.createOccurrence(other, genericAttestation(attestor, url));
      await store.createOccurrence(other, genericAttestation(attestor, imageUrl(other, 4)));
      await store.createOccurrence(other, genericAttestation(attestor, url, 'another-note'));
      const found = await store.listNoteOccurrences(`projects/${attestor}/notes/qa`, url);
      expect(found.items).toHaveLength(1);
      expect(found.items[0]).toMatchObject({ resourceUri: url, noteName: `projects/${attestor}/notes/qa` });
      expect(found.items[0]?.name.startsWith(`projects/${other}/occurrences/`)).toBe(true);
    });

    // Issue 11 finding 1: gcloud writes the resource without https://, scanners and Signet with it.
    it('finds both spellings of an image (https://X and X) and nothing looser, in every lookup', async () => {
      const p = uniqueProject();
      await withNote(store, p);
      const url = imageUrl(p, 5);
      const bare = url.slice('https://'.length);
      const near = [
        `http://${bare}`,
        `${url}0`,
        url.slice(0, url.indexOf('@')),
        `https://mirror.example/${bare}`,
      ];
      await store.batchCreateOccurrences(p, [
        genericAttestation(p, url),
        genericAttestation(p, bare),
        vulnerability(bare, 'CVE-2024-0005', true),
        ...near.map((other) => genericAttestation(p, other)),
        ...near.map((other) => vulnerability(other, 'CVE-2024-0006', true)),
      ]);
      for (const asked of [url, bare]) {
        const note = await store.listNoteOccurrences(`projects/${p}/notes/qa`, asked);
        expect(note.items.map((o) => o.resourceUri).sort()).toEqual([bare, url].sort());
        const image = await store.listImageOccurrences(p, asked);
        expect(image.attestations.map((o) => o.resourceUri).sort()).toEqual([bare, url].sort());
        expect(image.vulnerabilities.map((o) => o.cveId)).toEqual(['CVE-2024-0005']);
        const listed = await store.listOccurrences(p, { resourceUrl: asked, kind: 'VULNERABILITY' });
        expect(listed.items.map((o) => o.resourceUri)).toEqual([bare]);
      }
    });

    it('a note that does not exist has no occurrences (an empty list, not an error)', async () => {
      const p = uniqueProject();
      const found = await store.listNoteOccurrences(`projects/${p}/notes/ghost`, imageUrl(p));
      expect(found).toEqual({ items: [], skipped: [] });
    });

    it('deletes occurrences', async () => {
      const p = uniqueProject();
      const created = await store.createOccurrence(p, genericAttestation(p, imageUrl(p)));
      await store.deleteOccurrence(created.name);
      await rejectsWith(store.getOccurrence(created.name), 'GRAFEAS_NOT_FOUND');
      expect((await store.listOccurrences(p)).items).toEqual([]);
    });

    it('returns each of 2,500 occurrences of one image exactly once, across pages', async () => {
      const p = uniqueProject();
      const url = imageUrl(p, 9);
      const specs = Array.from({ length: 2500 }, (_, i) => vulnerability(url, `CVE-2099-${i}`, i % 2 === 0));
      const created = await store.batchCreateOccurrences(p, specs);
      await store.createOccurrence(p, vulnerability(imageUrl(p, 8), 'CVE-2099-X', true));
      expect(new Set(created.map((o) => o.name)).size).toBe(2500);
      const image = await store.listImageOccurrences(p, url);
      const names = image.vulnerabilities.map((o: Occurrence) => o.name);
      expect(names).toHaveLength(2500);
      expect(new Set(names)).toEqual(new Set(created.map((o) => o.name)));
      expect(new Set(image.vulnerabilities.map((o) => o.cveId)).size).toBe(2500);
    });

    it('refuses malformed names with GRAFEAS_INVALID_ARGUMENT', async () => {
      await rejectsWith(store.getNote('projects/p/notes'), 'GRAFEAS_INVALID_ARGUMENT');
      await rejectsWith(store.getOccurrence('occurrences/x'), 'GRAFEAS_INVALID_ARGUMENT');
      await rejectsWith(store.listOccurrences('projects/a/b'), 'GRAFEAS_INVALID_ARGUMENT');
      await rejectsWith(store.createNote('p', 'a/b', { kind: 'ATTESTATION' }), 'GRAFEAS_INVALID_ARGUMENT');
      const bad = { ...genericAttestation('p', imageUrl('p')), noteName: 'notes/qa' };
      await rejectsWith(store.createOccurrence('p', bad), 'GRAFEAS_INVALID_ARGUMENT');
    });

    it('honours an expired deadline', async () => {
      const signal = AbortSignal.timeout(0);
      await new Promise((r) => setTimeout(r, 5));
      await rejectsWith(store.listOccurrences(uniqueProject(), { signal }), 'GRAFEAS_DEADLINE_EXCEEDED');
    });
  });
}
