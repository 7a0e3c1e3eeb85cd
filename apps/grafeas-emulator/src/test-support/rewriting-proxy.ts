import { createServer, type IncomingMessage, type Server } from 'node:http';
import { listenOnLoopback } from '../../../../packages/grafeas-client/src/test-support/loopback-server.js';

/** Turns one listed occurrence (its JSON as the emulator answered) into what the proxy serves. */
export type OccurrenceRewrite = (occurrence: Record<string, unknown>) => unknown;

export interface RewritingProxy {
  url: string;
  close(): Promise<void>;
}

const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'accept-encoding', 'transfer-encoding']);

/**
 * A real HTTP proxy in front of a Grafeas server that passes each listed occurrence through `rewrite`:
 * how a test serves records as Google may send them (numbers for enums, omitted lists, extra fields)
 * when the emulator refuses to store them. Everything else passes unchanged.
 */
export async function startRewritingProxy(
  target: string,
  rewrite: OccurrenceRewrite,
): Promise<RewritingProxy> {
  const server: Server = createServer((req, res) => {
    forward(target, req, rewrite).then(
      ({ status, contentType, body }) => {
        res.writeHead(status, { 'content-type': contentType });
        res.end(body);
      },
      () => res.destroy(),
    );
  });
  return listenOnLoopback(server);
}

async function forward(target: string, req: IncomingMessage, rewrite: OccurrenceRewrite) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && !HOP_HEADERS.has(key)) headers[key] = value;
  }
  const answer = await fetch(new URL(req.url ?? '/', target), {
    method: req.method ?? 'GET',
    headers,
    ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
  });
  const contentType = answer.headers.get('content-type') ?? 'application/json';
  const text = await answer.text();
  return { status: answer.status, contentType, body: rewriteListing(text, rewrite) };
}

function rewriteListing(text: string, rewrite: OccurrenceRewrite): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text;
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    !Array.isArray((json as { occurrences?: unknown }).occurrences)
  )
    return text;
  const listing = json as { occurrences: Record<string, unknown>[] };
  return JSON.stringify({ ...listing, occurrences: listing.occurrences.map(rewrite) });
}
