import { type Agent, request } from 'node:https';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint?: string;
}

/** Real HTTPS requests to the webhook, trusting only `ca`. */
export function httpsRequest(
  url: string,
  options: {
    method?: string;
    body?: string | Buffer;
    ca: string;
    /** A client certificate and key to present (PEM). */
    cert?: string;
    key?: string;
    agent?: Agent;
    headers?: Record<string, string>;
  },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        ca: options.ca,
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
        agent: options.agent,
        headers: { 'content-type': 'application/json', ...options.headers },
      },
      (res) => {
        const socket = res.socket as unknown as { getPeerCertificate?: () => { fingerprint256?: string } };
        const fingerprint = socket.getPeerCertificate?.().fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, fingerprint });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
