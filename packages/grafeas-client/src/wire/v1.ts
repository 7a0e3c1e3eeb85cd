import { pgpSignedPayload } from '@signet/signing';
import { judgeFixAvailable } from '@signet/signing/severity';
import { z } from 'zod';
import type { Occurrence, OccurrenceSpec, PackageIssue, VulnerabilityNoteDetail } from '../model.js';
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
  pgpSignatureBytes,
} from './signature-and-discovery.js';

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
    fixAvailable: z.unknown().optional(),
    packageType: optString,
    effectiveSeverity: z.unknown().optional(),
  })
  .transform(
    (p): PackageIssue =>
      compact({
        affectedCpeUri: p.affectedCpeUri ?? '',
        affectedPackage: p.affectedPackage ?? '',
        affectedVersion: p.affectedVersion,
        fixedCpeUri: p.fixedCpeUri,
        fixedPackage: p.fixedPackage,
        fixedVersion: p.fixedVersion,
        fixAvailable: judgeFixAvailable([p.fixAvailable, isFixVersion(p.fixedVersion)]),
        packageType: p.packageType,
        effectiveSeverity: optSeverity(p.effectiveSeverity),
      }),
  );

const vulnerability = vulnerabilitySchema(packageIssue).extend({ fixAvailable: z.unknown().optional() });

function resourceUriOf(json: Record<string, unknown>): string | undefined {
  if (typeof json.resourceUri === 'string' && json.resourceUri) return json.resourceUri;
  const resource = json.resource;
  if (isRecord(resource) && typeof resource.uri === 'string' && resource.uri) return resource.uri;
  return undefined;
}

function detailsOf(json: Record<string, unknown>, common: OccurrenceCommon): DetailResult<OccurrenceSpec> {
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
    const v = parseVulnerabilityWith(json.vulnerability, vulnerability, (v) =>
      judgeFixAvailable([v.fixAvailable, ...v.packageIssue.map((p) => p.fixAvailable)]),
    );
    return v.ok ? { ok: true, value: { kind: 'VULNERABILITY', ...common, ...v.value } } : v;
  }
  if (key === 'discovery') {
    const d = parseDiscovery(json.discovery);
    return d.ok ? { ok: true, value: { kind: 'DISCOVERY', ...common, ...d.value } } : d;
  }
  return { ok: false, reason: `occurrence kind "${key}" is not supported` };
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
    return compact({ ...base, vulnerability: vulnerabilityToWire(o, packageIssueOut, o.fixAvailable) });
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

export const v1Mapper: WireMapper = {
  version: 'v1',
  occurrenceFromWire: (raw) =>
    occurrenceFromWireWith(raw, { resourceField: 'resourceUri', resourceUriOf, detailsOf }),
  occurrenceToWire,
  ...noteWire({
    attestationField: 'attestation',
    noteDetail,
    noteDetailOut: (d) =>
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
  }),
};
