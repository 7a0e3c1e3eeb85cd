import {
  DEPLOY_DIR,
  GUIDE_INSTALL,
  type KubeObject,
  parseObjects,
  renderKustomization,
  runShell,
  SIGNET_EXTRAS,
} from '@signet/deploy';
import { describe, expect, it } from 'vitest';
import { buildProgram, type WebhookCliOptions } from './program.js';

async function parseContainerArgs(objects: KubeObject[]): Promise<WebhookCliOptions | undefined> {
  const deployment = objects.find((o) => o.kind === 'Deployment') as
    | { spec: { template: { spec: { containers: { args: string[] }[] } } } }
    | undefined;
  const args = deployment?.spec.template.spec.containers[0]?.args ?? [];
  let parsed: WebhookCliOptions | undefined;
  await buildProgram(async (options) => {
    parsed = options;
  }).parseAsync(args, { from: 'user' });
  return parsed;
}

describe("deploy/'s Deployment starts the webhook with options its command line accepts", () => {
  it("as the guide's sed pipelines apply it: serving the mounted Secret", async () => {
    const objects = parseObjects(
      runShell(GUIDE_INSTALL + SIGNET_EXTRAS, { K8S_NAMESPACE: 'kritis', GCP_PROJECT: 'p' }),
    );
    expect(await parseContainerArgs(objects)).toMatchObject({
      kubernetes: true,
      store: 'containeranalysis',
      tlsCert: '/var/run/signet/tls/tls.crt',
      tlsKey: '/var/run/signet/tls/tls.key',
      port: 8443,
    });
  });

  it('with the manage-certs component: --manage-certs instead of files', async () => {
    const options = await parseContainerArgs(renderKustomization(DEPLOY_DIR, ['manage-certs']));
    expect(options).toMatchObject({
      kubernetes: true,
      manageCerts: { secretName: 'signet-webhook-tls' },
      port: 8443,
    });
    expect(options?.tlsCert).toBeUndefined();
  });

  it('with the client-auth component, after the serving flags or --manage-certs: --client-ca on the mounted Secret', async () => {
    for (const components of [['client-auth'], ['manage-certs', 'client-auth']]) {
      const options = await parseContainerArgs(renderKustomization(DEPLOY_DIR, components));
      expect(options?.clientCa).toBe('/var/run/signet/client-ca/ca.crt');
    }
  });

  it('with the pull-secrets component, alone or after manage-certs: --pull-secrets, which --kubernetes allows', async () => {
    for (const components of [['pull-secrets'], ['manage-certs', 'pull-secrets']]) {
      const options = await parseContainerArgs(renderKustomization(DEPLOY_DIR, components));
      expect(options).toMatchObject({ kubernetes: true, pullSecrets: true });
    }
    expect((await parseContainerArgs(renderKustomization(DEPLOY_DIR, [])))?.pullSecrets).toBe(false);
  });
});
