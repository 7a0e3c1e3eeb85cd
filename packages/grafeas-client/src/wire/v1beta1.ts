import { z } from 'zod';
import {
  type Note,
  type NoteSpec,
  noteSpecOf,
  type Occurrence,
  type OccurrenceSpec,
  type PackageIssue,
  type PackageVersion,
  type VulnerabilityNoteDetail,
  type VulnerabilityOccurrenceSpec,
} from '../model.js';
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
  parsePgp,
} from './details.js';
import { camelizeKeys, compact, describeZodError, isRecord, list, optNumber, optString } from './json.js';

const DETAIL_KEYS = [
  'vulnerability',
  'build',
  'derivedImage',
  'installation',
  'deployment',
  'discovered',
  'attestation',
  'intoto',
  'sbom',
  'spdxPackage',
  'spdxFile',
  'spdxRelationship',
  'sbomReference',
  'envelope',
] as const;

const location = z
  .unknown()
  .transform((v) => {
    if (!isRecord(v)) return undefined;
    return {
      cpeUri: typeof v.cpeUri === 'string' ? v.cpeUri : '',
      package: typeof v.package === 'string' ? v.package : '',
      version: optVersion.parse(v.version),
    };
  })
  .optional();

const packageIssue = z
  .object({
    affectedLocation: location,
    fixedLocation: location,
    packageType: optString,
    effectiveSeverity: z.unknown().optional(),
  })
  .transform((p): PackageIssue => {
    const fixed = p.fixedLocation;
    const fixKind = fixed?.version?.kind;
    return compact({
      affectedCpeUri: p.affectedLocation?.cpeUri ?? '',
      affectedPackage: p.affectedLocation?.package ?? '',
      affectedVersion: p.affectedLocation?.version,
      fixedCpeUri: fixed?.cpeUri || undefined,
      fixedPackage: fixed?.package || undefined,
      fixedVersion: fixed?.version,
      // Kritis IsFixAvailable: a fixed version is present and its kind is not MAXIMUM.
      fixAvailable: fixKind !== undefined && fixKind !== 'MAXIMUM' && fixKind !== 'VERSION_KIND_UNSPECIFIED',
      packageType: p.packageType,
      effectiveSeverity: p.effectiveSeverity === undefined ? undefined : severity.parse(p.effectiveSeverity),
    });
  });

const vulnerability = z.object({
  severity,
  effectiveSeverity: severity,
  cvssScore: optNumber,
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
      fixAvailable: v.packageIssue.length > 0 && v.packageIssue.every((p) => p.fixAvailable),
      packages: v.packageIssue,
      shortDescription: v.shortDescription,
      longDescription: v.longDescription,
    }),
  };
}

/** v1beta1 nests Details{attestation: Attestation}; the legacy Kritis shape nests once. */
function parseAttestation(raw: unknown) {
  if (!isRecord(raw)) return { ok: false as const, reason: 'attestation details are not an object' };
  const inner = isRecord(raw.attestation) ? raw.attestation : raw;
  if (isRecord(inner.pgpSignedAttestation)) return parsePgp(inner.pgpSignedAttestation);
  if (isRecord(inner.genericSignedAttestation)) return parseGeneric(inner.genericSignedAttestation);
  return {
    ok: false as const,
    reason: 'attestation has neither pgpSignedAttestation nor genericSignedAttestation',
  };
}

function resourceUriOf(json: Record<string, unknown>): string | undefined {
  const resource = json.resource;
  if (isRecord(resource) && typeof resource.uri === 'string' && resource.uri) return resource.uri;
  // Legacy Kritis / v1alpha1 bodies carry a top-level resourceUrl.
  if (typeof json.resourceUrl === 'string' && json.resourceUrl) return json.resourceUrl;
  if (typeof json.resourceUri === 'string' && json.resourceUri) return json.resourceUri;
  return undefined;
}

function occurrenceFromWire(raw: unknown): Parsed<WireOccurrence> {
  try {
    const json = camelizeKeys(raw);
    if (!isRecord(json)) return skip(raw, 'occurrence is not a JSON object');
    const stored = z.object(storedFields).parse(json);
    const resourceUri = resourceUriOf(json);
    if (!resourceUri) return skip(json, 'resource.uri is missing');
    const noteName = typeof json.noteName === 'string' ? json.noteName : '';
    if (!noteName) return skip(json, 'noteName is missing');
    const remediation =
      typeof json.remediation === 'string' && json.remediation ? json.remediation : undefined;
    const common = compact({ resourceUri, noteName, remediation });
    const spec = detailsOf(json, common);
    if (!spec.ok) return skip(json, spec.reason);
    return { ok: true, value: compact({ spec: spec.value, ...stored }) };
  } catch (error) {
    return skip(raw, `unreadable occurrence: ${(error as Error).message}`);
  }
}

function detailsOf(
  json: Record<string, unknown>,
  common: { resourceUri: string; noteName: string; remediation?: string },
): DetailResult<OccurrenceSpec> {
  const present = DETAIL_KEYS.filter((k) => json[k] !== undefined && json[k] !== null);
  const key = present[0];
  if (key === undefined) return { ok: false, reason: 'occurrence has no details field' };
  if (present.length > 1 && key !== 'envelope' && present[1] !== 'envelope') {
    return { ok: false, reason: `occurrence has several details fields: ${present.join(', ')}` };
  }
  if (key === 'attestation') {
    const a = parseAttestation(json.attestation);
    return a.ok ? { ok: true, value: { kind: 'ATTESTATION', ...common, signature: a.value } } : a;
  }
  if (key === 'vulnerability') {
    const v = parseVulnerability(json.vulnerability);
    return v.ok ? { ok: true, value: { kind: 'VULNERABILITY', ...common, ...v.value } } : v;
  }
  if (key === 'discovered') {
    const outer = json.discovered;
    const d = parseDiscovery(isRecord(outer) && isRecord(outer.discovered) ? outer.discovered : outer);
    return d.ok ? { ok: true, value: { kind: 'DISCOVERY', ...common, ...d.value } } : d;
  }
  return { ok: false, reason: `occurrence kind "${key}" is not supported` };
}

function locationOut(cpeUri: string, pkg: string, version: PackageVersion | undefined) {
  return compact({ cpeUri, package: pkg, version: versionToWire(version, 'v1beta1') });
}

function packageIssueOut(p: PackageIssue): Record<string, unknown> {
  // v1beta1 has no fixAvailable: a missing fix is spelled as a MAXIMUM fixed version.
  const fixedVersion: PackageVersion | undefined = p.fixAvailable
    ? (p.fixedVersion ?? { kind: 'NORMAL' })
    : { kind: 'MAXIMUM' };
  return compact({
    affectedLocation: locationOut(p.affectedCpeUri, p.affectedPackage, p.affectedVersion),
    fixedLocation: locationOut(
      p.fixedCpeUri ?? p.affectedCpeUri,
      p.fixedPackage ?? p.affectedPackage,
      fixedVersion,
    ),
    packageType: p.packageType,
    effectiveSeverity: p.effectiveSeverity,
  });
}

function occurrenceToWire(o: Occurrence | OccurrenceSpec, options?: ToWireOptions): Record<string, unknown> {
  const envelope = envelopeOut(o as Partial<Occurrence>, options?.kind ? o.kind : undefined);
  const base = {
    ...envelope,
    resource: { uri: o.resourceUri },
    noteName: o.noteName,
    remediation: o.remediation,
  };
  if (o.kind === 'ATTESTATION') {
    const s = o.signature;
    const inner =
      s.form === 'pgp'
        ? { pgpSignedAttestation: { signature: s.signature, contentType: s.contentType, pgpKeyId: s.keyId } }
        : {
            genericSignedAttestation: {
              contentType: s.contentType ?? 'SIMPLE_SIGNING_JSON',
              ...genericToWire(s),
            },
          };
    return compact({ ...base, attestation: { attestation: inner } });
  }
  if (o.kind === 'VULNERABILITY') {
    return compact({
      ...base,
      vulnerability: compact({
        severity: o.severity,
        effectiveSeverity: o.effectiveSeverity,
        cvssScore: o.cvssScore,
        packageIssue: o.packages.map(packageIssueOut),
        shortDescription: o.shortDescription,
        longDescription: o.longDescription,
      }),
    });
  }
  return compact({ ...base, discovered: { discovered: discoveryToWire(o) } });
}

const noteDetail = z
  .object({
    cpeUri: optString,
    package: optString,
    description: optString,
    severityName: optString,
    minAffectedVersion: optVersion,
    maxAffectedVersion: optVersion,
    fixedLocation: location,
  })
  .transform(
    (d): VulnerabilityNoteDetail =>
      compact({
        cpeUri: d.cpeUri ?? '',
        package: d.package ?? '',
        description: d.description,
        severityName: d.severityName,
        minAffectedVersion: d.minAffectedVersion,
        maxAffectedVersion: d.maxAffectedVersion,
        fixedCpeUri: d.fixedLocation?.cpeUri || undefined,
        fixedPackage: d.fixedLocation?.package || undefined,
        fixedVersion: d.fixedLocation?.version,
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
    if (isRecord(json.attestationAuthority)) {
      const hint = json.attestationAuthority.hint;
      const name =
        isRecord(hint) && typeof hint.humanReadableName === 'string' ? hint.humanReadableName : undefined;
      spec = compact({ kind: 'ATTESTATION' as const, ...common, humanReadableName: name });
    } else if (isRecord(json.vulnerability)) {
      const v = vulnerabilityNote.safeParse(json.vulnerability);
      if (!v.success) return skip(json, `vulnerability ${describeZodError(v.error)}`);
      spec = compact({ kind: 'VULNERABILITY' as const, ...common, ...v.data, cvssScore: v.data.cvssScore });
    } else {
      return skip(
        json,
        'note type is missing or not supported (expected attestationAuthority or vulnerability)',
      );
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
    return { ...common, attestationAuthority: hint };
  }
  return {
    ...common,
    vulnerability: compact({
      severity: spec.severity,
      cvssScore: spec.cvssScore,
      details: spec.details.map((d) =>
        compact({
          cpeUri: d.cpeUri,
          package: d.package,
          description: d.description,
          severityName: d.severityName,
          minAffectedVersion: versionToWire(d.minAffectedVersion, 'v1beta1'),
          maxAffectedVersion: versionToWire(d.maxAffectedVersion, 'v1beta1'),
          fixedLocation: d.fixedVersion
            ? locationOut(d.fixedCpeUri ?? d.cpeUri, d.fixedPackage ?? d.package, d.fixedVersion)
            : undefined,
        }),
      ),
    }),
  };
}

export const v1beta1Mapper: WireMapper = {
  version: 'v1beta1',
  occurrenceFromWire,
  occurrenceToWire,
  noteFromWire,
  noteToWire,
};
