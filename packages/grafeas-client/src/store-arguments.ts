import { type GrafeasError, localGrafeasError } from './errors.js';
import type { OccurrenceSpec } from './model.js';
import { type ParsedName, parseNoteName, parseOccurrenceName, projectIdOf } from './names.js';

// The checks every MetadataStore makes on its arguments before it reaches its backend.

function invalidArgument(backend: string, message: string): GrafeasError {
  return localGrafeasError('GRAFEAS_INVALID_ARGUMENT', backend, `${backend}: ${message}`, undefined, 400);
}

/** "P" or "projects/P" → "P". */
export function requireProjectId(backend: string, project: string): string {
  const id = projectIdOf(project);
  if (!id) throw invalidArgument(backend, `"${project}" is not a project id or projects/P name`);
  return id;
}

/** The note's name, once its id is known to be valid. */
export function requireNoteId(backend: string, projectId: string, noteId: string): string {
  const name = `projects/${projectId}/notes/${noteId}`;
  if (!parseNoteName(name)) throw invalidArgument(backend, `note id "${noteId}" is not valid`);
  return name;
}

export function requireNoteName(backend: string, name: string): ParsedName {
  const parsed = parseNoteName(name);
  if (!parsed) throw invalidArgument(backend, `"${name}" is not a note name (projects/P/notes/N)`);
  return parsed;
}

export function requireOccurrenceName(backend: string, name: string): ParsedName {
  const parsed = parseOccurrenceName(name);
  if (!parsed) {
    throw invalidArgument(backend, `"${name}" is not an occurrence name (projects/P/occurrences/O)`);
  }
  return parsed;
}

export function checkOccurrenceSpec(backend: string, spec: OccurrenceSpec): void {
  if (!parseNoteName(spec.noteName)) {
    throw invalidArgument(backend, `noteName "${spec.noteName}" is not a note name (projects/P/notes/N)`);
  }
  if (!spec.resourceUri) throw invalidArgument(backend, 'resourceUri is required');
}
