import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as gcloud-528's cases.jsonl records it: raw path, decoded query, parsed body or null. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export interface StubAnswer {
  status: number;
  body: unknown;
}

/** Google's REST error body (grafeas-api.md §3), e.g. 404 NOT_FOUND. */
export class GoogleApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }

  toAnswer(): StubAnswer {
    return {
      status: this.httpStatus,
      body: { error: { code: this.httpStatus, message: this.message, status: this.status } },
    };
  }
}

export interface RunningStub {
  /** http://127.0.0.1:PORT/ (with the trailing slash gcloud's endpoint overrides need). */
  url: string;
  /** host:port, as gcloud puts it into a default Cloud KMS key id. */
  host: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type StubHandler = (request: RecordedRequest) => StubAnswer;

/** A loopback JSON server for one Google API: records every request, answers errors in Google's shape. */
export async function startGoogleStub(handle: StubHandler): Promise<RunningStub> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    readBody(req).then(
      (raw) => answer(res, record(req, raw, requests), handle),
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function record(
  req: IncomingMessage,
  raw: string,
  requests: RecordedRequest[],
): RecordedRequest | GoogleApiError {
  const url = new URL(req.url ?? '/', 'http://stub');
  let body: unknown = null;
  if (raw !== '') {
    try {
      body = JSON.parse(raw);
    } catch {
      return new GoogleApiError(
        400,
        'INVALID_ARGUMENT',
        `Invalid JSON payload received. ${raw.slice(0, 40)}`,
      );
    }
  }
  const request = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body,
  };
  requests.push(request);
  return request;
}

function answer(res: ServerResponse, request: RecordedRequest | GoogleApiError, handle: StubHandler): void {
  let reply: StubAnswer;
  try {
    if (request instanceof GoogleApiError) throw request;
    reply = handle(request);
  } catch (error) {
    const failure =
      error instanceof GoogleApiError
        ? error
        : new GoogleApiError(500, 'INTERNAL', `stub failed: ${String(error)}`);
    reply = failure.toAnswer();
  }
  // No keep-alive: a client reusing a socket the stub is closing at that moment would see ECONNRESET.
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', connection: 'close' });
  res.end(JSON.stringify(reply.body));
}
