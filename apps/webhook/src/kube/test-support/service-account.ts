import { join } from 'node:path';
import { type ControlPlane, writeKubeconfig } from './control-plane.js';

/**
 * A kubeconfig acting as ServiceAccount `namespace/name` (which must exist), with a token from the
 * TokenRequest API, as a Pod of that account would: what it may do is what RBAC grants it.
 */
export async function serviceAccountKubeconfig(
  plane: ControlPlane,
  namespace: string,
  name: string,
  directory: string,
): Promise<string> {
  const path = `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`;
  const request = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} };
  const answer = await plane.client.mustCreate(path, request);
  const token = (answer.status as { token?: string } | undefined)?.token;
  if (!token) throw new Error(`POST ${path} returned no token`);
  const file = join(directory, `kubeconfig-${namespace}-${name}`);
  await writeKubeconfig(file, plane.url, plane.pki.caPem, token);
  return file;
}
