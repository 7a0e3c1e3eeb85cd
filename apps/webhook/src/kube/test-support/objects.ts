import type { KubeObject } from '@signet/deploy';

/** A one-container Pod, as `kubectl run` would create it. */
export function pod(name: string, image: string, namespace = 'default'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { containers: [{ name: 'app', image }] },
  };
}

/** A `kritis.grafeas.io/v1beta1` resource (AttestationAuthority, GenericAttestationPolicy, …). */
export function kritis(
  kind: string,
  name: string,
  spec: Record<string, unknown>,
  namespace = 'default',
): KubeObject {
  return { apiVersion: 'kritis.grafeas.io/v1beta1', kind, metadata: { name, namespace }, spec };
}
