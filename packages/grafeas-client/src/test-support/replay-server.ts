/**
 * Replays the HTTP exchanges recorded from a real open-source Grafeas v0.1.0 server
 * (testdata/grafeas-oss-v0.1.0/exchanges.jsonl) as they were recorded: status, content type and
 * body, with `{{uuid:N}}` bound to one fresh UUID per N and `{{time}}` to one server time.
 *
 * A request is answered by the first recorded exchange at or after the cursor with the same method, path
 * and query (`filter` aside: the recorded server ignores it, even malformed); the cursor then moves past
 * it, so a request asked twice gets the later answer (a DELETE's 500, then its 404). Bodies are not
 * matched; they are kept in `requests` for tests to compare with the recorded ones. A request nothing
 * matches is answered 501 in plain text and listed in `unmatched`.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { listenOnLoopback } from './loopback-server.js';

interface RecordedExchange {
  name: string;
  note: string;
  request: { method: string; path: string; body: unknown };
  response: { status: number; contentType: string; body: unknown };
}

interface ReplayedRequest {
  /** The exchange that answered it, or undefined when none matched. */
  exchange?: string;
  method: string;
  path: string;
  body: unknown;
}

export interface ReplayServer {
  url: string;
  exchanges: readonly RecordedExchange[];
  /** The recorded exchange of this name, placeholders bound. */
  exchange(name: string): RecordedExchange;
  /** The UUID bound to `{{uuid:n}}`. */
  uuid(n: number): string;
  /** Answer from the exchange of this name onwards (the server's state at that point of the recording). */
  seek(name: string): void;
  requests: ReplayedRequest[];
  unmatched: string[];
  close(): Promise<void>;
}

/** Under vitest, SIGNET_TESTDATA names the repository's testdata/ (see vitest.shared.ts). */
function recordedExchangesPath(): string {
  const testdata = process.env.SIGNET_TESTDATA;
  if (!testdata) throw new Error('SIGNET_TESTDATA is not set: run the tests with vitest (vitest.shared.ts)');
  return join(testdata, 'grafeas-oss-v0.1.0', 'exchanges.jsonl');
}

/** Replace the placeholders in every string of a JSON value. */
function bind(value: unknown, text: (s: string) => string): unknown {
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return value.map((v) => bind(v, text));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bind(v, text)]));
  }
  return value;
}

/** `pathname` and the query without `filter`, in a canonical order. */
function routeKey(method: string, path: string): string {
  const url = new URL(path, 'http://replay');
  const query = [...url.searchParams.entries()]
    .filter(([key]) => key !== 'filter')
    .map(([key, value]) => `${key}=${value}`)
    .sort();
  return `${method} ${url.pathname}?${query.join('&')}`;
}

function loadRecordedExchanges(file = recordedExchangesPath()): {
  exchanges: RecordedExchange[];
  uuids: Map<number, string>;
} {
  const uuids = new Map<number, string>();
  const time = `${new Date().toISOString().slice(0, 19)}.123456789Z`;
  const text = (s: string) =>
    s
      .replace(/\{\{uuid:(\d+)\}\}/g, (_, n: string) => {
        const key = Number(n);
        if (!uuids.has(key)) uuids.set(key, randomUUID());
        return uuids.get(key) as string;
      })
      .replace(/\{\{time\}\}/g, time);
  const exchanges = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => bind(JSON.parse(line), text) as RecordedExchange);
  return { exchanges, uuids };
}

export async function startReplayServer(file?: string): Promise<ReplayServer> {
  const { exchanges, uuids } = loadRecordedExchanges(file);
  const keys = exchanges.map((e) => routeKey(e.request.method, e.request.path));
  const requests: ReplayedRequest[] = [];
  const unmatched: string[] = [];
  let cursor = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw === '' ? null : raw;
      try {
        body = raw === '' ? null : JSON.parse(raw);
      } catch {
        // kept as text
      }
      const key = routeKey(method, path);
      const at = keys.indexOf(key, cursor);
      if (at < 0) {
        const after = exchanges[cursor - 1]?.name ?? 'the start';
        unmatched.push(`${method} ${path}`);
        requests.push({ method, path, body });
        res.writeHead(501, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`replay: no recorded exchange after ${after} matches ${method} ${path}\n`);
        return;
      }
      cursor = at + 1;
      const exchange = exchanges[at] as RecordedExchange;
      requests.push({ exchange: exchange.name, method, path, body });
      const answer = exchange.response;
      res.writeHead(answer.status, { 'content-type': answer.contentType });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  const loopback = await listenOnLoopback(server);
  return {
    url: loopback.url,
    exchanges,
    exchange(name) {
      const found = exchanges.find((e) => e.name === name);
      if (!found) throw new Error(`no recorded exchange named ${name}`);
      return found;
    },
    uuid(n) {
      const bound = uuids.get(n);
      if (!bound) throw new Error(`{{uuid:${n}}} does not occur in the recording`);
      return bound;
    },
    seek(name) {
      const at = exchanges.findIndex((e) => e.name === name);
      if (at < 0) throw new Error(`no recorded exchange named ${name}`);
      cursor = at;
    },
    requests,
    unmatched,
    close: loopback.close,
  };
}
