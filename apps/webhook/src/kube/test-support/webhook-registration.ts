import { GUIDE_INSTALL, type KubeObject, parseObjects, runShell, SIGNET_EXTRAS } from '@signet/deploy';
import { collectionPath, type KubeClient } from './kube-client.js';
import { poll } from './poll.js';

// biome-ignore lint/suspicious/noExplicitAny: walking API objects
type Any = Record<string, any>;

type InstallValues = Parameters<typeof runShell>[1];

/**
 * What the guide's install and Signet's extras (README "Deploy on GKE") would apply, rendered by their
 * own sed pipelines: the CRDs, deploy/webhook.yaml and deploy/resolve-webhook.yaml among them.
 * `kubectl config view` would print the cluster CA; a placeholder without `/` survives sed, and
 * {@link registerWebhooks} replaces it with the webhook's real CA.
 */
export function renderInstall(values: InstallValues): KubeObject[] {
  return parseObjects(
    runShell(GUIDE_INSTALL + SIGNET_EXTRAS, { ...values, SAMPLE_CA_BUNDLE: 'UExBQ0VIT0xERVI=' }),
  );
}

/** `kubectl apply` of a CRD, then wait until the API server serves its kind. */
export async function applyCrd(client: KubeClient, crd: KubeObject): Promise<void> {
  await client.mustCreate(collectionPath(crd), crd);
  await poll(`${crd.metadata.name} is established`, async () => {
    const result = await client.get(
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
    );
    const conditions = ((result.json as Any)?.status?.conditions ?? []) as Any[];
    return conditions.some((c) => c.type === 'Established' && c.status === 'True');
  });
}

/** A rendered webhook configuration pointed at a local webhook by URL (same path), with our CA. */
function pointAtLocalWebhook(configuration: KubeObject, url: string, caPem: string): KubeObject {
  const copy = structuredClone(configuration) as KubeObject & Any;
  for (const hook of copy.webhooks as Any[]) {
    const path = hook.clientConfig.service.path as string;
    hook.clientConfig = { url: `${url}${path}`, caBundle: Buffer.from(caPem).toString('base64') };
  }
  return copy;
}

/** Registers the rendered configurations of `kinds` (one of each), pointed at the local webhook. */
export async function registerWebhooks(
  client: KubeClient,
  installed: readonly KubeObject[],
  kinds: readonly ('ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration')[],
  webhook: { url: string; caPem: string },
): Promise<void> {
  for (const kind of kinds) {
    const configuration = installed.find((o) => o.kind === kind);
    if (!configuration) throw new Error(`the install rendered no ${kind}`);
    const registered = pointAtLocalWebhook(configuration, webhook.url, webhook.caPem);
    await client.mustCreate(collectionPath(registered), registered);
  }
}

/**
 * The API server picks new webhook configurations up asynchronously: dry-runs `pod` until hook
 * `hookName` denies it. 201 means the hook was not called yet; any other answer fails at once.
 */
export async function waitUntilHookDenies(
  client: KubeClient,
  hookName: string,
  pod: KubeObject,
): Promise<void> {
  let last = '';
  await poll(
    `the API server calls ${hookName}`,
    async () => {
      const probe = await client.create(`${collectionPath(pod)}?dryRun=All`, pod);
      last = `${probe.status} ${probe.text.slice(0, 500)}`;
      const message = String((probe.json as Any | undefined)?.message ?? '');
      const denied = probe.status === 403 && message.startsWith(`admission webhook "${hookName}" denied`);
      if (probe.status !== 201 && !denied) throw new Error(`dry run failed: ${last}`);
      return denied;
    },
    { detail: () => `last dry run: ${last}` },
  );
}
