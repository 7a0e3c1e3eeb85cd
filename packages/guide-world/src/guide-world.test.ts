import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GUIDE, writeGuidePolicies } from './guide-world.js';
import { deploymentReview, podReview } from './reviews.js';
import { generateSelfSignedCert } from './self-signed.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signet-guide-world-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("the guide's policy folder", () => {
  it('holds the three Kritis resources, the authority carrying the public key in base64', async () => {
    await writeGuidePolicies(dir, 'PUBLIC KEY');
    const files = (await readdir(dir)).sort();
    // biome-ignore lint/suspicious/noExplicitAny: walking parsed YAML in assertions
    const resources: any[] = await Promise.all(
      files.map(async (f) => parse(await readFile(join(dir, f), 'utf8'))),
    );
    expect(
      resources.map((r) => `${r.apiVersion} ${r.kind} ${r.metadata.namespace}/${r.metadata.name}`),
    ).toEqual([
      `kritis.grafeas.io/v1beta1 AttestationAuthority default/${GUIDE.attestor}`,
      'kritis.grafeas.io/v1beta1 GenericAttestationPolicy default/require-qa',
      'kritis.grafeas.io/v1beta1 ImageSecurityPolicy default/no-critical',
    ]);
    expect(Buffer.from(resources[0].spec.publicKeyData, 'base64').toString()).toBe('PUBLIC KEY');
  });
});

describe('the reviews an API server would send', () => {
  it('a Pod and a Deployment naming the given images, in the admission.k8s.io/v1 envelope', () => {
    const pod = podReview({ name: 'web', images: [GUIDE.images.signed], dryRun: true });
    expect(pod.apiVersion).toBe('admission.k8s.io/v1');
    expect(pod.request.object.spec.containers.map((c) => c.image)).toEqual([GUIDE.images.signed]);
    expect(pod.request.dryRun).toBe(true);
    const deployment = deploymentReview({ name: 'shop', images: GUIDE.vulnerabilities.map(() => 'x') });
    expect(deployment.request.kind).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(deployment.request.object.spec.template.spec.containers).toHaveLength(4);
  });
});

describe('generateSelfSignedCert', () => {
  it('makes a serving certificate for the loopback names with openssl', async () => {
    const pair = await generateSelfSignedCert(dir, { name: 'test' });
    const cert = new X509Certificate(pair.certPem);
    expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(await readFile(pair.keyFile, 'utf8')).toContain('PRIVATE KEY');
  });
});
