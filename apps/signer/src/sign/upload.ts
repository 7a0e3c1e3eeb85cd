import type { MetadataStore, Occurrence, OccurrenceSpec } from '@signet/grafeas-client';
import { mapperFor } from '@signet/grafeas-client';
import { usageError } from '../common/cli-error.js';
import type { GlobalOptions } from '../common/global-options.js';

export interface CreatedOccurrence {
  occurrence: Occurrence;
  /** The occurrence in the wire form of the API version in use (what `--output json` prints). */
  json: Record<string, unknown>;
}

/** Creates the attestation; a missing note is the caller's mistake, with the command that fixes it. */
export async function createAttestation(
  store: MetadataStore,
  project: string,
  spec: OccurrenceSpec,
  noteName: string,
  global: GlobalOptions,
): Promise<CreatedOccurrence> {
  let occurrence: Occurrence;
  try {
    await requireNote(store, noteName);
    occurrence = await store.createOccurrence(project, spec);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'GRAFEAS_NOT_FOUND') {
      const [, noteProject, , noteId] = noteName.split('/');
      throw usageError(
        'NOTE_NOT_FOUND',
        `note ${noteName} (or project ${project}) does not exist in ${store.backend}`,
        `create it first: signet note create --project ${noteProject} --note-id ${noteId} (same --store and --api)`,
      );
    }
    throw error;
  }
  return { occurrence, json: mapperFor(global.api).occurrenceToWire(occurrence, { kind: true }) };
}

export function occurrenceReport(created: CreatedOccurrence): string {
  return `  occurrence: ${created.occurrence.name}\n  note:       ${created.occurrence.noteName}`;
}

/**
 * Grafeas refuses an occurrence of a missing note, but not every store does (the embedded one
 * accepts it): look first, so that a typo in --note never leaves an attestation nobody reads.
 * A store that forbids reading the note (permission) is left to judge the create itself.
 */
async function requireNote(store: MetadataStore, noteName: string): Promise<void> {
  try {
    await store.getNote(noteName);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'GRAFEAS_PERMISSION_DENIED') return;
    throw error;
  }
}
