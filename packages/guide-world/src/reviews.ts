import { randomUUID } from 'node:crypto';

/**
 * AdmissionReviews shaped like the ones a kube-apiserver 1.32 sends (see testdata/admission-reviews):
 * the same envelope, userInfo, options and object layout; only names and images differ.
 */
export interface ReviewOptions {
  name: string;
  namespace?: string;
  images: string[];
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  dryRun?: boolean;
}

const USER_INFO = {
  username: 'admin',
  groups: ['system:masters', 'system:authenticated'],
  extra: {
    'authentication.kubernetes.io/credential-id': [
      'X509SHA256=ca4ae7626cecba0d5cd9ff6c11a0b0e3e3b747c49075599a9613c58e3f9e8b58',
    ],
  },
};

function containers(images: string[]) {
  return images.map((image, index) => ({
    name: `c${index}`,
    image,
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  }));
}

function metadata(options: ReviewOptions, extra: Record<string, unknown> = {}) {
  return {
    name: options.name,
    namespace: options.namespace ?? 'default',
    uid: randomUUID(),
    creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    labels: { run: options.name, ...options.labels },
    ...(options.annotations ? { annotations: options.annotations } : {}),
    ...extra,
  };
}

function envelope<T>(group: string, kind: string, resource: string, options: ReviewOptions, object: T) {
  const gvk = { group, version: 'v1', kind };
  const gvr = { group, version: 'v1', resource };
  return {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid: randomUUID(),
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      name: options.name,
      namespace: options.namespace ?? 'default',
      operation: 'CREATE',
      userInfo: USER_INFO,
      object,
      oldObject: null,
      dryRun: options.dryRun === true,
      options: {
        kind: 'CreateOptions',
        apiVersion: 'meta.k8s.io/v1',
        fieldManager: 'kubectl-run',
        ...(options.dryRun ? { dryRun: ['All'] } : {}),
      },
    },
  };
}

export function podReview(options: ReviewOptions) {
  const object = {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: metadata(options),
    spec: {
      containers: containers(options.images),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
  return envelope('', 'Pod', 'pods', options, object);
}

export function deploymentReview(options: ReviewOptions) {
  const labels = { app: options.name };
  const object = {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: metadata(options, { generation: 1 }),
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, ...(options.annotations ? { annotations: options.annotations } : {}) },
        spec: {
          containers: containers(options.images),
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          securityContext: {},
          schedulerName: 'default-scheduler',
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  };
  return envelope('apps', 'Deployment', 'deployments', options, object);
}
