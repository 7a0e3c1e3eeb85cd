import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unreadableFindings, type VulnerabilityRecord, vulnerabilityFinding } from './occurrence-source.js';
import { judgeSeverity, readSeverity, SEVERITY_LIMITS, type SeverityLimit } from './severity.js';
import { describeExcess, findExcessVulnerabilities, type VulnerabilityLimits } from './vulnerabilities.js';

// Issue 19: one severity rule, one fix rule, and unreadable occurrences that fail closed.

/** A VULNERABILITY occurrence as a store may hold it: any value in any severity or fix field. */
interface RawRecord {
  effectiveSeverity?: unknown;
  severity?: unknown;
  fixAvailable?: unknown;
  packages: { effectiveSeverity?: unknown; severityName?: unknown; fixAvailable?: unknown }[];
}

function findingOf(raw: RawRecord) {
  return vulnerabilityFinding({
    noteName: 'projects/goog-vulnz/notes/CVE-19',
    cveId: 'CVE-19',
    ...raw,
    packages: raw.packages.map((p) => ({ affectedPackage: 'zlib', ...p })),
  } as VulnerabilityRecord);
}

const limits = (fixable: SeverityLimit, unfixable: SeverityLimit = fixable): VulnerabilityLimits => ({
  maximumFixable: fixable,
  maximumUnfixable: unfixable,
  allowlistCVEs: [],
});
const denied = (raw: RawRecord, l: VulnerabilityLimits) =>
  findExcessVulnerabilities([findingOf(raw)], l).length > 0;

describe('the severity rule (regressions)', () => {
  it('reads effectiveSeverity 5 (a proto number) as CRITICAL, not the LOW of severity', () => {
    const raw = { effectiveSeverity: 5, severity: 'LOW', fixAvailable: true, packages: [] };
    expect(judgeSeverity(findingOf(raw))).toEqual({ severity: 'CRITICAL', known: true });
    expect(denied(raw, limits('HIGH'))).toBe(true);
  });

  it('judges a LOW occurrence with a CRITICAL package issue as CRITICAL', () => {
    const raw = {
      effectiveSeverity: 'LOW',
      fixAvailable: true,
      packages: [{ effectiveSeverity: 'CRITICAL' }],
    };
    expect(judgeSeverity(findingOf(raw))).toEqual({ severity: 'CRITICAL', known: true });
    expect(denied(raw, limits('HIGH'))).toBe(true);
  });

  it.each([
    [{ effectiveSeverity: 'high' }, 'HIGH', true],
    [{ effectiveSeverity: '3' }, 'MEDIUM', true],
    [{ effectiveSeverity: 'SEVERITY_UNSPECIFIED', severity: 2 }, 'LOW', true],
    [
      { effectiveSeverity: 0, packageSeverities: [], severity: undefined, severityNames: ['minimal'] },
      'MINIMAL',
      true,
    ],
    [{ effectiveSeverity: 'LOW', severity: 'CRITICAL' }, 'LOW', true],
    [{ effectiveSeverity: 'LOW', severity: 'SEVERE' }, 'CRITICAL', false],
    [{ effectiveSeverity: 6 }, 'CRITICAL', false],
    [{}, 'CRITICAL', false],
  ])('%j is judged %s (known: %s)', (fields, severity, known) => {
    expect(judgeSeverity(fields)).toEqual({ severity, known });
  });
});

describe('the fix rule (regressions)', () => {
  it('judges fixAvailable "true" (a string) by the stricter, fixable limit', () => {
    const raw = { effectiveSeverity: 'HIGH', fixAvailable: 'true', packages: [{ fixAvailable: false }] };
    expect(findingOf(raw).fixAvailable).toBe(true);
    expect(denied(raw, limits('MEDIUM', 'ALLOW_ALL'))).toBe(true);
  });

  it('lets a package that has a fix overrule an occurrence that says none', () => {
    const raw = { effectiveSeverity: 'HIGH', fixAvailable: false, packages: [{ fixAvailable: true }] };
    expect(denied(raw, limits('MEDIUM', 'ALLOW_ALL'))).toBe(true);
  });

  it('still uses the no-fix limit when every flag says no fix', () => {
    const raw = { effectiveSeverity: 'HIGH', fixAvailable: false, packages: [{ fixAvailable: false }] };
    expect(denied(raw, limits('MEDIUM', 'ALLOW_ALL'))).toBe(false);
  });
});

describe('occurrences the store could not read', () => {
  const unreadable = (kinds: string[] | undefined) => ({
    name: 'projects/p/occurrences/o1',
    reason: 'vulnerability packageIssue.0: expected object, received null',
    ...(kinds ? { kinds } : {}),
  });

  it('fail the image closed when they may be a vulnerability or a scan, whatever the limits', () => {
    for (const kinds of [
      ['VULNERABILITY'],
      ['DISCOVERY'],
      [],
      undefined,
      ['BUILD', 'VULNERABILITY'],
      ['1'],
    ]) {
      const findings = unreadableFindings([unreadable(kinds)]);
      const excess = findExcessVulnerabilities(findings, {
        ...limits('ALLOW_ALL'),
        allowlistCVEs: ['CVE-1'],
      });
      expect(describeExcess(excess)).toBe(
        'occurrence projects/p/occurrences/o1 could not be read (vulnerability packageIssue.0: expected object, received null)',
      );
    }
  });

  it('are skipped when they are of a kind no ImageSecurityPolicy reads (an attestation can only deny)', () => {
    expect(unreadableFindings([unreadable(['ATTESTATION']), unreadable(['BUILD'])])).toEqual([]);
  });
});

// Every field combination: names (any case), numbers (JSON numbers and numeric strings), UNSPECIFIED,
// absent and garbage; and fix flags of every type.
const SEVERITY_VALUES: unknown[] = [
  undefined,
  null,
  'SEVERITY_UNSPECIFIED',
  'severity_unspecified',
  0,
  '0',
  'MINIMAL',
  'LOW',
  'MEDIUM',
  'HIGH',
  'CRITICAL',
  'minimal',
  'low',
  'Medium',
  'high',
  'critical',
  1,
  2,
  3,
  4,
  5,
  '1',
  '5',
  'SEVERE',
  '',
  6,
  -1,
  2.5,
  '7',
  true,
  {},
];
const FIX_VALUES: unknown[] = [undefined, null, true, false, 'true', 'false', 1, 0];
const severityValue = fc.constantFrom(...SEVERITY_VALUES);
const fixValue = fc.constantFrom(...FIX_VALUES);
const rawRecord: fc.Arbitrary<RawRecord> = fc.record({
  effectiveSeverity: severityValue,
  severity: severityValue,
  fixAvailable: fixValue,
  packages: fc.array(
    fc.record({ effectiveSeverity: severityValue, severityName: severityValue, fixAvailable: fixValue }),
    { maxLength: 3 },
  ),
});
const limit = fc.constantFrom(...SEVERITY_LIMITS);

/** The fields that decide, in order: a tier is used only when the ones before say nothing. */
function tiers(raw: RawRecord): unknown[][] {
  return [
    [raw.effectiveSeverity, ...raw.packages.map((p) => p.effectiveSeverity)],
    [raw.severity],
    raw.packages.map((p) => p.severityName),
  ];
}

function fixFlags(raw: RawRecord): unknown[] {
  return [raw.fixAvailable, ...raw.packages.map((p) => p.fixAvailable)];
}

describe('properties over generated vulnerability records', () => {
  it('the decision is never more lenient than judging any deciding known severity alone', () => {
    fc.assert(
      fc.property(rawRecord, limit, limit, (raw, fixable, unfixable) => {
        const l = limits(fixable, unfixable);
        const deciding = tiers(raw).find((tier) => tier.some((v) => readSeverity(v) !== 'NONE')) ?? [];
        for (const value of deciding) {
          if (readSeverity(value) === 'NONE') continue;
          // The same record with only this one severity (and the same fix flags).
          const alone: RawRecord = {
            effectiveSeverity: value,
            fixAvailable: raw.fixAvailable,
            packages: raw.packages.map((p) => ({ fixAvailable: p.fixAvailable })),
          };
          if (denied(alone, l)) expect(denied(raw, l)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('an unknown value in any severity field never admits under limits below CRITICAL', () => {
    const belowCritical = fc.constantFrom<SeverityLimit>('MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'BLOCK_ALL');
    fc.assert(
      fc.property(rawRecord, belowCritical, belowCritical, (raw, fixable, unfixable) => {
        const unknown = tiers(raw)
          .flat()
          .some((v) => readSeverity(v) === 'UNKNOWN');
        fc.pre(unknown);
        expect(denied(raw, limits(fixable, unfixable))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('an ambiguous fix state is judged by the fixable limit', () => {
    fc.assert(
      fc.property(rawRecord, limit, limit, (raw, fixable, unfixable) => {
        const saysFix = fixFlags(raw).some((f) => f !== undefined && f !== null && f !== false);
        const asFixable = { ...raw, fixAvailable: true };
        const asUnfixable = {
          ...raw,
          fixAvailable: false,
          packages: raw.packages.map((p) => ({ ...p, fixAvailable: false })),
        };
        const l = limits(fixable, unfixable);
        expect(denied(raw, l)).toBe(denied(saysFix ? asFixable : asUnfixable, l));
      }),
      { numRuns: 2000 },
    );
  });
});
