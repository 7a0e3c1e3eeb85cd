/** Grafeas resource names: projects/{p}, projects/{p}/notes/{n}, projects/{p}/occurrences/{o}. */

const ID = /^[^/\s]+$/;

export function isValidId(id: string): boolean {
  return ID.test(id);
}

/** Accept "P" or "projects/P"; return the project id, or undefined when malformed. */
export function projectIdOf(project: string): string | undefined {
  const id = project.startsWith('projects/') ? project.slice('projects/'.length) : project;
  return isValidId(id) ? id : undefined;
}

export interface ParsedName {
  project: string;
  id: string;
}

function parseChild(name: string, collection: 'notes' | 'occurrences'): ParsedName | undefined {
  const parts = name.split('/');
  if (parts.length !== 4 || parts[0] !== 'projects' || parts[2] !== collection) return undefined;
  const [, project, , id] = parts;
  if (!project || !id || !isValidId(project) || !isValidId(id)) return undefined;
  return { project, id };
}

export function parseNoteName(name: string): ParsedName | undefined {
  return parseChild(name, 'notes');
}

export function parseOccurrenceName(name: string): ParsedName | undefined {
  return parseChild(name, 'occurrences');
}

export function noteName(project: string, id: string): string {
  return `projects/${project}/notes/${id}`;
}

export function occurrenceName(project: string, id: string): string {
  return `projects/${project}/occurrences/${id}`;
}
