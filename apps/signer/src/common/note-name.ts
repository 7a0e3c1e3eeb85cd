import { usageError } from './cli-error.js';

export interface NoteName {
  name: string;
  project: string;
  noteId: string;
}

const segment = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** Parses `projects/P/notes/N`, the Grafeas name of a note. */
export function parseNoteName(input: string): NoteName {
  const parts = input.split('/');
  const [projects, project, notes, noteId] = parts;
  if (
    parts.length !== 4 ||
    projects !== 'projects' ||
    notes !== 'notes' ||
    !project ||
    !noteId ||
    !segment.test(project) ||
    !segment.test(noteId)
  ) {
    throw usageError(
      'NOTE_NAME_INVALID',
      `--note ${input} is not a note name`,
      'write it as projects/PROJECT/notes/NOTE_ID (create one with `signet note create --project P --note-id N`)',
    );
  }
  return { name: input, project, noteId };
}

export function checkId(value: string, flag: string): string {
  if (!segment.test(value)) {
    throw usageError(
      'ID_INVALID',
      `${flag} ${JSON.stringify(value)} is not a valid id`,
      'use letters, digits, ".", "_", ":" or "-", starting with a letter or digit (no "/")',
    );
  }
  return value;
}
