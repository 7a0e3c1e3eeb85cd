import http from 'node:http';
import https from 'node:https';
import { errorFromHttpAnswer } from '../error-body.js';
import { GrafeasError, localGrafeasError } from '../errors.js';
import type { ApiVersion } from '../model.js';
import { isRecord } from '../wire/json.js';
import { abortError } from './abort.js';
import { httpRequestFor, type WireCall, type WireTransport } from './transport.js';
import { unreachable } from './unreachable.js';

/** PEM material for a server that requires client certificates (OSS Grafeas mTLS mode). */
export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

interface Answer {
  status: number;
  text: string;
}

/** Plain HTTP(S) to a Grafeas REST server at a root URL (the open-source server: v1beta1, no auth). */
export class HttpTransport implements WireTransport {
  readonly backend: string;
  readonly emptyPagesMayContinue = false;
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(
    baseUrl: string,
    private readonly version: ApiVersion,
    tls: TlsOptions = {},
  ) {
    this.base = new URL(baseUrl);
    this.backend = `${this.base.origin}${this.base.pathname.replace(/\/$/, '')}`;
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ...tls })
        : new http.Agent({ keepAlive: true });
    if (this.base.protocol !== 'https:' && (tls.ca || tls.cert || tls.key)) {
      throw localGrafeasError(
        'GRAFEAS_BAD_STORE_URL',
        this.backend,
        `${this.backend}: a CA, client certificate or key was given for a plain-HTTP store`,
      );
    }
  }

  async call(call: WireCall, signal: AbortSignal): Promise<Record<string, unknown>> {
    const request = httpRequestFor(this.version, call);
    // The path is relative to the base, so a path prefix in the store URL is kept.
    const url = new URL(request.path.slice(1), this.base);
    for (const [k, v] of Object.entries(request.query)) url.searchParams.set(k, v);
    const answer = await this.send(request.method, url, request.body, signal);
    if (answer.status < 200 || answer.status > 299) {
      throw errorFromHttpAnswer(this.backend, answer.status, answer.text);
    }
    return this.parse(answer, url);
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private parse(answer: Answer, url: URL): Record<string, unknown> {
    let json: unknown;
    try {
      json = answer.text.trim() === '' ? {} : JSON.parse(answer.text);
    } catch (error) {
      throw localGrafeasError(
        'GRAFEAS_BAD_RESPONSE',
        this.backend,
        `${this.backend} answered ${answer.status} with a body that is not JSON (${url.pathname})`,
        error,
        answer.status,
      );
    }
    if (!isRecord(json)) {
      throw localGrafeasError(
        'GRAFEAS_BAD_RESPONSE',
        this.backend,
        `${this.backend} answered ${answer.status} with JSON that is not an object (${url.pathname})`,
        undefined,
        answer.status,
      );
    }
    return json;
  }

  private send(method: string, url: URL, body: unknown, signal: AbortSignal): Promise<Answer> {
    if (signal.aborted) return Promise.reject(abortError(this.backend, signal));
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<Answer>((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          agent: this.agent,
          signal,
          headers: {
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              res.destroy();
              reject(
                localGrafeasError(
                  'GRAFEAS_BAD_RESPONSE',
                  this.backend,
                  `${this.backend} answered more than 64 MiB`,
                ),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', (error) => reject(this.failure(error, signal)));
        },
      );
      req.on('error', (error) => reject(this.failure(error, signal)));
      req.end(payload);
    });
  }

  private failure(error: Error, signal: AbortSignal): GrafeasError {
    if (error instanceof GrafeasError) return error;
    if (signal.aborted) return abortError(this.backend, signal, error);
    const code = (error as NodeJS.ErrnoException).code ?? error.message;
    return unreachable(this.backend, code, error);
  }
}
