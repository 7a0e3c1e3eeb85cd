import { describe, expect, it } from 'vitest';
import { readAdmissionReview } from './test-support/kritis.js';
import { extractImages, podSpecOf, requestImages } from './workload.js';

const ZERO = `sha256:${'0'.repeat(64)}`;

function imagesOf(file: string) {
  const { request } = readAdmissionReview(file).review;
  const kind = (request.kind as { kind: string }).kind;
  return requestImages({
    kind,
    operation: String(request.operation),
    object: request.object,
    oldObject: request.oldObject,
  });
}

describe('images of real AdmissionReview requests', () => {
  it.each([
    ['k8s-1.24/01-Pod-CREATE.json', [`registry.example/ok@${ZERO}`], []],
    ['k8s-1.24/02-Pod-CREATE.json', ['registry.example/bad:1'], []],
    ['k8s-1.24/03-Deployment-CREATE.json', ['bad/img'], []],
    ['k8s-1.24/04-CronJob-CREATE.json', ['ok/img'], []],
    ['k8s-1.24/05-CronJob-CREATE.json', ['bad/img'], []],
    ['k8s-1.24/06-Job-CREATE.json', ['bad/x'], []],
    ['k8s-1.24/07-Deployment-UPDATE.json', ['bad/busybox'], []],
    ['k8s-1.24/08-Pod-UPDATE-ephemeralcontainers.json', ['bad/debug'], [`registry.example/ok@${ZERO}`]],
    ['k8s-1.24/09-Pod-UPDATE-ephemeralcontainers.json', ['ok/debug'], [`registry.example/ok@${ZERO}`]],
    ['k8s-1.32/01-Pod-CREATE.json', ['ok/img'], []],
    ['k8s-1.32/02-Pod-CREATE.json', ['bad/img'], []],
    ['k8s-1.32/03-Deployment-CREATE.json', ['bad/img'], []],
    ['k8s-1.32/04-StatefulSet-CREATE.json', ['bad/init', 'ok/c'], []],
    ['k8s-1.32/05-Pod-UPDATE-ephemeralcontainers.json', ['bad/dbg'], ['ok/img']],
  ])('%s', (file, judged, unchanged) => {
    const images = imagesOf(file);
    expect(images.toJudge).toEqual(judged);
    expect(images.unchanged).toEqual(unchanged);
  });

  it('tells where each image sits', () => {
    expect(imagesOf('k8s-1.32/04-StatefulSet-CREATE.json').all).toEqual([
      {
        image: 'bad/init',
        field: 'initContainers',
        name: expect.any(String),
        path: 'spec.template.spec.initContainers[0].image',
      },
      {
        image: 'ok/c',
        field: 'containers',
        name: expect.any(String),
        path: 'spec.template.spec.containers[0].image',
      },
    ]);
    expect(imagesOf('k8s-1.24/04-CronJob-CREATE.json').all.map((i) => i.path)).toEqual([
      'spec.jobTemplate.spec.template.spec.containers[0].image',
    ]);
    expect(
      imagesOf('k8s-1.32/05-Pod-UPDATE-ephemeralcontainers.json').all.map((i) => [i.field, i.image]),
    ).toEqual([
      ['containers', 'ok/img'],
      ['ephemeralContainers', 'bad/dbg'],
    ]);
  });
});

describe('extractImages', () => {
  const podSpec = {
    initContainers: [{ name: 'sidecar', image: 'gcr.io/p/sidecar@sha256:1', restartPolicy: 'Always' }],
    containers: [{ name: 'app', image: 'gcr.io/p/app:1' }, { name: 'noimage' }, { name: 'odd', image: 42 }],
    ephemeralContainers: [{ name: 'debug', image: 'busybox' }],
    volumes: [
      { name: 'models', image: { reference: 'gcr.io/p/models:v1', pullPolicy: 'IfNotPresent' } },
      { name: 'cfg', configMap: { name: 'c' } },
    ],
  };

  it('finds containers, init containers, ephemeral containers and image volumes of a Pod', () => {
    expect(extractImages({ spec: podSpec }, 'Pod')).toEqual([
      {
        image: 'gcr.io/p/sidecar@sha256:1',
        field: 'initContainers',
        name: 'sidecar',
        path: 'spec.initContainers[0].image',
      },
      { image: 'gcr.io/p/app:1', field: 'containers', name: 'app', path: 'spec.containers[0].image' },
      {
        image: 'busybox',
        field: 'ephemeralContainers',
        name: 'debug',
        path: 'spec.ephemeralContainers[0].image',
      },
      {
        image: 'gcr.io/p/models:v1',
        field: 'volumes',
        name: 'models',
        path: 'spec.volumes[0].image.reference',
      },
    ]);
  });

  it.each([
    ['Deployment', { spec: { template: { spec: podSpec } } }],
    ['ReplicaSet', { spec: { template: { spec: podSpec } } }],
    ['StatefulSet', { spec: { template: { spec: podSpec } } }],
    ['DaemonSet', { spec: { template: { spec: podSpec } } }],
    ['Job', { spec: { template: { spec: podSpec } } }],
    ['ReplicationController', { spec: { template: { spec: podSpec } } }],
    ['CronJob', { spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } }],
    ['PodTemplate', { template: { spec: podSpec } }],
    ['SomethingNew', { spec: { template: { spec: podSpec } } }],
  ])('finds the four images of a %s', (kind, object) => {
    expect(extractImages(object, kind).map((i) => i.image)).toEqual([
      'gcr.io/p/sidecar@sha256:1',
      'gcr.io/p/app:1',
      'busybox',
      'gcr.io/p/models:v1',
    ]);
  });

  it('reads the 1.16-1.21 EphemeralContainers kind', () => {
    expect(
      extractImages({ ephemeralContainers: [{ name: 'd', image: 'busybox' }] }, 'EphemeralContainers'),
    ).toEqual([
      { image: 'busybox', field: 'ephemeralContainers', name: 'd', path: 'ephemeralContainers[0].image' },
    ]);
  });

  it('yields nothing for a ReplicationController without template, or odd input', () => {
    expect(extractImages({ spec: { replicas: 1 } }, 'ReplicationController')).toEqual([]);
    for (const odd of [
      null,
      1,
      'x',
      [],
      { spec: [] },
      { spec: { containers: {} } },
      { spec: { volumes: [null, { image: 'x' }] } },
    ]) {
      expect(extractImages(odd, 'Pod')).toEqual([]);
    }
  });
});

describe('requestImages on UPDATE', () => {
  const pod = (images: string[]) => ({
    spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
  });

  it('judges new or changed images only, once each', () => {
    const images = requestImages({
      kind: 'Pod',
      operation: 'UPDATE',
      object: pod(['a:1', 'b:2', 'b:2', 'c:3']),
      oldObject: pod(['a:1', 'b:1']),
    });
    expect(images.toJudge).toEqual(['b:2', 'c:3']);
    expect(images.unchanged).toEqual(['a:1']);
  });

  it('judges everything on CREATE, even with an oldObject present', () => {
    const images = requestImages({
      kind: 'Pod',
      operation: 'CREATE',
      object: pod(['a:1']),
      oldObject: pod(['a:1']),
    });
    expect(images.toJudge).toEqual(['a:1']);
  });
});

describe('podSpecOf', () => {
  const spec = { containers: [{ name: 'c', image: 'app:v1' }] };
  it.each([
    ['Pod', { spec }],
    ['Deployment', { spec: { template: { spec } } }],
    ['CronJob', { spec: { jobTemplate: { spec: { template: { spec } } } } }],
    ['PodTemplate', { template: { spec } }],
  ])('finds the pod spec of a %s', (kind, object) => {
    expect(podSpecOf(object, kind)).toBe(spec);
  });

  it('is the object itself for EphemeralContainers, and nothing for an unknown kind or a missing path', () => {
    const object = { ephemeralContainers: [] };
    expect(podSpecOf(object, 'EphemeralContainers')).toBe(object);
    expect(podSpecOf({ spec }, 'ConfigMap')).toBeUndefined();
    expect(podSpecOf({ spec: 'x' }, 'Deployment')).toBeUndefined();
    expect(podSpecOf(null, 'Pod')).toBeUndefined();
  });
});
