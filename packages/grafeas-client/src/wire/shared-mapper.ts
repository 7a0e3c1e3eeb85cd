/** The mapper interface, and the parts of the JSON mapping that v1 and v1beta1 share. */
import { readSeverity } from '@signet/signing/severity';
import { z } from 'zod';
import {
  ANALYSIS_STATUSES,
  type ApiVersion,
  CONTENT_TYPES,
  type Note,
  type NoteSpec,
  noteSpecOf,
  type Occurrence,
  type OccurrenceSpec,
  type PackageIssue,
  type PackageVersion,
  type RelatedUrl,
  type Skipped,
  type StoredSeverity,
  VERSION_KINDS,
  type VulnerabilityNoteDetail,
  type VulnerabilityOccurrenceSpec,
} from '../model.js';
import type { DetailResult } from './detail-result.js';
import {
  camelizeKeys,
  compact,
  describeZodError,
  isRecord,
  lenientEnum,
  list,
  optBoolean,
  optNumber,
  optString,
} from './json.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; skipped: Skipped };

/** A parsed create/list body: the spec plus whatever output-only fields came with it. */
export interface WireOccurrence {
  spec: OccurrenceSpec;
  name?: string;
  createTime?: string;
  updateTime?: string;
}

export interface WireNote {
  spec: NoteSpec;
  name?: string;
  createTime?: string;
  updateTime?: string;
}

export interface ToWireOptions {
  /** Emit `kind` (Google does; OSS Grafeas never does). */
  kind: boolean;
}

/** One API version's JSON mapping, both directions. Parsing never throws. */
export interface WireMapper {
  readonly version: ApiVersion;
  occurrenceFromWire(json: unknown): Parsed<WireOccurrence>;
  occurrenceToWire(occurrence: Occurrence | OccurrenceSpec, options?: ToWireOptions): Record<string, unknown>;
  noteFromWire(json: unknown): Parsed<WireNote>;
  noteToWire(note: Note | NoteSpec, options?: ToWireOptions): Record<string, unknown>;
}

/**
 * A severity field (see StoredSeverity): read by readSeverity of @signet/signing, so `5`, `"5"` and
 * `critical` are CRITICAL; absent, null and SEVERITY_UNSPECIFIED are SEVERITY_UNSPECIFIED; any other
 * value is kept as its text, for the decision to judge as unknown.
 */
function storedSeverity(raw: unknown): StoredSeverity {
  const reading = readSeverity(raw);
  if (reading === 'NONE') return 'SEVERITY_UNSPECIFIED';
  if (reading !== 'UNKNOWN') return reading;
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

const severity = z.unknown().optional().transform(storedSeverity);
export const contentType = lenientEnum(CONTENT_TYPES);
export const analysisStatus = lenientEnum(ANALYSIS_STATUSES);

const versionSchema = z
  .object({
    kind: lenientEnum(VERSION_KINDS),
    name: optString,
    epoch: optNumber,
    revision: optString,
    inclusive: optBoolean,
    fullName: optString,
  })
  .transform((v): PackageVersion => compact(v));

/** An optional nested Version: absent or malformed reads as undefined. */
export const optVersion = z
  .unknown()
  .transform((v) => {
    if (!isRecord(v)) return undefined;
    const parsed = versionSchema.safeParse(v);
    return parsed.success ? parsed.data : undefined;
  })
  .optional();

const relatedUrls = list(z.unknown())
  .transform((items) =>
    items.flatMap((item): RelatedUrl[] => {
      if (!isRecord(item) || typeof item.url !== 'string') return [];
      return [compact({ url: item.url, label: typeof item.label === 'string' ? item.label : undefined })];
    }),
  )
  .default([]);

export function versionToWire(v: PackageVersion | undefined, version: ApiVersion): unknown {
  if (!v) return undefined;
  return compact({
    epoch: v.epoch,
    name: v.name,
    revision: v.revision,
    inclusive: v.inclusive,
    kind: v.kind,
    fullName: version === 'v1' ? v.fullName : undefined,
  });
}

/** Envelope fields every occurrence shares; reads output-only fields if present. */
const storedFields = {
  name: optString,
  createTime: optString,
  updateTime: optString,
};

/** The kind each details field of v1 and v1beta1 holds (v1beta1's `envelope` rides along any kind). */
const KIND_OF_DETAILS: Record<string, string> = {
  vulnerability: 'VULNERABILITY',
  discovery: 'DISCOVERY',
  discovered: 'DISCOVERY',
  attestation: 'ATTESTATION',
  attestationAuthority: 'ATTESTATION',
  build: 'BUILD',
  image: 'IMAGE',
  derivedImage: 'IMAGE',
  package: 'PACKAGE',
  installation: 'PACKAGE',
  deployment: 'DEPLOYMENT',
  upgrade: 'UPGRADE',
  compliance: 'COMPLIANCE',
  dsseAttestation: 'DSSE_ATTESTATION',
  sbomReference: 'SBOM_REFERENCE',
  secret: 'SECRET',
  aiSkillAnalysis: 'AI_SKILL_ANALYSIS',
  intoto: 'INTOTO',
  sbom: 'SBOM',
  spdxPackage: 'SPDX_PACKAGE',
  spdxFile: 'SPDX_FILE',
  spdxRelationship: 'SPDX_RELATIONSHIP',
};

/** The kinds the mappers read: a record that claims one of them must carry its details. */
const READ_KINDS = new Set(['ATTESTATION', 'VULNERABILITY', 'DISCOVERY']);

/** The kinds a record claims: its `kind` field (as written) and the kinds of its details fields. */
function kindsOf(json: unknown): string[] {
  if (!isRecord(json)) return [];
  const kinds = new Set<string>();
  if (typeof json.kind === 'string' || typeof json.kind === 'number') kinds.add(String(json.kind));
  for (const [key, value] of Object.entries(json)) {
    const kind = KIND_OF_DETAILS[key];
    if (kind && value !== undefined && value !== null) kinds.add(kind);
  }
  return [...kinds];
}

function skip(json: unknown, reason: string, resourceUri?: string): { ok: false; skipped: Skipped } {
  const name = isRecord(json) && typeof json.name === 'string' ? json.name : undefined;
  return {
    ok: false,
    skipped: compact({ name, reason, resourceUri, kinds: kindsOf(json) }),
  };
}

/** Envelope output: output-only fields when present, then the body. */
export function envelopeOut(
  resource: { name?: string; createTime?: string; updateTime?: string },
  kind: string | undefined,
): Record<string, unknown> {
  return compact({
    name: resource.name,
    kind,
    createTime: resource.createTime,
    updateTime: resource.updateTime,
  });
}

/**
 * Kritis IsFixAvailable: a fixed version is present and its kind is not MAXIMUM. A kind that is not
 * NORMAL or MINIMUM (unspecified, or a value Grafeas does not define) leaves the fix state ambiguous,
 * so by the fix rule it counts as a fix.
 */
export function isFixVersion(version: PackageVersion | undefined): boolean {
  return version !== undefined && version.kind !== 'MAXIMUM';
}

export function optSeverity(raw: unknown): PackageIssue['effectiveSeverity'] {
  return raw === undefined || raw === null ? undefined : storedSeverity(raw);
}

const storedSchema = z.object(storedFields);

export type OccurrenceCommon = { resourceUri: string; noteName: string; remediation?: string };

/** How one API version spells an occurrence's resource and details. */
export interface OccurrenceShape {
  /** The resource field's wire name, for the "missing" message. */
  resourceField: string;
  resourceUriOf(json: Record<string, unknown>): string | undefined;
  detailsOf(json: Record<string, unknown>, common: OccurrenceCommon): DetailResult<OccurrenceSpec>;
}

export function occurrenceFromWireWith(raw: unknown, shape: OccurrenceShape): Parsed<WireOccurrence> {
  try {
    const conflicts: string[] = [];
    const json = camelizeKeys(raw, conflicts);
    if (!isRecord(json)) return skip(raw, 'occurrence is not a JSON object');
    const stored = storedSchema.parse(json);
    const resourceUri = shape.resourceUriOf(json);
    if (!resourceUri) return skip(json, `${shape.resourceField} is missing`);
    if (conflicts.length > 0) {
      const fields = [...new Set(conflicts)].join(', ');
      return skip(
        json,
        `fields given twice (proto and lowerCamel names) with different values: ${fields}`,
        resourceUri,
      );
    }
    const noteName = typeof json.noteName === 'string' ? json.noteName : '';
    if (!noteName) return skip(json, 'noteName is missing', resourceUri);
    const remediation =
      typeof json.remediation === 'string' && json.remediation ? json.remediation : undefined;
    const spec = shape.detailsOf(json, compact({ resourceUri, noteName, remediation }));
    if (!spec.ok) return skip(json, spec.reason, resourceUri);
    const claimed = typeof json.kind === 'string' ? json.kind.toUpperCase() : undefined;
    if (claimed && READ_KINDS.has(claimed) && claimed !== spec.value.kind) {
      return skip(
        json,
        `kind ${claimed} contradicts its ${spec.value.kind.toLowerCase()} details`,
        resourceUri,
      );
    }
    return { ok: true, value: compact({ spec: spec.value, ...stored }) };
  } catch (error) {
    return skip(raw, `unreadable occurrence: ${(error as Error).message}`);
  }
}

/** The vulnerability details fields both versions share; v1 adds `fixAvailable`. */
export function vulnerabilitySchema<T extends z.ZodType<PackageIssue>>(packageIssue: T) {
  return z.object({
    severity,
    effectiveSeverity: severity,
    cvssScore: optNumber,
    packageIssue: list(packageIssue),
    shortDescription: optString,
    longDescription: optString,
  });
}

type VulnFields = Omit<VulnerabilityOccurrenceSpec, 'kind' | 'resourceUri' | 'noteName' | 'remediation'>;
type VulnWire = z.infer<ReturnType<typeof vulnerabilitySchema>>;

export function parseVulnerabilityWith<S extends z.ZodType<VulnWire>>(
  raw: unknown,
  schema: S,
  fixAvailableOf: (v: z.infer<S>) => boolean,
): DetailResult<VulnFields> {
  if (!isRecord(raw)) return { ok: false, reason: 'vulnerability details are not an object' };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `vulnerability ${describeZodError(parsed.error)}` };
  const v = parsed.data;
  return {
    ok: true,
    value: compact({
      severity: v.severity,
      effectiveSeverity: v.effectiveSeverity,
      cvssScore: v.cvssScore,
      fixAvailable: fixAvailableOf(v),
      packages: v.packageIssue,
      shortDescription: v.shortDescription,
      longDescription: v.longDescription,
    }),
  };
}

export function vulnerabilityToWire(
  o: VulnerabilityOccurrenceSpec,
  packageIssueOut: (p: PackageIssue) => Record<string, unknown>,
  fixAvailable: boolean | undefined,
): Record<string, unknown> {
  return compact({
    severity: o.severity,
    effectiveSeverity: o.effectiveSeverity,
    cvssScore: o.cvssScore,
    fixAvailable,
    packageIssue: o.packages.map(packageIssueOut),
    shortDescription: o.shortDescription,
    longDescription: o.longDescription,
  });
}

/** How one API version spells a note's attestation field and vulnerability details. */
export interface NoteShape {
  /** `attestation` in v1, `attestationAuthority` in v1beta1. */
  attestationField: string;
  noteDetail: z.ZodType<VulnerabilityNoteDetail>;
  noteDetailOut(d: VulnerabilityNoteDetail): Record<string, unknown>;
}

const noteEnvelope = z.object({
  ...storedFields,
  shortDescription: optString,
  longDescription: optString,
  relatedUrl: relatedUrls,
});

/** Both note directions for one version; the envelope and note types are the same in v1 and v1beta1. */
export function noteWire(shape: NoteShape): Pick<WireMapper, 'noteFromWire' | 'noteToWire'> {
  const vulnerabilityNote = z.object({ severity, cvssScore: optNumber, details: list(shape.noteDetail) });

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
      const attestation = json[shape.attestationField];
      let spec: NoteSpec;
      if (isRecord(attestation)) {
        const hint = attestation.hint;
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
          `note type is missing or not supported (expected ${shape.attestationField} or vulnerability)`,
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
      return { ...common, [shape.attestationField]: hint };
    }
    return {
      ...common,
      vulnerability: compact({
        severity: spec.severity,
        cvssScore: spec.cvssScore,
        details: spec.details.map(shape.noteDetailOut),
      }),
    };
  }

  return { noteFromWire, noteToWire };
}
