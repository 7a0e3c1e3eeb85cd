import { z } from 'zod';
import {
  type Note,
  type NoteSpec,
  noteSpecOf,
  type Occurrence,
  type OccurrenceSpec,
  type PackageIssue,
  type VulnerabilityNoteDetail,
  type VulnerabilityOccurrenceSpec,
} from '../model.js';
import { pgpSignedPayload } from '../pgp-literal.js';
import {
  envelopeOut,
  optVersion,
  type Parsed,
  relatedUrls,
  severity,
  skip,
  storedFields,
  type ToWireOptions,
  versionToWire,
  type WireMapper,
  type WireNote,
  type WireOccurrence,
} from './common.js';
import {
  type DetailResult,
  discoveryToWire,
  genericToWire,
  parseDiscovery,
  parseGeneric,
  pgpSignatureBytes,
} from './details.js';
import {
  camelizeKeys,
  compact,
  describeZodError,
  isRecord,
  list,
  optBoolean,
  optNumber,
  optString,
} from './json.js';

const DETAIL_KEYS = [
  'vulnerability',
  'build',
  'image',
  'package',
  'deployment',
  'discovery',
  'attestation',
  'upgrade',
  'compliance',
  'dsseAttestation',
  'sbomReference',
  'secret',
  'aiSkillAnalysis',
] as const;

const packageIssue = z
  .object({
    affectedCpeUri: optString,
    affectedPackage: optString,
    affectedVersion: optVersion,
    fixedCpeUri: optString,
    fixedPackage: optString,
    fixedVersion: optVersion,
    fixAvailable: optBoolean,
    packageType: optString,
    effectiveSeverity: z.unknown().optional(),
  })
  .transform((p): PackageIssue => {
    const fixKind = p.fixedVersion?.kind;
    const derived = fixKind !== undefined && fixKind !== 'MAXIMUM' && fixKind !== 'VERSION_KIND_UNSPECIFIED';
    return compact({
      affectedCpeUri: p.affectedCpeUri ?? '',
      affectedPackage: p.affectedPackage ?? '',
      affectedVersion: p.affectedVersion,
      fixedCpeUri: p.fixedCpeUri,
      fixedPackage: p.fixedPackage,
      fixedVersion: p.fixedVersion,
      fixAvailable: p.fixAvailable ?? derived,
      packageType: p.packageType,
      effectiveSeverity: p.effectiveSeverity === undefined ? undefined : severity.parse(p.effectiveSeverity),
    });
  });

const vulnerability = z.object({
  severity,
  effectiveSeverity: severity,
  cvssScore: optNumber,
  fixAvailable: optBoolean,
  packageIssue: list(packageIssue),
  shortDescription: optString,
  longDescription: optString,
});

type VulnFields = Omit<VulnerabilityOccurrenceSpec, 'kind' | 'resourceUri' | 'noteName' | 'remediation'>;

function parseVulnerability(raw: unknown): DetailResult<VulnFields> {
  if (!isRecord(raw)) return { ok: false, reason: 'vulnerability details are not an object' };
  const parsed = vulnerability.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `vulnerability ${describeZodError(parsed.error)}` };
  const v = parsed.data;
  return {
    ok: true,
    value: compact({
      severity: v.severity,
      effectiveSeverity: v.effectiveSeverity,
      cvssScore: v.cvssScore,
      fixAvailable: v.fixAvailable ?? v.packageIssue.some((p) => p.fixAvailable),
      packages: v.packageIssue,
      shortDescription: v.shortDescription,
      longDescription: v.longDescription,
    }),
  };
}

function resourceUriOf(json: Record<string, unknown>): string | undefined {
  if (typeof json.resourceUri === 'string' && json.resourceUri) return json.resourceUri;
  const resource = json.resource;
  if (isRecord(resource) && typeof resource.uri === 'string' && resource.uri) return resource.uri;
  return undefined;
}

function detailsOf(
  json: Record<string, unknown>,
  common: { resourceUri: string; noteName: string; remediation?: string },
): DetailResult<OccurrenceSpec> {
  const present = DETAIL_KEYS.filter((k) => json[k] !== undefined && json[k] !== null);
  const key = present[0];
  if (key === undefined) return { ok: false, reason: 'occurrence has no details field' };
  if (present.length > 1)
    return { ok: false, reason: `occurrence has several details fields: ${present.join(', ')}` };
  if (key === 'attestation') {
    const raw = json.attestation;
    if (!isRecord(raw)) return { ok: false, reason: 'attestation details are not an object' };
    const a = parseGeneric(raw);
    return a.ok ? { ok: true, value: { kind: 'ATTESTATION', ...common, signature: a.value } } : a;
  }
  if (key === 'vulnerability') {
    const v = parseVulnerability(json.vulnerability);
    return v.ok ? { ok: true, value: { kind: 'VULNERABILITY', ...common, ...v.value } } : v;
  }
  if (key === 'discovery') {
    const d = parseDiscovery(json.discovery);
    return d.ok ? { ok: true, value: { kind: 'DISCOVERY', ...common, ...d.value } } : d;
  }
  return { ok: false, reason: `occurrence kind "${key}" is not supported` };
}

function occurrenceFromWire(raw: unknown): Parsed<WireOccurrence> {
  try {
    const json = camelizeKeys(raw);
    if (!isRecord(json)) return skip(raw, 'occurrence is not a JSON object');
    const stored = z.object(storedFields).parse(json);
    const resourceUri = resourceUriOf(json);
    if (!resourceUri) return skip(json, 'resourceUri is missing');
    const noteName = typeof json.noteName === 'string' ? json.noteName : '';
    if (!noteName) return skip(json, 'noteName is missing');
    const remediation =
      typeof json.remediation === 'string' && json.remediation ? json.remediation : undefined;
    const spec = detailsOf(json, compact({ resourceUri, noteName, remediation }));
    if (!spec.ok) return skip(json, spec.reason);
    return { ok: true, value: compact({ spec: spec.value, ...stored }) };
  } catch (error) {
    return skip(raw, `unreadable occurrence: ${(error as Error).message}`);
  }
}

function packageIssueOut(p: PackageIssue): Record<string, unknown> {
  return compact({
    affectedCpeUri: p.affectedCpeUri,
    affectedPackage: p.affectedPackage,
    affectedVersion: versionToWire(p.affectedVersion, 'v1'),
    fixedCpeUri: p.fixedCpeUri,
    fixedPackage: p.fixedPackage,
    fixedVersion: versionToWire(p.fixedVersion, 'v1'),
    fixAvailable: p.fixAvailable,
    packageType: p.packageType,
    effectiveSeverity: p.effectiveSeverity,
  });
}

function attestationOut(o: Extract<OccurrenceSpec, { kind: 'ATTESTATION' }>): Record<string, unknown> {
  const s = o.signature;
  if (s.form === 'generic') return genericToWire(s);
  // v1 has no PGP form: the armored signature travels as the signature bytes, keyed by fingerprint,
  // and the payload it carries as serializedPayload (so "verified content == serializedPayload" holds).
  return genericToWire({
    form: 'generic',
    serializedPayload: pgpSignedPayload(s.signature) ?? new Uint8Array(0),
    signatures: [{ publicKeyId: s.keyId, signature: pgpSignatureBytes(s.signature) }],
  });
}

function occurrenceToWire(o: Occurrence | OccurrenceSpec, options?: ToWireOptions): Record<string, unknown> {
  const envelope = envelopeOut(o as Partial<Occurrence>, options?.kind ? o.kind : undefined);
  const base = { ...envelope, resourceUri: o.resourceUri, noteName: o.noteName, remediation: o.remediation };
  if (o.kind === 'ATTESTATION') return compact({ ...base, attestation: attestationOut(o) });
  if (o.kind === 'VULNERABILITY') {
    return compact({
      ...base,
      vulnerability: compact({
        severity: o.severity,
        effectiveSeverity: o.effectiveSeverity,
        cvssScore: o.cvssScore,
        fixAvailable: o.fixAvailable,
        packageIssue: o.packages.map(packageIssueOut),
        shortDescription: o.shortDescription,
        longDescription: o.longDescription,
      }),
    });
  }
  return compact({ ...base, discovery: discoveryToWire(o) });
}

const noteDetail = z
  .object({
    affectedCpeUri: optString,
    affectedPackage: optString,
    description: optString,
    severityName: optString,
    affectedVersionStart: optVersion,
    affectedVersionEnd: optVersion,
    fixedCpeUri: optString,
    fixedPackage: optString,
    fixedVersion: optVersion,
  })
  .transform(
    (d): VulnerabilityNoteDetail =>
      compact({
        cpeUri: d.affectedCpeUri ?? '',
        package: d.affectedPackage ?? '',
        description: d.description,
        severityName: d.severityName,
        minAffectedVersion: d.affectedVersionStart,
        maxAffectedVersion: d.affectedVersionEnd,
        fixedCpeUri: d.fixedCpeUri,
        fixedPackage: d.fixedPackage,
        fixedVersion: d.fixedVersion,
      }),
  );

const noteEnvelope = z.object({
  ...storedFields,
  shortDescription: optString,
  longDescription: optString,
  relatedUrl: relatedUrls,
});

const vulnerabilityNote = z.object({ severity, cvssScore: optNumber, details: list(noteDetail) });

function noteFromWire(raw: unknown): Parsed<WireNote> {
  try {
    const json = camelizeKeys(raw);
    if (!isRecord(json)) return skip(raw, 'note is not a JSON object');
    const env = noteEnvelope.parse(json);
    const common = compact({
      shortDescription: env.shortDescription,
      longDescription: env.longDescription,
      relatedUrls: env.relatedUrl.length > 0 ? env.relatedUrl : undefined,
    });
    const stored = compact({ name: env.name, createTime: env.createTime, updateTime: env.updateTime });
    let spec: NoteSpec;
    if (isRecord(json.attestation)) {
      const hint = json.attestation.hint;
      const name =
        isRecord(hint) && typeof hint.humanReadableName === 'string' ? hint.humanReadableName : undefined;
      spec = compact({ kind: 'ATTESTATION' as const, ...common, humanReadableName: name });
    } else if (isRecord(json.vulnerability)) {
      const v = vulnerabilityNote.safeParse(json.vulnerability);
      if (!v.success) return skip(json, `vulnerability ${describeZodError(v.error)}`);
      spec = compact({ kind: 'VULNERABILITY' as const, ...common, ...v.data, cvssScore: v.data.cvssScore });
    } else {
      return skip(json, 'note type is missing or not supported (expected attestation or vulnerability)');
    }
    return { ok: true, value: { spec, ...stored } };
  } catch (error) {
    return skip(raw, `unreadable note: ${(error as Error).message}`);
  }
}

function noteToWire(note: Note | NoteSpec, options?: ToWireOptions): Record<string, unknown> {
  const envelope = envelopeOut(note as Partial<Note>, options?.kind ? note.kind : undefined);
  const spec = noteSpecOf(note);
  const common = compact({
    ...envelope,
    shortDescription: spec.shortDescription,
    longDescription: spec.longDescription,
    relatedUrl: spec.relatedUrls,
  });
  if (spec.kind === 'ATTESTATION') {
    const hint = spec.humanReadableName ? { hint: { humanReadableName: spec.humanReadableName } } : {};
    return { ...common, attestation: hint };
  }
  return {
    ...common,
    vulnerability: compact({
      severity: spec.severity,
      cvssScore: spec.cvssScore,
      details: spec.details.map((d) =>
        compact({
          affectedCpeUri: d.cpeUri,
          affectedPackage: d.package,
          description: d.description,
          severityName: d.severityName,
          affectedVersionStart: versionToWire(d.minAffectedVersion, 'v1'),
          affectedVersionEnd: versionToWire(d.maxAffectedVersion, 'v1'),
          fixedCpeUri: d.fixedCpeUri,
          fixedPackage: d.fixedPackage,
          fixedVersion: versionToWire(d.fixedVersion, 'v1'),
        }),
      ),
    }),
  };
}

export const v1Mapper: WireMapper = {
  version: 'v1',
  occurrenceFromWire,
  occurrenceToWire,
  noteFromWire,
  noteToWire,
};
