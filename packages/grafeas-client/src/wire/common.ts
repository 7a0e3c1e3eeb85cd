import { z } from 'zod';
import {
  ANALYSIS_STATUSES,
  type ApiVersion,
  CONTENT_TYPES,
  type Note,
  type NoteSpec,
  type Occurrence,
  type OccurrenceSpec,
  type PackageVersion,
  type RelatedUrl,
  SEVERITIES,
  type Skipped,
  VERSION_KINDS,
} from '../model.js';
import { compact, isRecord, lenientEnum, list, optBoolean, optNumber, optString } from './json.js';

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

export const severity = lenientEnum(SEVERITIES);
export const contentType = lenientEnum(CONTENT_TYPES);
export const analysisStatus = lenientEnum(ANALYSIS_STATUSES);

export const versionSchema = z
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

export const relatedUrls = list(z.unknown())
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
export const storedFields = {
  name: optString,
  createTime: optString,
  updateTime: optString,
};

export function skip(json: unknown, reason: string): { ok: false; skipped: Skipped } {
  const name = isRecord(json) && typeof json.name === 'string' ? json.name : undefined;
  return { ok: false, skipped: name ? { name, reason } : { reason } };
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
