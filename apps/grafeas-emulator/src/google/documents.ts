import {
  type ApiVersion,
  mapperFor,
  type NoteSpec,
  type OccurrenceSpec,
  parseNoteName,
} from '@signet/grafeas-client';
import type { NoteRecord, OccurrenceRecord } from '@signet/grafeas-client/records';
import { invalid } from '../api-error.js';

export type Json = Record<string, unknown>;

/** Detail field -> kind, per version (v1 and Google's v1beta1). */
const OCCURRENCE_DETAILS: Record<ApiVersion, Record<string, string>> = {
  v1: {
    vulnerability: 'VULNERABILITY',
    build: 'BUILD',
    image: 'IMAGE',
    package: 'PACKAGE',
    deployment: 'DEPLOYMENT',
    discovery: 'DISCOVERY',
    attestation: 'ATTESTATION',
    upgrade: 'UPGRADE',
    compliance: 'COMPLIANCE',
    dsseAttestation: 'DSSE_ATTESTATION',
    sbomReference: 'SBOM_REFERENCE',
    secret: 'SECRET',
  },
  v1beta1: {
    vulnerability: 'VULNERABILITY',
    build: 'BUILD',
    derivedImage: 'IMAGE',
    installation: 'PACKAGE',
    deployment: 'DEPLOYMENT',
    discovered: 'DISCOVERY',
    attestation: 'ATTESTATION',
    intoto: 'INTOTO',
    sbom: 'SBOM',
    spdxPackage: 'SPDX_PACKAGE',
    spdxFile: 'SPDX_FILE',
    spdxRelationship: 'SPDX_RELATIONSHIP',
  },
};

const NOTE_DETAILS: Record<ApiVersion, Record<string, string>> = {
  v1: {
    ...OCCURRENCE_DETAILS.v1,
    vulnerabilityAssessment: 'VULNERABILITY_ASSESSMENT',
  },
  v1beta1: {
    vulnerability: 'VULNERABILITY',
    build: 'BUILD',
    baseImage: 'IMAGE',
    package: 'PACKAGE',
    deployable: 'DEPLOYMENT',
    discovery: 'DISCOVERY',
    attestationAuthority: 'ATTESTATION',
    intoto: 'INTOTO',
    sbom: 'SBOM',
    spdxPackage: 'SPDX_PACKAGE',
    spdxFile: 'SPDX_FILE',
    spdxRelationship: 'SPDX_RELATIONSHIP',
  },
};

/** The kinds Signet's model reads: these must parse, or the signer and webhook would miss them. */
const MODEL_KINDS = new Set(['ATTESTATION', 'VULNERABILITY', 'DISCOVERY']);
const OUTPUT_ONLY = ['name', 'createTime', 'updateTime', 'kind'];

export function asObject(body: unknown, what: string): Json {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid(`${what} must be a JSON object`);
  }
  return body as Json;
}

function withoutOutputOnly(json: Json): Json {
  const out = { ...json };
  for (const key of OUTPUT_ONLY) delete out[key];
  return out;
}

function kindOf(json: Json, details: Record<string, string>, what: string): string {
  const present = Object.keys(details).filter((k) => json[k] !== undefined && json[k] !== null);
  if (present.length !== 1) {
    throw invalid(
      `${what} is invalid: exactly one of ${Object.keys(details).join(', ')} is required, got ${present.length === 0 ? 'none' : present.join(', ')}`,
    );
  }
  return details[present[0]!]!;
}

export interface CheckedOccurrence {
  kind: string;
  resourceUri: string;
  noteName: string;
  json: Json;
  spec?: OccurrenceSpec;
}

/** Free-form JSON (in-toto statements, maps): their keys are data, not proto field names. */
const FREE_FORM = new Set(['payload', 'predicate', 'labels', 'annotations', 'buildOptions', 'environment']);

/** Proto (snake_case) field names read as their JSON names, as Google accepts both. */
function camelized(json: Json): Json {
  const convert = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(convert);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [camel(k), FREE_FORM.has(camel(k)) ? v : convert(v)]),
    );
  };
  return convert(json) as Json;
}

/**
 * What a create or an update stores: the client's JSON (output-only fields dropped) plus what indexes it.
 * Kinds Signet reads must parse with its model (legacy shapes it understands included), or the signer
 * and the webhook could not see them.
 */
export function checkOccurrence(version: ApiVersion, body: unknown, what = 'occurrence'): CheckedOccurrence {
  const json = upgradeLegacy(version, camelized(withoutOutputOnly(asObject(body, what))));
  const kind = kindOf(json, OCCURRENCE_DETAILS[version], what);
  const stored = { ...json, kind };
  if (MODEL_KINDS.has(kind)) {
    const parsed = mapperFor(version).occurrenceFromWire(stored);
    if (!parsed.ok) throw invalid(`${what} is invalid: ${parsed.skipped.reason}`);
    const { spec } = parsed.value;
    if (!parseNoteName(spec.noteName)) throw badNoteName(what, spec.noteName);
    return { kind, resourceUri: spec.resourceUri, noteName: spec.noteName, json: stored, spec };
  }
  const noteName = typeof json.noteName === 'string' ? json.noteName : '';
  if (!parseNoteName(noteName)) throw badNoteName(what, noteName);
  const resource = version === 'v1' ? json.resourceUri : (json.resource as Json | undefined)?.uri;
  if (typeof resource !== 'string' || resource === '') {
    throw invalid(`${what} is invalid: ${version === 'v1' ? 'resourceUri' : 'resource.uri'} is required`);
  }
  return { kind, resourceUri: resource, noteName, json: stored };
}

/**
 * The v1alpha1 shapes older guides still show, in a v1beta1 body: a top-level `resourceUrl`, and
 * `attestation.pgpSignedAttestation` one level up. Stored in the current shape.
 */
function upgradeLegacy(version: ApiVersion, json: Json): Json {
  if (version !== 'v1beta1') return json;
  const { resourceUrl, ...out } = json;
  if (typeof resourceUrl === 'string' && out.resource === undefined) out.resource = { uri: resourceUrl };
  const attestation = out.attestation as Json | undefined;
  if (attestation && attestation.attestation === undefined) {
    const { pgpSignedAttestation, genericSignedAttestation, ...rest } = attestation;
    if (pgpSignedAttestation || genericSignedAttestation) {
      out.attestation = {
        ...rest,
        attestation: pgpSignedAttestation ? { pgpSignedAttestation } : { genericSignedAttestation },
      };
    }
  }
  return out;
}

function badNoteName(what: string, noteName: string) {
  return invalid(`${what} is invalid: noteName "${noteName}" is not projects/PROJECT/notes/NOTE`);
}

export interface CheckedNote {
  kind: string;
  json: Json;
  spec?: NoteSpec;
}

export function checkNote(version: ApiVersion, body: unknown, what = 'note'): CheckedNote {
  const json = camelized(withoutOutputOnly(asObject(body, what)));
  const kind = kindOf(json, NOTE_DETAILS[version], what);
  const checked: CheckedNote = { kind, json: { ...json, kind } };
  if (kind !== 'ATTESTATION' && kind !== 'VULNERABILITY') return checked;
  const parsed = mapperFor(version).noteFromWire(checked.json);
  if (!parsed.ok) throw invalid(`${what} is invalid: ${parsed.skipped.reason}`);
  return { ...checked, spec: parsed.value.spec };
}

function stampedJson(
  name: string,
  body: Json,
  record: { createTime: string | null; updateTime: string | null },
) {
  return {
    name,
    ...body,
    ...(record.createTime ? { createTime: record.createTime } : {}),
    ...(record.updateTime ? { updateTime: record.updateTime } : {}),
  };
}

/**
 * The stored JSON when it was written in the version asked for; otherwise Signet's model mapped to that
 * version (a row the model cannot hold is returned as written).
 */
function bodyOf(
  version: ApiVersion,
  record: OccurrenceRecord | NoteRecord,
  toWire: (spec: NonNullable<typeof record.spec>) => Json,
): Json {
  if (record.wire && (record.wire.version === version || !record.spec)) {
    return withoutOutputOnly(record.wire.json);
  }
  return withoutOutputOnly(toWire(record.spec!));
}

export function occurrenceJson(version: ApiVersion, record: OccurrenceRecord): Json {
  const mapper = mapperFor(version);
  const body = bodyOf(version, record, (spec) =>
    mapper.occurrenceToWire(spec as OccurrenceSpec, { kind: true }),
  );
  const { noteName, ...rest } = body;
  const resource = version === 'v1' ? { resourceUri: record.resourceUri } : {};
  return stampedJson(
    `projects/${record.project}/occurrences/${record.id}`,
    { ...resource, noteName, kind: record.kind, ...rest },
    record,
  );
}

export function noteJson(version: ApiVersion, record: NoteRecord): Json {
  const mapper = mapperFor(version);
  const body = bodyOf(version, record, (spec) => mapper.noteToWire(spec as NoteSpec, { kind: true }));
  return stampedJson(`projects/${record.project}/notes/${record.id}`, { kind: record.kind, ...body }, record);
}

function camel(path: string): string {
  return path.replace(/(?<=[a-z0-9])_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Apply an update: with an updateMask only the named paths change; without, every field sent replaces. */
export function applyUpdate(stored: Json, patch: Json, updateMask: string | undefined): Json {
  const result: Json = structuredClone(stored);
  const paths =
    updateMask === undefined || updateMask.trim() === ''
      ? Object.keys(withoutOutputOnly(patch))
      : updateMask.split(',').map((p) => camel(p.trim()));
  for (const path of paths) {
    if (path === '' || OUTPUT_ONLY.includes(path)) continue;
    const keys = path.split('.');
    let from: unknown = patch;
    for (const key of keys) from = (from as Json | undefined)?.[key];
    let into = result;
    for (const key of keys.slice(0, -1)) {
      if (typeof into[key] !== 'object' || into[key] === null) into[key] = {};
      into = into[key] as Json;
    }
    const last = keys[keys.length - 1]!;
    if (from === undefined) delete into[last];
    else into[last] = from;
  }
  return result;
}
