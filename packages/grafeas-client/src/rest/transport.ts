/** One Grafeas REST call, independent of how it is sent (googleapis or plain HTTP). */
export type WireCall =
  | { op: 'notes.create'; parent: string; noteId: string; body: unknown }
  | { op: 'notes.get'; name: string }
  | { op: 'notes.delete'; name: string }
  | { op: 'notes.list'; parent: string; filter?: string; pageSize: number; pageToken?: string }
  | { op: 'notes.occurrences.list'; name: string; filter?: string; pageSize: number; pageToken?: string }
  | { op: 'occurrences.create'; parent: string; body: unknown }
  | { op: 'occurrences.batchCreate'; parent: string; body: { occurrences: unknown[] } }
  | { op: 'occurrences.get'; name: string }
  | { op: 'occurrences.delete'; name: string }
  | { op: 'occurrences.list'; parent: string; filter?: string; pageSize: number; pageToken?: string };

/**
 * Sends calls; answers the parsed JSON object of a 2xx answer, or throws a GrafeasError
 * (normalised error body, transport failure, deadline, or a non-JSON answer).
 */
export interface WireTransport {
  readonly backend: string;
  /** Google's list convention (AIP-158): a page may be empty while more follow. */
  readonly emptyPagesMayContinue: boolean;
  call(call: WireCall, signal: AbortSignal): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query: Record<string, string>;
  body?: unknown;
}

function encodeName(name: string): string {
  return name
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%3A/gi, ':'))
    .join('/');
}

/** Path, query and body of a call, as in grafeas-api.md §1. */
export function httpRequestFor(version: string, call: WireCall): HttpRequest {
  const list = (path: string, c: { filter?: string; pageSize: number; pageToken?: string }): HttpRequest => {
    const query: Record<string, string> = { pageSize: String(c.pageSize) };
    if (c.filter) query.filter = c.filter;
    if (c.pageToken) query.pageToken = c.pageToken;
    return { method: 'GET', path, query };
  };
  const root = `/${version}/`;
  switch (call.op) {
    case 'notes.create':
      return {
        method: 'POST',
        path: `${root}${encodeName(call.parent)}/notes`,
        query: { noteId: call.noteId },
        body: call.body,
      };
    case 'notes.get':
      return { method: 'GET', path: root + encodeName(call.name), query: {} };
    case 'notes.delete':
      return { method: 'DELETE', path: root + encodeName(call.name), query: {} };
    case 'notes.list':
      return list(`${root}${encodeName(call.parent)}/notes`, call);
    case 'notes.occurrences.list':
      return list(`${root}${encodeName(call.name)}/occurrences`, call);
    case 'occurrences.create':
      return {
        method: 'POST',
        path: `${root}${encodeName(call.parent)}/occurrences`,
        query: {},
        body: call.body,
      };
    case 'occurrences.batchCreate':
      return {
        method: 'POST',
        path: `${root}${encodeName(call.parent)}/occurrences:batchCreate`,
        query: {},
        body: call.body,
      };
    case 'occurrences.get':
      return { method: 'GET', path: root + encodeName(call.name), query: {} };
    case 'occurrences.delete':
      return { method: 'DELETE', path: root + encodeName(call.name), query: {} };
    case 'occurrences.list':
      return list(`${root}${encodeName(call.parent)}/occurrences`, call);
  }
}
