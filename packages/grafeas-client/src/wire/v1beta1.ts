import { judgeFixAvailable } from '@signet/signing/severity';
import { z } from 'zod';
import type {
  Occurrence,
  OccurrenceSpec,
  PackageIssue,
  PackageVersion,
  VulnerabilityNoteDetail,
} from '../model.js';
import type { DetailResult } from './detail-result.js';
import { compact, isRecord, optString } from './json.js';
import {
  envelopeOut,
  isFixVersion,
  noteWire,
  type OccurrenceCommon,
  occurrenceFromWireWith,
  optSeverity,
  optVersion,
  parseVulnerabilityWith,
  type ToWireOptions,
  versionToWire,
  vulnerabilitySchema,
  vulnerabilityToWire,
  type WireMapper,
} from './shared-mapper.js';
import {
  discoveryToWire,
  genericToWire,
  parseDiscovery,
  parseGeneric,
  parsePgp,
} from './signature-and-discovery.js';

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
    severityName: optString,
  })
  .transform((p): PackageIssue => {
    const fixed = p.fixedLocation;
    return compact({
      affectedCpeUri: p.affectedLocation?.cpeUri ?? '',
      affectedPackage: p.affectedLocation?.package ?? '',
      affectedVersion: p.affectedLocation?.version,
      fixedCpeUri: fixed?.cpeUri || undefined,
      fixedPackage: fixed?.package || undefined,
      fixedVersion: fixed?.version,
      fixAvailable: isFixVersion(fixed?.version),
      packageType: p.packageType,
      effectiveSeverity: optSeverity(p.effectiveSeverity),
      severityName: p.severityName,
    });
  });

const vulnerability = vulnerabilitySchema(packageIssue);

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

function detailsOf(json: Record<string, unknown>, common: OccurrenceCommon): DetailResult<OccurrenceSpec> {
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
    const v = parseVulnerabilityWith(json.vulnerability, vulnerability, (v) =>
      judgeFixAvailable(v.packageIssue.map((p) => p.fixAvailable)),
    );
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
    severityName: p.severityName,
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
    return compact({ ...base, vulnerability: vulnerabilityToWire(o, packageIssueOut, undefined) });
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

export const v1beta1Mapper: WireMapper = {
  version: 'v1beta1',
  occurrenceFromWire: (raw) =>
    occurrenceFromWireWith(raw, { resourceField: 'resource.uri', resourceUriOf, detailsOf }),
  occurrenceToWire,
  ...noteWire({
    attestationField: 'attestationAuthority',
    noteDetail,
    noteDetailOut: (d) =>
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
  }),
};
