import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from './server.js';

let google: RunningEmulator;
let oss: RunningEmulator;

beforeAll(async () => {
  google = await startEmulator({ flavor: 'google', bodyLimitBytes: 64 * 1024 });
  oss = await startEmulator({ flavor: 'oss' });
});
afterAll(async () => {
  await google.close();
  await oss.close();
});

async function call(base: string, method: string, path: string, body?: string) {
  const res = await fetch(base + path, {
    method,
    ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json: json as Record<string, unknown> };
}

const OCCURRENCE = JSON.stringify({
  resourceUri: `https://gcr.io/p/app@sha256:${'b'.repeat(64)}`,
  noteName: 'projects/p/notes/n',
  attestation: { serializedPayload: 'e30=', signatures: [{ signature: 'AQ==', publicKeyId: 'k' }] },
});

describe('bad input gets the documented error body, and the server keeps serving', () => {
  const cases: [string, string, string, string | undefined, number, string][] = [
    ['malformed JSON', 'POST', '/v1/projects/p/occurrences', '{"resourceUri": ', 400, 'malformed JSON'],
    ['an empty body', 'POST', '/v1/projects/p/occurrences', '', 400, 'body is empty'],
    ['a JSON array body', 'POST', '/v1/projects/p/occurrences', '[1]', 400, 'must be a JSON object'],
    [
      'a missing noteName',
      'POST',
      '/v1/projects/p/occurrences',
      '{"resourceUri":"u","attestation":{}}',
      400,
      'noteName is missing',
    ],
    [
      'a missing resource',
      'POST',
      '/v1beta1/projects/p/occurrences',
      '{"noteName":"projects/p/notes/n","attestation":{}}',
      400,
      'resource.uri is missing',
    ],
    [
      'a missing details field',
      'POST',
      '/v1/projects/p/occurrences',
      '{"resourceUri":"u","noteName":"projects/p/notes/n"}',
      400,
      'exactly one of vulnerability, build',
    ],
    [
      'a wrong note name',
      'POST',
      '/v1/projects/p/occurrences',
      OCCURRENCE.replace('projects/p/notes/n', 'notes/n'),
      400,
      'is not projects/PROJECT/notes/NOTE',
    ],
    [
      'a note without noteId',
      'POST',
      '/v1/projects/p/notes',
      '{"attestation":{}}',
      400,
      'noteId is required',
    ],
    [
      'a note without a type',
      'POST',
      '/v1/projects/p/notes?noteId=n',
      '{"shortDescription":"x"}',
      400,
      'exactly one of vulnerability, build',
    ],
    [
      'a note id with a slash',
      'POST',
      '/v1/projects/p/notes?noteId=a%2Fb',
      '{"attestation":{}}',
      400,
      'invalid note id',
    ],
    ['an empty occurrence id', 'GET', '/v1/projects/p/occurrences//notes', undefined, 400, 'empty id'],
    ['an empty project', 'GET', '/v1/projects//occurrences', undefined, 400, 'invalid project name'],
    [
      'a negative page size',
      'GET',
      '/v1/projects/p/occurrences?pageSize=-1',
      undefined,
      400,
      'pageSize must be positive',
    ],
    [
      'a non-numeric page size',
      'GET',
      '/v1/projects/p/occurrences?pageSize=ten',
      undefined,
      400,
      'not an integer',
    ],
    [
      'a forged page token',
      'GET',
      '/v1/projects/p/occurrences?pageToken=bm9wZQ',
      undefined,
      400,
      'invalid page token',
    ],
    [
      'an unsupported filter',
      'GET',
      '/v1/projects/p/occurrences?filter=foo%3D%22x%22',
      undefined,
      400,
      'unsupported field',
    ],
    [
      'an unsupported filter operator',
      'GET',
      '/v1/projects/p/occurrences?filter=kind%3C%22B%22',
      undefined,
      400,
      'unsupported operator "<"',
    ],
    [
      'an empty batch',
      'POST',
      '/v1/projects/p/occurrences:batchCreate',
      '{"occurrences":[]}',
      400,
      'occurrences is required',
    ],
    ['a missing note', 'GET', '/v1/projects/p/notes/nope', undefined, 404, 'does not Exist'],
    ['an unknown route', 'GET', '/v2/projects/p/notes', undefined, 404, 'no route'],
    ['a deep unknown path', 'GET', '/v1/projects/p/notes/n/occurrences/x', undefined, 404, 'no route'],
    ['a wrong method', 'PUT', '/v1/projects/p/notes/n', '{}', 404, 'no route'],
  ];
  for (const [label, method, path, body, status, message] of cases) {
    it(`${label} -> ${status}`, async () => {
      const r = await call(google.url, method, path, body);
      expect(r.status).toBe(status);
      const error = r.json.error as { code: number; message: string; status: string };
      expect(error.code).toBe(status);
      expect(error.status).toBe(status === 400 ? 'INVALID_ARGUMENT' : 'NOT_FOUND');
      expect(error.message).toContain(message);
    });
  }

  it('an oversized body -> 413 with a JSON error body', async () => {
    const big = JSON.stringify({ resourceUri: 'x'.repeat(100 * 1024) });
    const r = await call(google.url, 'POST', '/v1/projects/p/occurrences', big);
    expect(r.status).toBe(413);
    expect(r.json).toEqual({
      error: { code: 413, message: 'request body exceeds 65536 bytes', status: 'INVALID_ARGUMENT' },
    });
  });

  it('a duplicate note -> 409 ALREADY_EXISTS', async () => {
    const note = '{"attestation":{"hint":{"humanReadableName":"x"}}}';
    expect((await call(google.url, 'POST', '/v1/projects/p/notes?noteId=dup', note)).status).toBe(200);
    const r = await call(google.url, 'POST', '/v1/projects/p/notes?noteId=dup', note);
    expect(r.status).toBe(409);
    expect((r.json.error as { status: string }).status).toBe('ALREADY_EXISTS');
  });

  it('an identical attestation is a second occurrence, as on Google', async () => {
    const first = await call(google.url, 'POST', '/v1/projects/dupe/occurrences', OCCURRENCE);
    const second = await call(google.url, 'POST', '/v1/projects/dupe/occurrences', OCCURRENCE);
    expect(second.status).toBe(200);
    expect(second.json.name).not.toBe(first.json.name);
  });

  it('still serves after all of it', async () => {
    const created = await call(google.url, 'POST', '/v1/projects/alive/occurrences', OCCURRENCE);
    expect(created.status).toBe(200);
    expect(created.json.name).toMatch(/^projects\/alive\/occurrences\/[0-9a-f-]{36}$/);
    expect(created.json.kind).toBe('ATTESTATION');
  });

  it('ignores the Authorization header', async () => {
    const res = await fetch(`${google.url}/v1/projects/auth/occurrences`, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(res.status).toBe(200);
    // An empty list is `{}` on Google: proto3 JSON leaves out empty repeated fields.
    expect(await res.json()).toEqual({});
  });
});

describe('Google filters', () => {
  it('accepts the forms Google docs, Kritis, voucher and gcloud send', async () => {
    const uri = `https://gcr.io/p/app@sha256:${'d'.repeat(64)}`;
    const vuln = {
      resourceUri: uri,
      noteName: 'projects/goog-vulnz/notes/CVE-1',
      vulnerability: { severity: 'HIGH', packageIssue: [{ affectedCpeUri: 'c', affectedPackage: 'p' }] },
    };
    const att = JSON.parse(
      OCCURRENCE.replace(`app@sha256:${'b'.repeat(64)}`, `app@sha256:${'d'.repeat(64)}`),
    );
    const batch = await call(
      google.url,
      'POST',
      '/v1/projects/filters/occurrences:batchCreate',
      JSON.stringify({ occurrences: [vuln, att] }),
    );
    expect(batch.status).toBe(200);
    const count = async (filter: string) => {
      const r = await call(
        google.url,
        'GET',
        `/v1/projects/filters/occurrences?filter=${encodeURIComponent(filter)}`,
      );
      expect(r.status).toBe(200);
      return ((r.json.occurrences ?? []) as unknown[]).length;
    };
    expect(await count(`(kind="VULNERABILITY" AND resourceUrl="${uri}")`)).toBe(1);
    expect(await count(`kind = "VULNERABILITY" AND resourceUrl = "${uri}"`)).toBe(1);
    expect(await count(`resourceUrl="${uri}" AND kind="PACKAGE_VULNERABILITY"`)).toBe(1);
    expect(await count(`resourceUrl="${uri}"`)).toBe(2);
    expect(await count(`resource_url="${uri}" AND kind="ATTESTATION"`)).toBe(1);
    expect(await count(`has_suffix(resourceUrl, "sha256:${'d'.repeat(64)}")`)).toBe(2);
    expect(await count(`resourceUrl="${uri}" AND noteProjectId="goog-vulnz" AND noteId="CVE-1"`)).toBe(1);
    expect(await count(`kind="BUILD"`)).toBe(0);
    expect(await count(`kind="BUILD" OR kind="VULNERABILITY"`)).toBe(1);
    expect(await count(`NOT kind="VULNERABILITY" AND has_prefix(resource_url, "https://gcr.io/p/")`)).toBe(1);
  });
});
