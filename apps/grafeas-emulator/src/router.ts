import { mapperFor } from '@signet/grafeas-client';
import { type Flavor, invalid, notFound } from './api-error.js';
import * as h from './handlers.js';

export type Method = 'GET' | 'POST' | 'DELETE';

function segmentsOf(path: string): string[] {
  try {
    return path.split('/').map((s) => decodeURIComponent(s));
  } catch {
    throw invalid(`malformed URL path "${path}"`);
  }
}

function routeNotFound(method: string, path: string) {
  return notFound(`no route for ${method} ${path}`);
}

/**
 * Dispatch `/{v1|v1beta1}/projects/...` (grafeas-api.md §1). Colon verbs (`occurrences:batchCreate`)
 * are matched on the segment itself, not as Express parameters.
 */
export function route(
  flavor: Flavor,
  store: h.Context['store'],
  method: string,
  path: string,
  req: h.Request,
): h.Json {
  const [empty, version, projects, rawProject, collection, id, sub, ...rest] = segmentsOf(path);
  if (
    empty !== '' ||
    (version !== 'v1' && version !== 'v1beta1') ||
    projects !== 'projects' ||
    rest.length > 0
  ) {
    throw routeNotFound(method, path);
  }
  if (rawProject === undefined) throw routeNotFound(method, path);
  const project = h.checkProject(rawProject);
  const ctx: h.Context = { store, flavor, mapper: mapperFor(version) };
  const key = `${method} ${collection ?? ''}${id !== undefined ? '/{id}' : ''}${sub !== undefined ? `/${sub}` : ''}`;
  const needId = () => {
    if (!id) throw invalid(`invalid resource name: empty id in ${path}`);
    return id;
  };
  switch (key) {
    case 'POST notes':
      return h.createNote(ctx, project, req);
    case 'GET notes':
      return h.listNotes(ctx, project, req);
    case 'POST notes:batchCreate':
      return h.batchCreateNotes(ctx, project, req);
    case 'GET notes/{id}':
      return h.getNote(ctx, project, needId());
    case 'DELETE notes/{id}':
      return h.deleteNote(ctx, project, needId());
    case 'GET notes/{id}/occurrences':
      return h.listOccurrences(ctx, { noteName: `projects/${project}/notes/${needId()}` }, req);
    case 'POST occurrences':
      return h.createOccurrence(ctx, project, req);
    case 'GET occurrences':
      return h.listOccurrences(ctx, { project }, req);
    case 'POST occurrences:batchCreate':
      return h.batchCreateOccurrences(ctx, project, req);
    case 'GET occurrences/{id}':
      return h.getOccurrence(ctx, project, needId());
    case 'DELETE occurrences/{id}':
      return h.deleteOccurrence(ctx, project, needId());
    case 'GET occurrences/{id}/notes':
      return h.getOccurrenceNote(ctx, project, needId());
    default:
      throw routeNotFound(method, path);
  }
}
