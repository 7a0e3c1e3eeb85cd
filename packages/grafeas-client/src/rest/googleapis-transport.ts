import https from 'node:https';
import { errorFromHttpAnswer } from '../error-body.js';
import { GrafeasError, localGrafeasError } from '../errors.js';
import type { ApiVersion } from '../model.js';
import { isRecord } from '../wire/json.js';
import { abortError } from './abort.js';
import type { TlsOptions } from './http-transport.js';
import type { WireCall, WireTransport } from './transport.js';
import { unreachable } from './unreachable.js';

export const GOOGLE_ROOT_URL = 'https://containeranalysis.googleapis.com/';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

type Method = (
  params: Record<string, unknown>,
  options: Record<string, unknown>,
) => Promise<{ data: unknown }>;

/** The part of the generated client Signet calls (identical for v1 and v1beta1). */
interface ContainerAnalysisClient {
  projects: {
    notes: {
      create: Method;
      get: Method;
      list: Method;
      delete: Method;
      occurrences: { list: Method };
    };
    occurrences: { create: Method; batchCreate: Method; get: Method; list: Method; delete: Method };
  };
}

type ClientConstructor = new (options: Record<string, unknown>) => unknown;

/** Per-API module only: the googleapis entry point would load every Google API (about a second). */
async function loadConstructor(version: ApiVersion): Promise<ClientConstructor> {
  if (version === 'v1') {
    const mod = await import('googleapis/build/src/apis/containeranalysis/v1.js');
    return mod.containeranalysis_v1.Containeranalysis as unknown as ClientConstructor;
  }
  const mod = await import('googleapis/build/src/apis/containeranalysis/v1beta1.js');
  return mod.containeranalysis_v1beta1.Containeranalysis as unknown as ClientConstructor;
}

async function loadAuth(): Promise<unknown> {
  const { GoogleAuth } = await import('google-auth-library');
  return new GoogleAuth({ scopes: SCOPE });
}

export interface GoogleapisTransportOptions {
  version: ApiVersion;
  rootUrl: string;
  /** `adc`: Application Default Credentials; `none`: unauthenticated (emulator, loopback). */
  credentials: 'adc' | 'none';
  /** An https root URL's CA, and a client certificate and key if the server asks for one. */
  tls?: TlsOptions;
}

function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]', '::1'].includes(url.hostname);
}

export function defaultCredentials(rootUrl: string): 'adc' | 'none' {
  return isLoopback(new URL(rootUrl)) ? 'none' : 'adc';
}

/** Google Container Analysis (or any compatible server at rootUrl) through the `googleapis` client. */
export class GoogleapisTransport implements WireTransport {
  readonly backend: string;
  readonly emptyPagesMayContinue = true;
  private client: Promise<ContainerAnalysisClient> | undefined;
  private readonly agent: https.Agent | undefined;

  constructor(private readonly options: GoogleapisTransportOptions) {
    const root = new URL(options.rootUrl);
    this.backend = `${root.origin}${root.pathname.replace(/\/$/, '')} (Container Analysis ${options.version})`;
    const tls = options.tls ?? {};
    if (tls.ca || tls.cert || tls.key) {
      if (root.protocol !== 'https:') {
        throw localGrafeasError(
          'GRAFEAS_BAD_STORE_URL',
          this.backend,
          `${this.backend}: a CA, client certificate or key was given for a plain-HTTP store`,
        );
      }
      this.agent = new https.Agent({ keepAlive: true, ...tls });
    }
  }

  async call(call: WireCall, signal: AbortSignal): Promise<Record<string, unknown>> {
    if (signal.aborted) throw abortError(this.backend, signal);
    const client = await this.getClient();
    // rootUrl per call too: the client-wide one keeps only the origin and drops a path prefix.
    const options = {
      signal,
      retry: false,
      rootUrl: this.options.rootUrl,
      ...(this.agent ? { agent: this.agent } : {}),
    };
    let data: unknown;
    try {
      data = (await this.invoke(client, call, options)).data;
    } catch (error) {
      throw this.failure(error, signal);
    }
    if (data === '' || data === undefined) return {};
    if (!isRecord(data)) {
      throw localGrafeasError(
        'GRAFEAS_BAD_RESPONSE',
        this.backend,
        `${this.backend} answered with a body that is not a JSON object (${call.op})`,
      );
    }
    return data;
  }

  async close(): Promise<void> {
    this.agent?.destroy();
  }

  private getClient(): Promise<ContainerAnalysisClient> {
    this.client ??= (async () => {
      const Ctor = await loadConstructor(this.options.version);
      const auth = this.options.credentials === 'adc' ? await loadAuth() : undefined;
      return new Ctor({
        rootUrl: this.options.rootUrl,
        retry: false,
        ...(auth ? { auth } : {}),
      }) as ContainerAnalysisClient;
    })();
    return this.client;
  }

  private invoke(client: ContainerAnalysisClient, call: WireCall, options: Record<string, unknown>) {
    const { notes, occurrences } = client.projects;
    const page = (c: { filter?: string; pageSize: number; pageToken?: string }) => ({
      pageSize: c.pageSize,
      ...(c.filter ? { filter: c.filter } : {}),
      ...(c.pageToken ? { pageToken: c.pageToken } : {}),
    });
    switch (call.op) {
      case 'notes.create':
        return notes.create({ parent: call.parent, noteId: call.noteId, requestBody: call.body }, options);
      case 'notes.get':
        return notes.get({ name: call.name }, options);
      case 'notes.delete':
        return notes.delete({ name: call.name }, options);
      case 'notes.list':
        return notes.list({ parent: call.parent, ...page(call) }, options);
      case 'notes.occurrences.list':
        return notes.occurrences.list({ name: call.name, ...page(call) }, options);
      case 'occurrences.create':
        return occurrences.create({ parent: call.parent, requestBody: call.body }, options);
      case 'occurrences.batchCreate':
        return occurrences.batchCreate({ parent: call.parent, requestBody: call.body }, options);
      case 'occurrences.get':
        return occurrences.get({ name: call.name }, options);
      case 'occurrences.delete':
        return occurrences.delete({ name: call.name }, options);
      case 'occurrences.list':
        return occurrences.list({ parent: call.parent, ...page(call) }, options);
    }
  }

  /** GaxiosError (HTTP answer or transport failure), auth failure, or abort -> GrafeasError. */
  private failure(error: unknown, signal: AbortSignal): GrafeasError {
    if (error instanceof GrafeasError) return error;
    if (signal.aborted) return abortError(this.backend, signal, error);
    const e = error as { response?: { status?: number; data?: unknown }; code?: unknown; message?: string };
    if (e.response?.status) return errorFromHttpAnswer(this.backend, e.response.status, e.response.data);
    const message = e.message ?? String(error);
    if (/Could not load the default credentials|Unable to detect a Project Id|invalid_grant/i.test(message)) {
      return localGrafeasError(
        'GRAFEAS_UNAUTHENTICATED',
        this.backend,
        `no usable Google credentials for ${this.backend}: ${message}`,
        error,
      );
    }
    const cause = (error as { cause?: { code?: string } }).cause;
    const code = cause?.code ?? (typeof e.code === 'string' ? e.code : undefined) ?? message;
    return unreachable(this.backend, code, error);
  }
}
