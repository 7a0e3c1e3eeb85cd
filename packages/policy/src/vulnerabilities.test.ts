import { parseImageReference } from '@signet/signing';
import { describe, expect, it } from 'vitest';
import { vulnerabilityFinding } from './occurrence-source.js';
import { vulnerabilityProjectFor } from './project.js';
import { judgeSeverity, toSeverity, withinLimit } from './severity.js';
import { finding } from './test-support/memory-metadata.js';
import {
  checkVulnzSigningPolicy,
  cveIdOf,
  describeExcess,
  findExcessVulnerabilities,
} from './vulnerabilities.js';

describe('severities', () => {
  it('orders MINIMAL < LOW < MEDIUM < HIGH < CRITICAL; BLOCK_ALL and ALLOW_ALL are absolute', () => {
    expect(withinLimit('HIGH', 'HIGH')).toBe(true);
    expect(withinLimit('CRITICAL', 'HIGH')).toBe(false);
    expect(withinLimit('MINIMAL', 'LOW')).toBe(true);
    expect(withinLimit('LOW', 'MINIMAL')).toBe(false);
    expect(withinLimit('MINIMAL', 'BLOCK_ALL')).toBe(false);
    expect(withinLimit('CRITICAL', 'ALLOW_ALL')).toBe(true);
  });

  it('reads unknown values as SEVERITY_UNSPECIFIED', () => {
    expect(toSeverity('SEVERE')).toBe('SEVERITY_UNSPECIFIED');
    expect(toSeverity('constructor')).toBe('SEVERITY_UNSPECIFIED');
    expect(toSeverity(undefined)).toBe('SEVERITY_UNSPECIFIED');
  });
});

// The severity rule (README): the worst known of effectiveSeverity and the package issues'
// effectiveSeverity, else severity, else severityName; an unrecognised value is judged as CRITICAL.
describe('the severity rule (issue 11 finding 3, issue 10 finding 2, issue 19)', () => {
  const medium = { maximumFixable: 'MEDIUM', maximumUnfixable: 'MEDIUM', allowlistCVEs: [] } as const;
  const record = (fields: Record<string, unknown>, packages: Record<string, string>[] = []) =>
    vulnerabilityFinding({
      noteName: 'projects/goog-vulnz/notes/CVE-9',
      cveId: 'CVE-9',
      fixAvailable: false,
      ...fields,
      packages: packages.map((p) => ({ affectedPackage: 'openssl', ...p })),
    });

  it.each([
    ['severity only', record({ severity: 'CRITICAL' }), 'CRITICAL', true],
    [
      'effectiveSeverity UNSPECIFIED, as a real Grafeas returns it',
      record({ severity: 'HIGH', effectiveSeverity: 'SEVERITY_UNSPECIFIED' }),
      'HIGH',
      true,
    ],
    [
      'severity only at packageIssue[].effectiveSeverity',
      record({ severity: 'SEVERITY_UNSPECIFIED', effectiveSeverity: 'SEVERITY_UNSPECIFIED' }, [
        { effectiveSeverity: 'HIGH' },
      ]),
      'HIGH',
      true,
    ],
    ['v1beta1 severityName only', record({}, [{ severityName: 'CRITICAL' }]), 'CRITICAL', true],
    ['lowercase critical', record({ effectiveSeverity: 'critical' }), 'CRITICAL', true],
    ['an unrecognised value', record({ effectiveSeverity: 'SEVERE' }), 'CRITICAL', false],
    ['nothing at all', record({ severity: 'SEVERITY_UNSPECIFIED' }), 'CRITICAL', false],
  ])('%s is judged %s and fails a MEDIUM limit', (_, finding, severity, known) => {
    expect(judgeSeverity(finding)).toEqual({ severity, known });
    const excess = findExcessVulnerabilities([finding], medium);
    expect(excess).toEqual([
      { cveId: 'CVE-9', severity, severityKnown: known, fixAvailable: false, limit: 'MEDIUM' },
    ]);
  });

  it('effectiveSeverity outranks severity; the package issues count with it, the worst deciding', () => {
    expect(judgeSeverity({ effectiveSeverity: 'LOW', severity: 'CRITICAL' })).toEqual({
      severity: 'LOW',
      known: true,
    });
    expect(
      findExcessVulnerabilities(
        [record({ effectiveSeverity: 'LOW' }, [{ effectiveSeverity: 'CRITICAL' }])],
        medium,
      ),
    ).toEqual([
      { cveId: 'CVE-9', severity: 'CRITICAL', severityKnown: true, fixAvailable: false, limit: 'MEDIUM' },
    ]);
  });

  it('the message says when the severity was unknown', () => {
    const excess = findExcessVulnerabilities([record({ effectiveSeverity: 'SEVERE' })], medium);
    expect(describeExcess(excess)).toBe('CVE-9 (severity unknown, judged CRITICAL, no fix)');
  });
});

describe('CVE ids', () => {
  it.each([
    ['projects/goog-vulnz/notes/CVE-2017-1000081', 'CVE-2017-1000081'],
    ['providers/goog-vulnz/notes/CVE-2017-1000081', 'CVE-2017-1000081'],
    ['cve-2017-1000081', 'CVE-2017-1000081'],
    [' CVE-1 ', 'CVE-1'],
  ])('%s is %s', (text, id) => {
    expect(cveIdOf(text)).toBe(id);
  });
});

describe('findExcessVulnerabilities', () => {
  const limits = {
    maximumFixable: 'MEDIUM' as const,
    maximumUnfixable: 'ALLOW_ALL' as const,
    allowlistCVEs: ['CVE-3'],
  };

  it('reports each CVE once, at its worst', () => {
    const excess = findExcessVulnerabilities(
      [
        finding('CVE-1', 'HIGH', true),
        finding('CVE-1', 'CRITICAL', true),
        finding('CVE-2', 'CRITICAL', false),
        finding('CVE-3', 'CRITICAL', true),
      ],
      limits,
    );
    expect(excess).toEqual([
      { cveId: 'CVE-1', severity: 'CRITICAL', severityKnown: true, fixAvailable: true, limit: 'MEDIUM' },
    ]);
  });

  it('matches the allowlist by the note name when the CVE id is missing', () => {
    expect(
      findExcessVulnerabilities(
        [finding('', 'CRITICAL', true, { noteName: 'projects/goog-vulnz/notes/CVE-3' })],
        limits,
      ),
    ).toEqual([]);
  });
});

describe('VulnzSigningPolicy', () => {
  const strict = {
    kind: 'VulnzSigningPolicy' as const,
    metadata: { name: 's' },
    maximumFixableSeverity: 'MEDIUM' as const,
    maximumUnfixableSeverity: 'MEDIUM' as const,
    allowlistCVEs: ['projects/goog-vulnz/notes/CVE-2021-20305'],
  };

  it('passes within limits and fails above them', () => {
    expect(
      checkVulnzSigningPolicy(strict, [
        finding('CVE-2021-20305', 'CRITICAL', true),
        finding('CVE-9', 'MEDIUM', false),
      ]),
    ).toEqual({ passed: true, excess: [] });
    expect(checkVulnzSigningPolicy(strict, [finding('CVE-8', 'HIGH', false)]).passed).toBe(false);
  });
});

describe('where vulnerabilities are looked up', () => {
  it.each([
    ['gcr.io/my-proj/app@sha256:x', 'my-proj'],
    ['eu.gcr.io/my-proj/team/app', 'my-proj'],
    ['gcr.io/example.com/proj/app', 'example.com:proj'],
    ['us-west1-docker.pkg.dev/ar-proj/repo/app', 'ar-proj'],
    ['quay.io/org/app', 'configured'],
    ['nginx', 'configured'],
  ])('%s -> %s', (image, project) => {
    expect(vulnerabilityProjectFor(parseImageReference(image.replace('@sha256:x', '')), 'configured')).toBe(
      project,
    );
  });

  it('knows no project for another registry without a setting', () => {
    expect(vulnerabilityProjectFor(parseImageReference('quay.io/org/app'))).toBeUndefined();
  });
});
