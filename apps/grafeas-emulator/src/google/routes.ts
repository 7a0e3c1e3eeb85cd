import { isValidId } from '@signet/grafeas-client';
import type { WireRecords } from '@signet/grafeas-client/records';
import { invalid, notFound } from '../api-error.js';
import type { Json } from './documents.js';
import * as h from './handlers.js';

const LOCATION = /^[a-z][a-z0-9-]{0,62}$/;

function segmentsOf(path: string): string[] {
  try {
    return path.split('/').map((s) => decodeURIComponent(s));
  } catch {
    throw invalid(`malformed URL path "${path}"`);
  }
}

/**
 * Container Analysis routes: `/{v1|v1beta1}/projects/P[/locations/L]/{notes|occurrences}…`, colon verbs
 * (`occurrences:batchCreate`) matched on the segment itself.
 */
export function routeGoogle(records: WireRecords, method: string, path: string, req: h.GoogleRequest): Json {
  const noRoute = () => notFound(`no route for ${method} ${path}`);
  const [empty, version, projects, project, ...rest] = segmentsOf(path);
  if (
    empty !== '' ||
    (version !== 'v1' && version !== 'v1beta1') ||
    projects !== 'projects' ||
    project === undefined
  ) {
    throw noRoute();
  }
  if (!isValidId(project)) throw invalid(`invalid project name "projects/${project}"`);
  let parent = project;
  if (rest[0] === 'locations') {
    const location = rest[1] ?? '';
    if (!LOCATION.test(location)) throw invalid(`invalid location "${location}"`);
    parent = `${project}/locations/${location}`;
    rest.splice(0, 2);
  }
  const [collection = '', id, sub, ...tail] = rest;
  if (tail.length > 0) throw noRoute();
  const ctx: h.GoogleContext = { records, version, parent };
  const key = `${method} ${collection}${id !== undefined ? '/{id}' : ''}${sub !== undefined ? `/${sub}` : ''}`;
  const needId = () => {
    if (!id) throw invalid(`invalid resource name: empty id in ${path}`);
    return id;
  };
  switch (key) {
    case 'POST notes':
      return h.createNote(ctx, req);
    case 'GET notes':
      return h.listNotes(ctx, req);
    case 'POST notes:batchCreate':
      return h.batchCreateNotes(ctx, req);
    case 'GET notes/{id}':
      return h.getNote(ctx, needId());
    case 'PATCH notes/{id}':
      return h.updateNote(ctx, needId(), req);
    case 'DELETE notes/{id}':
      return h.deleteNote(ctx, needId());
    case 'GET notes/{id}/occurrences':
      return h.listOccurrences(ctx, req, needId());
    case 'POST occurrences':
      return h.createOccurrence(ctx, req);
    case 'GET occurrences':
      return h.listOccurrences(ctx, req);
    case 'POST occurrences:batchCreate':
      return h.batchCreateOccurrences(ctx, req);
    case 'GET occurrences:vulnerabilitySummary':
      return h.summarizeVulnerabilities(ctx, req);
    case 'GET occurrences/{id}':
      return h.getOccurrence(ctx, needId());
    case 'PATCH occurrences/{id}':
      return h.updateOccurrence(ctx, needId(), req);
    case 'DELETE occurrences/{id}':
      return h.deleteOccurrence(ctx, needId());
    case 'GET occurrences/{id}/notes':
      return h.getOccurrenceNote(ctx, needId());
    default:
      throw noRoute();
  }
}
