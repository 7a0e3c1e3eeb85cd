import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { occurrenceSpecOf } from '@signet/grafeas-client';
import { GUIDE, NOTE_NAME } from '@signet/guide-world';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWebhook } from '../start-webhook.js';
import { createE2eWorld, type E2eWorld, pinned } from '../test-support/e2e-world.js';
import { eventually } from '../test-support/eventually.js';
import { httpsRequest } from '../test-support/https-client.js';
import { metricValue } from '../test-support/metrics.js';
import {
  allCapturedRequests,
  capturedRequest,
  imagesIn,
  requestOf,
  rewriteImages,
} from '../test-support/reviews.js';

interface Answer {
  apiVersion: string;
  kind: string;
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason: string; message: string };
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
  };
}

/** Admitted when every new or changed image of the captured request is an `ok` placeholder. */
const EXPECTED_ALLOWED: Record<string, boolean> = {
  'k8s-1.24/01-Pod-CREATE.json': true,
  'k8s-1.24/02-Pod-CREATE.json': false, // registry.example/bad:1 is tag-only
  'k8s-1.24/03-Deployment-CREATE.json': false, // dry-run, unsigned
  'k8s-1.24/04-CronJob-CREATE.json': true,
  'k8s-1.24/05-CronJob-CREATE.json': false,
  'k8s-1.24/06-Job-CREATE.json': false,
  'k8s-1.24/07-Deployment-UPDATE.json': false, // kubectl set image to an unsigned image
  'k8s-1.24/08-Pod-UPDATE-ephemeralcontainers.json': false, // unsigned debug container
  'k8s-1.24/09-Pod-UPDATE-ephemeralcontainers.json': true, // signed debug container
  'k8s-1.32/01-Pod-CREATE.json': true,
  'k8s-1.32/02-Pod-CREATE.json': false,
  'k8s-1.32/03-Deployment-CREATE.json': false,
  'k8s-1.32/04-StatefulSet-CREATE.json': false, // unsigned init container
  'k8s-1.32/05-Pod-UPDATE-ephemeralcontainers.json': false, // unsigned debug container
};

describe('signet-webhook end to end over HTTPS (emulator, real signatures, captured review shapes)', () => {
  let world: E2eWorld;
  let webhook: RunningWebhook;

  beforeAll(async () => {
    world = await createE2eWorld();
    webhook = await world.startWebhook();
  });
  afterAll(async () => {
    await world?.close();
  });

  const review = (version: '1.24' | '1.32', file: string) =>
    rewriteImages(capturedRequest(version, file).review, (image) => world.imageFor(image));

  it('covers every captured request', () => {
    expect(
      allCapturedRequests()
        .map((r) => r.file)
        .sort(),
    ).toEqual(Object.keys(EXPECTED_ALLOWED).sort());
  });

  for (const [file, allowed] of Object.entries(EXPECTED_ALLOWED)) {
    it(`${allowed ? 'admits' : 'denies'} ${file}, answering v1 and v1beta1 in kind`, async () => {
      const [version, name] = file.replace('k8s-', '').split('/') as ['1.24' | '1.32', string];
      const captured = capturedRequest(version, name);
      const body = review(version, name);
      for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']) {
        const result = await world.post(
          webhook,
          { ...body, apiVersion },
          captured.url.replace('/validate', ''),
        );
        expect(result.status).toBe(200);
        const answer = result.json as Answer;
        expect(answer.apiVersion).toBe(apiVersion);
        expect(answer.kind).toBe('AdmissionReview');
        expect(answer.response.uid).toBe(requestOf(captured.review).uid);
        expect(answer.response.allowed).toBe(allowed);
        if (!allowed) {
          expect(answer.response.status?.code).toBe(403);
          expect(answer.response.status?.message).toMatch(/Signet denied/);
        }
      }
    });
  }

  it('judges the kinds no capture shows: ReplicaSet, DaemonSet, ReplicationController, PodTemplate', async () => {
    const deployment = review('1.32', '03-Deployment-CREATE.json');
    const request = requestOf(deployment);
    const object = request.object as { spec: { template: unknown } };
    const variants: [string, string, string, unknown][] = [
      ['apps', 'ReplicaSet', 'replicasets', { ...object, kind: 'ReplicaSet' }],
      ['apps', 'DaemonSet', 'daemonsets', { ...object, kind: 'DaemonSet' }],
      [
        '',
        'ReplicationController',
        'replicationcontrollers',
        { ...object, kind: 'ReplicationController', apiVersion: 'v1' },
      ],
      [
        '',
        'PodTemplate',
        'podtemplates',
        { kind: 'PodTemplate', apiVersion: 'v1', metadata: {}, template: object.spec.template },
      ],
    ];
    for (const [group, kind, resource, variantObject] of variants) {
      const body = structuredClone(deployment);
      Object.assign(requestOf(body), {
        kind: { group, version: 'v1', kind },
        resource: { group, version: 'v1', resource },
        object: variantObject,
      });
      const denied = (await world.post(webhook, body)).json as Answer;
      expect([kind, denied.response.allowed]).toEqual([kind, false]);
      const signed = rewriteImages(body, () => pinned('ok/img'));
      expect([kind, ((await world.post(webhook, signed)).json as Answer).response.allowed]).toEqual([
        kind,
        true,
      ]);
    }
  });

  it('judges init containers, native sidecars and image volumes of a Pod', async () => {
    const base = review('1.32', '01-Pod-CREATE.json');
    const spec = (requestOf(base).object as { spec: Record<string, unknown> }).spec;
    const cases: [string, Record<string, unknown>][] = [
      ['init container', { initContainers: [{ name: 'init', image: pinned('bad/init') }] }],
      [
        'native sidecar',
        { initContainers: [{ name: 'proxy', image: pinned('bad/sidecar'), restartPolicy: 'Always' }] },
      ],
      [
        'image volume',
        {
          volumes: [{ name: 'data', image: { reference: pinned('bad/volume'), pullPolicy: 'IfNotPresent' } }],
        },
      ],
    ];
    for (const [what, extra] of cases) {
      const body = structuredClone(base);
      Object.assign((requestOf(body).object as { spec: Record<string, unknown> }).spec, spec, extra);
      const answer = (await world.post(webhook, body)).json as Answer;
      expect([what, answer.response.allowed]).toEqual([what, false]);
      expect(answer.response.status?.message).toContain('registry.example/e2e/bad-');
    }
  });

  it('names every unsigned image and what to do about it', async () => {
    const answer = (await world.post(webhook, review('1.32', '04-StatefulSet-CREATE.json'))).json as Answer;
    const message = answer.response.status?.message ?? '';
    expect(message).toContain(pinned('bad/init'));
    expect(message).not.toContain(`image ${pinned('ok/c')}`);
    expect(message).toContain(`no attestation by AttestationAuthority ${GUIDE.attestor}`);
    expect(message).toContain('signet sign');
  });

  it('asks to pin a tag-only image by digest', async () => {
    const answer = (await world.post(webhook, review('1.24', '02-Pod-CREATE.json'))).json as Answer;
    expect(answer.response.status?.message).toMatch(/digest/);
  });

  it('does not judge again, on UPDATE, an image that oldObject already had', async () => {
    const body = review('1.24', '07-Deployment-UPDATE.json');
    const request = requestOf(body);
    // Scale the deployment: the unsigned image was already running, so it is not judged again.
    const oldImages = imagesIn(request.oldObject);
    expect(oldImages).toEqual([pinned('busybox')]);
    const unchanged = rewriteImages(body, () => pinned('busybox'));
    requestOf(unchanged).oldObject = request.oldObject;
    const answer = (await world.post(webhook, unchanged)).json as Answer;
    expect(answer.response.allowed).toBe(true);
  });

  it('judges a signed Deployment with the same outcome under dry-run, and writes nothing', async () => {
    const body = review('1.24', '03-Deployment-CREATE.json');
    expect(requestOf(body).dryRun).toBe(true);
    const before = await world.guide.store.listOccurrences(GUIDE.project);
    const signedDryRun = rewriteImages(body, () => pinned('ok/img'));
    const answer = (await world.post(webhook, signedDryRun)).json as Answer;
    expect(answer.response.allowed).toBe(true);
    const after = await world.guide.store.listOccurrences(GUIDE.project);
    expect(after.items.length).toBe(before.items.length);
  });

  it('denies the vulnerable image naming the CVEs above the limit, not the allowlisted one', async () => {
    const body = rewriteImages(review('1.32', '01-Pod-CREATE.json'), () => GUIDE.images.vulnerable);
    const answer = (await world.post(webhook, body)).json as Answer;
    expect(answer.response.allowed).toBe(false);
    const message = answer.response.status?.message ?? '';
    expect(message).toContain('CVE-2024-3094');
    expect(message).toContain('CVE-2023-4863');
    expect(message).not.toContain('CVE-2021-44228');
    expect(message).not.toMatch(/no attestation/);
  });

  // Issue 11 finding 1: gcloud stores the attestation's resource without https://.
  it('admits an image whose attestation gcloud stored without https://', async () => {
    const image = pinned('gcloud/attested');
    await world.sign(image);
    const store = world.guide.store;
    const [signed] = (await store.listNoteOccurrences(NOTE_NAME, `https://${image}`)).items;
    if (!signed) throw new Error('not signed');
    await store.createOccurrence(GUIDE.project, { ...occurrenceSpecOf(signed), resourceUri: image });
    await store.deleteOccurrence(signed.name);
    const answer = (
      await world.post(
        webhook,
        rewriteImages(review('1.32', '01-Pod-CREATE.json'), () => image),
      )
    ).json as Answer;
    expect(answer.response.allowed).toBe(true);
  });

  // Issue 11 finding 3, issue 10 finding 2: a real Grafeas answers effectiveSeverity UNSPECIFIED.
  it.each([
    [
      'severity only (effectiveSeverity UNSPECIFIED)',
      { severity: 'CRITICAL', effectiveSeverity: 'SEVERITY_UNSPECIFIED' },
      'CRITICAL, fix available',
    ],
    // Issue 19: names are read in any case; a value that is no severity is judged CRITICAL.
    [
      'a lowercase name',
      { severity: 'SEVERITY_UNSPECIFIED', effectiveSeverity: 'critical' },
      'CRITICAL, fix available',
    ],
    [
      'an unknown spelling',
      { severity: 'SEVERITY_UNSPECIFIED', effectiveSeverity: 'SEVERE' },
      'severity unknown, judged CRITICAL',
    ],
  ])(
    'denies a CRITICAL vulnerability written with %s under a MEDIUM limit',
    async (label, severities, shown) => {
      const image = pinned(`real-grafeas/${label.length}`);
      await world.sign(image);
      await world.guide.store.createOccurrence(GUIDE.project, {
        kind: 'VULNERABILITY',
        resourceUri: `https://${image}`,
        noteName: 'projects/goog-vulnz/notes/CVE-2024-0001',
        ...(severities as { severity: 'CRITICAL'; effectiveSeverity: 'CRITICAL' }),
        fixAvailable: true,
        packages: [
          {
            affectedCpeUri: 'cpe:/o:debian:debian_linux:12',
            affectedPackage: 'xz-utils',
            fixAvailable: true,
          },
        ],
      });
      const answer = (
        await world.post(
          webhook,
          rewriteImages(review('1.32', '01-Pod-CREATE.json'), () => image),
        )
      ).json as Answer;
      expect(answer.response.allowed).toBe(false);
      expect(answer.response.status?.message ?? '').toContain(`CVE-2024-0001 (${shown}`);
    },
  );

  it('admits through breakglass (annotation or label) with a warning, an audit annotation and a metric', async () => {
    const annotated = review('1.32', '02-Pod-CREATE.json');
    const object = requestOf(annotated).object as { metadata: Record<string, unknown> };
    object.metadata.annotations = { 'kritis.grafeas.io/breakglass': 'true' };
    const labelled = review('1.32', '02-Pod-CREATE.json');
    (requestOf(labelled).object as { metadata: { labels: Record<string, string> } }).metadata.labels[
      'image-policy.k8s.io/break-glass'
    ] = 'true';
    for (const body of [annotated, labelled]) {
      const answer = (await world.post(webhook, body)).json as Answer;
      expect(answer.response.allowed).toBe(true);
      expect(answer.response.warnings?.[0]).toMatch(/breakglass/);
      expect(answer.response.auditAnnotations?.breakglass).toBe('true');
    }
    const metrics = await httpsRequest(`${webhook.url}/metrics`, { ca: world.cert.certPem });
    expect(metricValue(metrics.text, 'signet_breakglass_admissions_total', { namespace: 'default' })).toBe(2);
  });

  it('ignores breakglass when it is turned off', async () => {
    const strict = await world.startWebhook({ settings: { breakglass: 'off' } });
    const body = review('1.32', '02-Pod-CREATE.json');
    (requestOf(body).object as { metadata: Record<string, unknown> }).metadata.annotations = {
      'kritis.grafeas.io/breakglass': 'true',
    };
    const answer = (await world.post(strict, body)).json as Answer;
    expect(answer.response.allowed).toBe(false);
    await strict.stop();
  });

  it('admits images in a namespace without policy, unless --no-policy deny', async () => {
    const body = review('1.32', '02-Pod-CREATE.json');
    requestOf(body).namespace = 'no-policies-here';
    expect(((await world.post(webhook, body)).json as Answer).response.allowed).toBe(true);
    const strict = await world.startWebhook({ settings: { noPolicy: 'deny' } });
    const answer = (await world.post(strict, body)).json as Answer;
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toMatch(/no-policies-here/);
    await strict.stop();
  });

  it('admits DELETE and CONNECT without looking at images', async () => {
    for (const operation of ['DELETE', 'CONNECT']) {
      const body = review('1.32', '02-Pod-CREATE.json');
      requestOf(body).operation = operation;
      expect(((await world.post(webhook, body)).json as Answer).response.allowed).toBe(true);
    }
  });

  it('--resolve-tags pods admits a tag in a Deployment (its Pods are pinned and judged); all and off refuse it', async () => {
    const tagged = rewriteImages(
      review('1.32', '03-Deployment-CREATE.json'),
      () => 'gcr.io/signet-demo/web:v1',
    );
    const pods = ((await world.post(webhook, tagged)).json as Answer).response;
    expect(pods.allowed).toBe(true);
    expect(pods.warnings?.join('\n')).toContain(
      "gcr.io/signet-demo/web:v1 is named by tag in this Deployment's pod template: Signet judges it in each Pod made from it",
    );
    const podBody = rewriteImages(review('1.32', '01-Pod-CREATE.json'), () => 'gcr.io/signet-demo/web:v1');
    expect(((await world.post(webhook, podBody)).json as Answer).response.allowed).toBe(false);
    for (const mode of ['all', 'off'] as const) {
      const other = await world.startWebhook({ resolve: { mode } });
      const answer = ((await world.post(other, tagged)).json as Answer).response;
      expect(answer.allowed, mode).toBe(false);
      expect(answer.status?.message, mode).toContain('the image is referenced by tag, not by digest');
      await other.stop();
    }
  });

  it('asks the backend once per digest: concurrent reviews share the call, later ones hit the cache', async () => {
    const plain = await world.startWebhook({ decisionMemo: { ttlMs: 0 } });
    const image = pinned('cache-probe');
    await world.sign(image);
    const body = rewriteImages(review('1.32', '01-Pod-CREATE.json'), () => image);
    const answers = await Promise.all(Array.from({ length: 20 }, () => world.post(plain, body)));
    expect(answers.every((a) => (a.json as Answer).response.allowed)).toBe(true);
    const deployment = rewriteImages(review('1.32', '03-Deployment-CREATE.json'), () => image);
    expect(((await world.post(plain, deployment)).json as Answer).response.allowed).toBe(true);
    const metrics = (await httpsRequest(`${plain.url}/metrics`, { ca: world.cert.certPem })).text;
    const calls = (backend: string) =>
      metricValue(metrics, 'signet_metadata_backend_calls_total', { backend });
    expect(calls('attestations')).toBe(1);
    expect(calls('vulnerabilities')).toBe(1);
    const lookups = (result: string) =>
      metricValue(metrics, 'signet_metadata_cache_lookups_total', { cache: 'attestations', result });
    expect(lookups('miss')).toBe(1);
    expect(lookups('shared') + lookups('hit')).toBe(20);
    await plain.stop();
  });

  it('remembers a plain admission briefly: the same review again skips the decision', async () => {
    const image = pinned('memo-probe');
    await world.sign(image);
    const body = rewriteImages(review('1.32', '01-Pod-CREATE.json'), () => image);
    const hits = async () =>
      metricValue(
        (await httpsRequest(`${webhook.url}/metrics`, { ca: world.cert.certPem })).text,
        'signet_metadata_cache_lookups_total',
        {
          cache: 'decisions',
          result: 'hit',
        },
      );
    const before = await hits();
    for (let i = 0; i < 3; i += 1)
      expect(((await world.post(webhook, body)).json as Answer).response.allowed).toBe(true);
    expect((await hits()) - before).toBe(2);
    // A denial is never remembered: the unsigned image is judged each time, and stays denied.
    const unsigned = rewriteImages(body, () => pinned('memo-unsigned'));
    for (let i = 0; i < 2; i += 1)
      expect(((await world.post(webhook, unsigned)).json as Answer).response.allowed).toBe(false);
    expect((await hits()) - before).toBe(2);
  });

  it('reloads policies from files while serving; an invalid file fails its namespace closed, with a message', async () => {
    const body = review('1.32', '02-Pod-CREATE.json');
    requestOf(body).namespace = 'team-reload';
    expect(((await world.post(webhook, body)).json as Answer).response.allowed).toBe(true);

    const file = join(world.guide.policyDir, 'team-reload.yaml');
    await writeFile(
      file,
      `apiVersion: kritis.grafeas.io/v1beta1
kind: GenericAttestationPolicy
metadata: {name: strict, namespace: team-reload}
spec: {attestationAuthorityNames: [${GUIDE.attestor}]}
---
apiVersion: kritis.grafeas.io/v1beta1
kind: AttestationAuthority
metadata: {name: ${GUIDE.attestor}, namespace: team-reload}
spec: {noteReference: projects/${GUIDE.project}, publicKeyData: ${Buffer.from(world.guide.publicKey).toString('base64')}}
`,
    );
    const denied = await eventually(async () => {
      const answer = (await world.post(webhook, body)).json as Answer;
      return answer.response.allowed ? undefined : answer;
    });
    expect(denied.response.status?.message).toMatch(/no attestation/);

    await writeFile(
      file,
      `apiVersion: kritis.grafeas.io/v1beta1
kind: GenericAttestationPolicy
metadata: {name: strict, namespace: team-reload}
spec: {attestationAuthorityNames: [${GUIDE.attestor}], admissionAllowlistPatterns: [{namePattern: "*"}]}
`,
    );
    const invalid = await eventually(async () => {
      const answer = (await world.post(webhook, body)).json as Answer;
      return /invalid/.test(answer.response.status?.message ?? '') ? answer : undefined;
    });
    expect(invalid.response.allowed).toBe(false);
    expect(invalid.response.status?.message).toMatch(/strict/);
    expect(invalid.response.status?.message).toMatch(/namePattern/);
    // A signed image is refused too: the whole namespace fails closed.
    const signedBody = rewriteImages(body, () => pinned('ok/img'));
    expect(((await world.post(webhook, signedBody)).json as Answer).response.allowed).toBe(false);
    // Other namespaces are not affected.
    const otherNamespace = review('1.32', '01-Pod-CREATE.json');
    expect(((await world.post(webhook, otherNamespace)).json as Answer).response.allowed).toBe(true);

    await rm(file);
    await eventually(
      async () => ((await world.post(webhook, body)).json as Answer).response.allowed || undefined,
    );
  });

  it('is ready once the policies are loaded, and counts decisions in /metrics', async () => {
    const ready = await httpsRequest(`${webhook.url}/readyz`, { ca: world.cert.certPem });
    expect(ready.status).toBe(200);
    const metrics = (await httpsRequest(`${webhook.url}/metrics`, { ca: world.cert.certPem })).text;
    expect(
      metricValue(metrics, 'signet_admission_decisions_total', { decision: 'deny', reason: 'policy' }),
    ).toBeGreaterThan(0);
    expect(
      metricValue(metrics, 'signet_admission_decisions_total', { decision: 'allow', reason: 'breakglass' }),
    ).toBe(2);
    expect(metricValue(metrics, 'signet_policy_reloads_total')).toBeGreaterThan(0);
  });
});
