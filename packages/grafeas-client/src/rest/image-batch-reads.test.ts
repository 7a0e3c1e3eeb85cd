import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { openMetadataStore } from '../open.js';
import type { ImageBatchReads, MetadataStore } from '../store.js';
import { listenOnLoopback } from '../test-support/loopback-server.js';

const image = (n: number) => `https://gcr.io/p/app${n}@sha256:${n.toString(16).padStart(64, '0')}`;

function vulnerability(n: number, resourceUri: string | undefined) {
  return {
    name: `projects/p/occurrences/${n}`,
    ...(resourceUri ? { resourceUri } : {}),
    noteName: `projects/goog-vulnz/notes/CVE-${n}`,
    kind: 'VULNERABILITY',
    vulnerability: { severity: 'LOW', effectiveSeverity: 'LOW', packageIssue: [] },
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * A Container Analysis stand-in that answers every listing with `answer(filter)`, ignoring nothing and
 * filtering nothing itself (the store re-checks each occurrence's image).
 */
async function serve(answer: (filter: string) => unknown[]) {
  const filters: string[] = [];
  const server = http.createServer((req, res) => {
    const filter = new URL(req.url ?? '/', 'http://x').searchParams.get('filter') ?? '';
    filters.push(filter);
    req.resume();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ occurrences: answer(filter) }));
  });
  const loopback = await listenOnLoopback(server);
  const store = (await openMetadataStore(`containeranalysis:${loopback.url}`, {
    api: 'v1',
  })) as MetadataStore & ImageBatchReads;
  closers.push(async () => {
    await store.close();
    await loopback.close();
  });
  return { store, filters };
}

describe('ImageBatchReads of the REST store', () => {
  it("reads several images with one OR filter naming both spellings of each, and shares out each image's own", async () => {
    const { store, filters } = await serve(() => [
      vulnerability(1, image(1)),
      vulnerability(2, image(2)),
      vulnerability(9, image(9)),
    ]);
    const answers = await store.listImageOccurrencesOfImages('p', [image(1), image(2), image(3)]);
    expect(filters).toHaveLength(1);
    expect(filters[0]).toContain(`(resourceUrl = "${image(1)}") OR (resourceUrl = "${image(1).slice(8)}")`);
    expect(filters[0]).toContain(' OR ((resourceUrl = ');
    const cves = (url: string) => {
      const answer = answers.get(url);
      return answer?.ok ? answer.value.vulnerabilities.map((v) => v.noteName) : answer;
    };
    expect(cves(image(1))).toEqual(['projects/goog-vulnz/notes/CVE-1']);
    expect(cves(image(2))).toEqual(['projects/goog-vulnz/notes/CVE-2']);
    // Another image's occurrence (a server that ignored the filter) belongs to nobody asked.
    expect(cves(image(3))).toEqual([]);
  });

  it('gives an unreadable occurrence that names no image to every image of its chunk, and only those', async () => {
    const images = Array.from({ length: 40 }, (_, n) => image(n));
    const { store, filters } = await serve((filter) =>
      filter.includes(`"${image(0)}"`)
        ? [{ ...vulnerability(100, undefined), vulnerability: 'garbled' }]
        : [],
    );
    const answers = await store.listImageOccurrencesOfImages('p', images);
    expect(filters.length).toBeGreaterThan(1);
    const firstChunk = images.filter((url) =>
      filters.find((f) => f.includes(`"${image(0)}"`))?.includes(`"${url}"`),
    );
    expect(firstChunk.length).toBeLessThan(images.length);
    for (const url of images) {
      const answer = answers.get(url);
      expect(answer?.ok && answer.value.skipped.length).toBe(firstChunk.includes(url) ? 1 : 0);
    }
  });

  it('answers an empty list for every image of a note that does not exist', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 404, message: 'no note', status: 'NOT_FOUND' } }));
    });
    const loopback = await listenOnLoopback(server);
    const store = (await openMetadataStore(`containeranalysis:${loopback.url}`, {
      api: 'v1',
      retry: { attempts: 1 },
    })) as MetadataStore & ImageBatchReads;
    closers.push(async () => {
      await store.close();
      await loopback.close();
    });
    const answers = await store.listNoteOccurrencesOfImages('projects/p/notes/missing', [image(1), image(2)]);
    expect([...answers.values()]).toEqual([
      { ok: true, value: { items: [], skipped: [] } },
      { ok: true, value: { items: [], skipped: [] } },
    ]);
  });
});
