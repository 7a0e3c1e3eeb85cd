import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

/** Where Kubernetes mounts the pod's service account, including its namespace. */
const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The namespace the webhook runs in (its Lease, its certificate Secret), and where that was read. */
export interface WebhookNamespace {
  namespace: string;
  /** `POD_NAMESPACE`, the service account file, `kubeconfig context NAME`, or `default`. */
  from: string;
}

export interface NamespaceOptions {
  /** The `--kubeconfig` file, whose current context may name a namespace. */
  kubeconfig?: string | undefined;
  /** The service account's namespace file (tests point it elsewhere). */
  file?: string;
}

/**
 * The namespace the webhook runs in, by client-go's rule: `POD_NAMESPACE` (set from the downward API
 * in deploy/), then the service account's namespace file every pod has, then the namespace of the
 * kubeconfig's current context, then `default`. So the webhook starts outside a cluster too (a laptop,
 * a CI job, envtest with `--kubeconfig`); the caller logs which one was used.
 */
export function podNamespace(
  env: NodeJS.ProcessEnv = process.env,
  options: NamespaceOptions = {},
): WebhookNamespace {
  const fromEnv = env.POD_NAMESPACE?.trim();
  if (fromEnv) return { namespace: fromEnv, from: 'POD_NAMESPACE' };
  const file = options.file ?? SERVICE_ACCOUNT_NAMESPACE_FILE;
  const fromFile = readTrimmed(file);
  if (fromFile) return { namespace: fromFile, from: file };
  if (options.kubeconfig) {
    const context = kubeconfigNamespace(options.kubeconfig);
    if (context) return context;
  }
  return { namespace: 'default', from: 'default' };
}

function readTrimmed(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined; // not in a pod, or no service account token mounted
  }
}

/** The current context's namespace; an unreadable kubeconfig is reported by the clients that load it. */
function kubeconfigNamespace(path: string): WebhookNamespace | undefined {
  try {
    const config = new KubeConfig();
    config.loadFromFile(path);
    const name = config.getCurrentContext();
    const namespace = config.getContextObject(name)?.namespace?.trim();
    return namespace ? { namespace, from: `kubeconfig context ${name}` } : undefined;
  } catch {
    return undefined;
  }
}
