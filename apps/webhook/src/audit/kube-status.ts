import { ApiException } from '@kubernetes/client-node';

/** The HTTP code and the `metav1.Status` reason of a failed Kubernetes API call, when it is one. */
export function kubeStatusOf(error: unknown): { code: number; reason: string | undefined } | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = error.body;
  let reason: string | undefined;
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { reason?: unknown };
    reason = typeof parsed?.reason === 'string' ? parsed.reason : undefined;
  } catch {
    // A body that is not JSON still leaves the HTTP code.
  }
  return { code: error.code, reason };
}
