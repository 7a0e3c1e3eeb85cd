import { request } from 'node:https';

export interface HttpsAnswer {
  status: number;
  body: string;
}

/** An HTTPS request to the webhook trusting only `ca` (real TLS: the serving certificate is checked). */
export function httpsRequest(
  url: string,
  ca: string,
  options: { method?: string; body?: string; timeoutMs?: number } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        ca,
        agent: false,
        headers: options.body ? { 'content-type': 'application/json' } : {},
        timeout: options.timeoutMs ?? 60_000,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${url}: no answer within ${options.timeoutMs ?? 60_000} ms`)),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls GET url until it answers 200 (the process inside the container starts slowly on a busy machine). */
export async function waitForOk(url: string, ca: string, timeoutMs: number): Promise<HttpsAnswer> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    try {
      const answer = await httpsRequest(url, ca, { timeoutMs: 10_000 });
      if (answer.status === 200) return answer;
      last = `HTTP ${answer.status}: ${answer.body}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

/** An admission.k8s.io/v1 review of a Pod CREATE in `namespace` running `image`. */
export function podReview(uid: string, namespace: string, image: string): Record<string, unknown> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace },
    spec: { containers: [{ name: 'web', image }] },
  };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      name: 'web',
      namespace,
      operation: 'CREATE',
      userInfo: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
      object: pod,
      oldObject: null,
      dryRun: false,
    },
  };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code?: number; message?: string };
}

/** The `response` of an AdmissionReview answer (throws with the body when it is not one). */
export function admissionResponse(answer: HttpsAnswer): AdmissionResponse {
  const parsed = JSON.parse(answer.body) as { response?: AdmissionResponse };
  if (answer.status !== 200 || !parsed.response) {
    throw new Error(`not an AdmissionReview answer: HTTP ${answer.status} ${answer.body}`);
  }
  return parsed.response;
}
