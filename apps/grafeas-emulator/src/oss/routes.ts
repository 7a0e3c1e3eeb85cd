import * as h from './handlers.js';

/** An answer grpc-gateway writes itself, as plain text: no route (404) or no such method (405). */
export class PlainTextAnswer extends Error {
  constructor(
    readonly status: 404 | 405,
    readonly text: string,
  ) {
    super(text.trim());
    this.name = 'PlainTextAnswer';
  }
}

type Handler = (ctx: h.OssContext, vars: string[], req: h.OssRequest) => h.Json;

/** v1beta1 path templates: `*` is one variable segment (possibly empty); the methods each serves. */
const ROUTES: [string, Record<string, Handler>][] = [
  ['projects', { GET: (c, _v, r) => h.listProjects(c, r), POST: (c, _v, r) => h.createProject(c, r) }],
  ['projects/*', { GET: (c, [p]) => h.getProject(c, p!), DELETE: (c, [p]) => h.deleteProject(c, p!) }],
  [
    'projects/*/notes',
    { GET: (c, [p], r) => h.listNotes(c, p!, r), POST: (c, [p], r) => h.createNote(c, p!, r) },
  ],
  ['projects/*/notes:batchCreate', { POST: (c, [p], r) => h.batchCreateNotes(c, p!, r) }],
  [
    'projects/*/notes/*',
    {
      GET: (c, [p, n]) => h.getNote(c, `projects/${p}/notes/${n}`),
      PATCH: (c, [p, n], r) => h.updateNote(c, `projects/${p}/notes/${n}`, r),
      DELETE: (c, [p, n]) => h.deleteNote(c, `projects/${p}/notes/${n}`),
    },
  ],
  [
    'projects/*/notes/*/occurrences',
    { GET: (c, [p, n], r) => h.listNoteOccurrences(c, `projects/${p}/notes/${n}`, r) },
  ],
  [
    'projects/*/occurrences',
    { GET: (c, [p], r) => h.listOccurrences(c, p!, r), POST: (c, [p], r) => h.createOccurrence(c, p!, r) },
  ],
  ['projects/*/occurrences:batchCreate', { POST: (c, [p], r) => h.batchCreateOccurrences(c, p!, r) }],
  // The memstore keeps no vulnerability counts.
  ['projects/*/occurrences:vulnerabilitySummary', { GET: () => ({ counts: [] }) }],
  [
    'projects/*/occurrences/*',
    {
      GET: (c, [p, o]) => h.getOccurrence(c, p!, o!),
      PATCH: (c, [, o], r) => h.updateOccurrence(c, o!, r),
      DELETE: (c, [, o]) => h.deleteOccurrence(c, o!),
    },
  ],
  ['projects/*/occurrences/*/notes', { GET: (c, [, o]) => h.getOccurrenceNote(c, o!) }],
];

function match(template: string, segments: string[]): string[] | undefined {
  const parts = template.split('/');
  if (parts.length !== segments.length) return undefined;
  const vars: string[] = [];
  for (const [i, part] of parts.entries()) {
    if (part === '*') vars.push(segments[i]!);
    else if (part !== segments[i]) return undefined;
  }
  return vars;
}

/** Route `/v1beta1/…` as the v0.1.0 gateway does: the path is unescaped before it is split. */
export function routeOss(ctx: h.OssContext, method: string, rawPath: string, req: h.OssRequest): h.Json {
  const notFound = new PlainTextAnswer(404, 'Not Found\n');
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw notFound;
  }
  if (!path.startsWith('/v1beta1/')) throw notFound;
  const segments = path.slice('/v1beta1/'.length).split('/');
  for (const [template, methods] of ROUTES) {
    const vars = match(template, segments);
    if (!vars) continue;
    const handler = methods[method];
    if (!handler) throw new PlainTextAnswer(405, 'Method Not Allowed\n');
    return handler(ctx, vars, req);
  }
  throw notFound;
}
