import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VulnerabilityOccurrence } from '../model.js';
import { openMetadataStore } from '../open.js';
import type { MetadataStore } from '../store.js';
import { type ReplayServer, startReplayServer } from '../test-support/replay-server.js';

// The grafeas: backend against what a real open-source Grafeas v0.1.0 answered, replayed as recorded.
const P = 'signet-conformance';
const IMAGE_A = `https://gcr.io/${P}/app@sha256:${'a'.repeat(64)}`;
let replay: ReplayServer;
const debugLines: string[] = [];
const stores: MetadataStore[] = [];

beforeAll(async () => {
  replay = await startReplayServer();
});
afterAll(async () => {
  await replay?.close();
});
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  expect(replay.unmatched).toEqual([]);
});

async function grafeas(pageSize = 1000): Promise<MetadataStore> {
  const store = await openMetadataStore(`grafeas:${replay.url}`, {
    pageSize,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    debug: (line) => debugLines.push(line),
  });
  stores.push(store);
  return store;
}

/** The exchanges that answered the requests made by `work`. */
async function served(work: () => Promise<unknown>): Promise<(string | undefined)[]> {
  const before = replay.requests.length;
  await work();
  return replay.requests.slice(before).map((r) => r.exchange);
}

describe('grafeas: against recorded open-source Grafeas v0.1.0', () => {
  it('sends the recorded create bodies, plus kind', async () => {
    const store = await grafeas();
    replay.seek('note-create-attestation-no-kind');
    await store.createNote(P, 'attestor-a', {
      kind: 'ATTESTATION',
      shortDescription: 'QA attestor',
      humanReadableName: 'qa-attestor',
    });
    replay.seek('occ-create-attestation-generic');
    const created = await store.createOccurrence(P, {
      kind: 'ATTESTATION',
      resourceUri: `https://gcr.io/${P}/app@sha256:${'b'.repeat(64)}`,
      noteName: `projects/${P}/notes/attestor-b`,
      signature: {
        form: 'generic',
        contentType: 'SIMPLE_SIGNING_JSON',
        serializedPayload: new TextEncoder().encode('{"critical":{}}'),
        signatures: [{ publicKeyId: 'projects/k/keys/1', signature: new TextEncoder().encode('signature') }],
      },
    });
    expect(created.name).toBe(`projects/${P}/occurrences/${replay.uuid(3)}`);
    const [note, occurrence] = replay.requests.slice(-2);
    expect(note?.exchange).toBe('note-create-attestation-no-kind');
    expect(note?.body).toEqual({
      ...(replay.exchange('note-create-attestation-no-kind').request.body as object),
      kind: 'ATTESTATION',
    });
    expect(occurrence?.exchange).toBe('occ-create-attestation-generic');
    expect(occurrence?.body).toEqual({
      ...(replay.exchange('occ-create-attestation-generic').request.body as object),
      kind: 'ATTESTATION',
    });
  });

  it('reads a note with every unset field emitted (empty strings, [] and null)', async () => {
    const store = await grafeas();
    replay.seek('note-get');
    const note = await store.getNote(`projects/${P}/notes/attestor-a`);
    expect(note).toMatchObject({
      kind: 'ATTESTATION',
      shortDescription: 'QA attestor',
      humanReadableName: 'qa-attestor',
    });
    expect(note).not.toHaveProperty('longDescription');
    expect(note).not.toHaveProperty('relatedUrls');
  });

  it('answers 404 for a missing note as GRAFEAS_NOT_FOUND with the server message', async () => {
    const store = await grafeas();
    replay.seek('note-get-missing');
    await expect(store.getNote(`projects/${P}/notes/missing`)).rejects.toMatchObject({
      code: 'GRAFEAS_NOT_FOUND',
      message: expect.stringContaining('does not Exist'),
    });
  });

  it('pages notes until the final nextPageToken "" (present, empty)', async () => {
    const store = await grafeas(1);
    replay.seek('note-list-page1');
    let listed: string[] = [];
    let skipped: (string | undefined)[] = [];
    const pages = await served(async () => {
      const notes = await store.listNotes(P);
      listed = notes.items.map((n) => n.name);
      skipped = notes.skipped.map((s) => s.name);
    });
    expect(pages).toEqual(['note-list-page1', 'note-list-page2', 'note-list-page3', 'note-list-page4-last']);
    expect(listed.sort()).toEqual(
      ['CVE-2024-0001', 'attestor-a', 'attestor-b'].map((id) => `projects/${P}/notes/${id}`),
    );
    // A DISCOVERY note is not a kind Signet reads: reported as skipped, never thrown.
    expect(skipped).toEqual([`projects/${P}/notes/discovery-vuln`]);
  });

  it('pages occurrences and keeps what a real server says of severities: UNSPECIFIED, nulls, empty strings', async () => {
    const store = await grafeas(2);
    replay.seek('occ-list-page1');
    let vulnerabilities: VulnerabilityOccurrence[] = [];
    let skipped: unknown[] = [];
    const pages = await served(async () => {
      const listed = await store.listOccurrences(P);
      vulnerabilities = listed.items.filter((o): o is VulnerabilityOccurrence => o.kind === 'VULNERABILITY');
      skipped = listed.skipped;
      expect(listed.items).toHaveLength(8);
    });
    expect(pages).toEqual(['occ-list-page1', 'occ-list-page2', 'occ-list-page3', 'occ-list-page4-last']);
    expect(skipped).toEqual([]);
    const severityOnly = vulnerabilities.find((v) => v.name.endsWith(replay.uuid(6)));
    // Written with severity only: a real Grafeas answers effectiveSeverity SEVERITY_UNSPECIFIED,
    // fixedLocation null and severityName "". The policy's rule then judges it by `severity`.
    expect(severityOnly).toMatchObject({
      severity: 'HIGH',
      effectiveSeverity: 'SEVERITY_UNSPECIFIED',
      fixAvailable: false,
    });
    expect(severityOnly?.packages[0]).not.toHaveProperty('severityName');
    expect(severityOnly?.packages[0]).not.toHaveProperty('fixedVersion');
    const effective = vulnerabilities.find((v) => v.name.endsWith(replay.uuid(7)));
    expect(effective).toMatchObject({ severity: 'HIGH', effectiveSeverity: 'CRITICAL', fixAvailable: true });
    expect(effective?.packages[0]).toMatchObject({ severityName: 'HIGH' });
  });

  it("lists a note's occurrences for an image, and a missing note's as none", async () => {
    const store = await grafeas(100);
    replay.seek('note-occurrences');
    const found = await store.listNoteOccurrences(`projects/${P}/notes/attestor-a`, IMAGE_A);
    expect(found.items.map((o) => o.name).sort()).toEqual(
      [1, 2, 5].map((n) => `projects/${P}/occurrences/${replay.uuid(n)}`).sort(),
    );
    replay.seek('note-occurrences-missing-note');
    expect(await store.listNoteOccurrences(`projects/${P}/notes/ghost`, IMAGE_A)).toEqual({
      items: [],
      skipped: [],
    });
    replay.seek('note-occurrences-after-note-delete');
    expect(await store.listNoteOccurrences(`projects/${P}/notes/temp`, IMAGE_A)).toEqual({
      items: [],
      skipped: [],
    });
  });

  it('reports the DELETE quirk truthfully: 500, then 404 on retry, is deleted', async () => {
    const store = await grafeas();
    replay.seek('occ-delete');
    const occurrence = `projects/${P}/occurrences/${replay.uuid(5)}`;
    expect(await served(() => store.deleteOccurrence(occurrence))).toEqual([
      'occ-delete',
      'occ-delete-again',
    ]);
    await expect(store.getOccurrence(occurrence)).rejects.toMatchObject({ code: 'GRAFEAS_NOT_FOUND' });
    replay.seek('note-delete');
    expect(await served(() => store.deleteNote(`projects/${P}/notes/temp`))).toEqual([
      'note-delete',
      'note-delete-again',
    ]);
    expect(debugLines.filter((l) => /answered 500 .*then 404 on retry: deleted/.test(l))).toHaveLength(2);
  });

  it('a delete of what never existed is still GRAFEAS_NOT_FOUND', async () => {
    const store = await grafeas();
    replay.seek('note-delete-again');
    await expect(store.deleteNote(`projects/${P}/notes/temp`)).rejects.toMatchObject({
      code: 'GRAFEAS_NOT_FOUND',
    });
  });
});
