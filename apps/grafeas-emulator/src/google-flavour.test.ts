import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from './server.js';

const IMG = `https://us-docker.pkg.dev/p/repo/app@sha256:${'1'.repeat(64)}`;

/** A vulnerability occurrence with the fields Signet's model does not hold (issue 12's list). */
const VULNERABILITY = {
  resourceUri: IMG,
  noteName: 'projects/goog-vulnz/notes/CVE-2023-0286',
  vulnerability: {
    severity: 'HIGH',
    effectiveSeverity: 'HIGH',
    cvssScore: 7.4,
    cvssVersion: 'CVSS_VERSION_3',
    cvssv3: { baseScore: 7.4, attackVector: 'ATTACK_VECTOR_NETWORK' },
    type: 'OS',
    relatedUrls: [{ url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-0286', label: 'NVD' }],
    extraDetails: 'details',
    fixAvailable: true,
    vexAssessment: {
      state: 'NOT_AFFECTED',
      justification: { justificationType: 'VULNERABLE_CODE_NOT_PRESENT' },
    },
    packageIssue: [
      {
        affectedCpeUri: 'cpe:/o:debian:debian_linux:12',
        affectedPackage: 'openssl',
        affectedVersion: { name: '3.0.7', kind: 'NORMAL' },
        fixedVersion: { name: '3.0.8', kind: 'NORMAL' },
        fixAvailable: true,
        fileLocation: [{ filePath: '/usr/lib/libssl.so.3' }],
      },
    ],
  },
};

const DISCOVERY = {
  resourceUri: IMG,
  noteName: 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY',
  discovery: {
    continuousAnalysis: 'ACTIVE',
    analysisStatus: 'FINISHED_SUCCESS',
    analysisCompleted: { analysisType: ['OS'] },
    lastScanTime: '2025-01-01T12:34:56.789012Z',
    archiveTime: '2025-02-01T00:00:00Z',
    sbomStatus: { sbomState: 'COMPLETE' },
  },
};

const VEX_NOTE = {
  vulnerabilityAssessment: {
    title: 'VEX for app',
    languageCode: 'en-US',
    product: { name: 'app', id: 'app', genericUri: IMG },
    assessment: { vulnerabilityId: 'CVE-2023-0286', state: 'NOT_AFFECTED' },
  },
};

describe('the Google flavour keeps what clients wrote and serves the routes gcloud uses', () => {
  let emulator: RunningEmulator;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    emulator = await startEmulator({ flavor: 'google' });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('round-trips fields Signet does not model (lastScanTime, vexAssessment, CVSS, fileLocation)', async () => {
    const created = await call('POST', '/v1/projects/p/occurrences:batchCreate', {
      occurrences: [VULNERABILITY, DISCOVERY],
    });
    expect(created.status).toBe(200);
    const listed = await call(
      'GET',
      `/v1/projects/p/occurrences?filter=${encodeURIComponent(`resourceUrl="${IMG}"`)}`,
    );
    const [vulnerability, discovery] = listed.json.occurrences as Record<string, unknown>[];
    expect(vulnerability).toMatchObject({ ...VULNERABILITY, kind: 'VULNERABILITY' });
    expect(vulnerability!.vulnerability).toEqual(VULNERABILITY.vulnerability);
    expect(discovery!.discovery).toEqual(DISCOVERY.discovery);
  });

  it('notes:batchCreate takes a VEX (VULNERABILITY_ASSESSMENT) note and returns it whole', async () => {
    const created = await call('POST', '/v1/projects/p/notes:batchCreate', { notes: { vex: VEX_NOTE } });
    expect(created.status).toBe(200);
    const note = await call('GET', '/v1/projects/p/notes/vex');
    expect(note.json).toMatchObject({
      name: 'projects/p/notes/vex',
      kind: 'VULNERABILITY_ASSESSMENT',
      ...VEX_NOTE,
    });
  });

  it('PATCH with updateMask changes only the named fields; without one, the fields sent', async () => {
    const created = await call('POST', '/v1/projects/p/occurrences', DISCOVERY);
    const name = String(created.json.name);
    const patched = await call('PATCH', `/v1/${name}?updateMask=discovery.analysisStatus,remediation`, {
      discovery: { analysisStatus: 'FINISHED_FAILED', lastScanTime: 'ignored' },
      remediation: 'rescan',
    });
    expect(patched.status).toBe(200);
    expect(patched.json.discovery).toEqual({ ...DISCOVERY.discovery, analysisStatus: 'FINISHED_FAILED' });
    expect(patched.json.remediation).toBe('rescan');
    expect(patched.json.createTime).toBe(created.json.createTime);
    const note = await call('PATCH', '/v1/projects/p/notes/vex', { shortDescription: 'VEX' });
    expect(note.json).toMatchObject({ shortDescription: 'VEX', ...VEX_NOTE });
    expect((await call('PATCH', '/v1/projects/p/notes/missing', {})).status).toBe(404);
  });

  it('serves every route under projects/P/locations/L too, apart from the global one', async () => {
    const regional = await call('POST', '/v1/projects/p/locations/us/occurrences', DISCOVERY);
    expect(regional.status).toBe(200);
    expect(String(regional.json.name)).toMatch(/^projects\/p\/locations\/us\/occurrences\/[0-9a-f-]{36}$/);
    expect((await call('GET', `/v1/${regional.json.name}`)).status).toBe(200);
    const notes = await call('POST', '/v1/projects/p/locations/us/notes?noteId=vex', VEX_NOTE);
    expect(notes.json.name).toBe('projects/p/locations/us/notes/vex');
    const listed = await call('GET', '/v1/projects/p/locations/us/occurrences');
    expect(listed.json.occurrences).toHaveLength(1);
    expect((await call('GET', '/v1/projects/p/locations/UPPER/occurrences')).status).toBe(400);
  });

  it('occurrences:vulnerabilitySummary counts per resource and per severity', async () => {
    const summary = await call(
      'GET',
      `/v1/projects/p/occurrences:vulnerabilitySummary?filter=${encodeURIComponent(`resourceUrl="${IMG}"`)}`,
    );
    expect(summary.json).toEqual({
      counts: [
        { resourceUri: IMG, fixableCount: '1', totalCount: '1' },
        { resourceUri: IMG, severity: 'HIGH', fixableCount: '1', totalCount: '1' },
      ],
    });
    const none = await call('GET', '/v1/projects/nobody/occurrences:vulnerabilitySummary');
    expect(none.json).toEqual({});
  });

  it('answers errors in Google`s shape {error: {code, message, status}}', async () => {
    const missing = await call('GET', '/v1/projects/p/occurrences/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      error: { code: 404, message: expect.stringContaining('does not Exist'), status: 'NOT_FOUND' },
    });
    const badFilter = await call(
      'GET',
      `/v1/projects/p/occurrences?filter=${encodeURIComponent('severity="HIGH"')}`,
    );
    expect(badFilter.json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(String((badFilter.json.error as { message: string }).message)).toContain(
      'unsupported field "severity"',
    );
  });
});
