import { describe, expect, it } from 'vitest';
import { runningPod } from './running-images.js';
import { DIGEST_A, DIGEST_B } from './test-support/resources.js';

const IMAGE_ID = `sha256:${'c'.repeat(64)}`;

type Status = Record<string, unknown>;

/** A Pod whose `containers` (name → spec image) run as `statuses` say. */
function pod(containers: Record<string, string>, statuses?: unknown, extra: Record<string, unknown> = {}) {
  return {
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: Object.entries(containers).map(([name, image]) => ({ name, image })), ...extra },
    status: { phase: 'Running', ...(statuses === undefined ? {} : { containerStatuses: statuses }) },
  };
}

const running = (name: string, imageID: unknown): Status => ({
  name,
  imageID,
  state: { running: { startedAt: '2026-12-07T10:00:00Z' } },
});

function imagesOf(object: unknown, field = 'containers'): unknown[] {
  return ((object as { spec: Record<string, { image: unknown }[]> }).spec[field] ?? []).map((c) => c.image);
}

describe('runningPod', () => {
  it('judges the digest containerd reports, in its own repository, instead of the spec tag', () => {
    const result = runningPod(
      pod({ app: 'gcr.io/team/app:v1' }, [running('app', `gcr.io/team/app@${DIGEST_B}`)]),
    );
    expect(imagesOf(result.pod)).toEqual([`gcr.io/team/app@${DIGEST_B}`]);
    expect(result.containers).toEqual([
      {
        where: 'status.containerStatuses[app]',
        specImage: 'gcr.io/team/app:v1',
        imageId: `gcr.io/team/app@${DIGEST_B}`,
        running: `gcr.io/team/app@${DIGEST_B}`,
      },
    ]);
  });

  it("reads dockershim's docker-pullable:// form and normalises Docker Hub names", () => {
    const result = runningPod(
      pod({ web: 'nginx:1.27' }, [running('web', `docker-pullable://nginx@${DIGEST_A}`)]),
    );
    expect(imagesOf(result.pod)).toEqual([`docker.io/library/nginx@${DIGEST_A}`]);
  });

  it('keeps what the imageID names when its repository differs from the spec: that is what ran', () => {
    const result = runningPod(
      pod({ app: `gcr.io/team/app@${DIGEST_A}` }, [running('app', `mirror.example/app@${DIGEST_B}`)]),
    );
    expect(imagesOf(result.pod)).toEqual([`mirror.example/app@${DIGEST_B}`]);
  });

  it('leaves the spec image when the imageID names its own digest, under any repository', () => {
    const spec = pod({ app: `gcr.io/team/app@${DIGEST_A}` }, [
      running('app', `mirror.example/app@${DIGEST_A}`),
    ]);
    const result = runningPod(spec);
    expect(result).toEqual({ pod: spec, containers: [] });
  });

  it.each([
    [IMAGE_ID, 'is an image ID'],
    [`docker://${IMAGE_ID}`, 'is an image ID'],
    ['gcr.io/team/app:v1', 'names no sha256 repository digest'],
    ['not an image!', 'is not an image reference'],
  ])(
    'an imageID %s cannot be looked up: listed with its problem, the spec image kept',
    (imageID, problem) => {
      const result = runningPod(pod({ app: 'gcr.io/team/app:v1' }, [running('app', imageID)]));
      expect(imagesOf(result.pod)).toEqual(['gcr.io/team/app:v1']);
      expect(result.containers).toHaveLength(1);
      expect(result.containers[0]?.running).toBeUndefined();
      expect(result.containers[0]?.problem).toContain(problem);
      expect(result.containers[0]?.imageId).toBe(imageID);
    },
  );

  it('a container that has run but reports no imageID, or an imageID that is not a string, is unreadable', () => {
    const result = runningPod(
      pod({ a: 'x.io/a:1', b: 'x.io/b:1' }, [
        { name: 'a', imageID: '', state: { terminated: { exitCode: 0 } } },
        running('b', 42),
      ]),
    );
    expect(result.containers.map((c) => c.problem)).toEqual([
      'the container has run, but its status names no imageID',
      'its imageID is not a string',
    ]);
  });

  it('a container not started yet (no status, or waiting without imageID) is judged by its spec', () => {
    const spec = pod({ a: 'x.io/a:1', b: 'x.io/b:1' }, [
      { name: 'a', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } },
    ]);
    expect(runningPod(spec)).toEqual({ pod: spec, containers: [] });
    const noStatus = pod({ a: 'x.io/a:1' });
    expect(runningPod(noStatus)).toEqual({ pod: noStatus, containers: [] });
  });

  it('a status list that is not a list makes every container of its kind unreadable', () => {
    const result = runningPod(pod({ a: 'x.io/a:1' }, { a: 'x' }));
    expect(result.containers.map((c) => c.problem)).toEqual(['status.containerStatuses is not a list']);
  });

  it('matches init and ephemeral containers by name in their own status lists', () => {
    const spec = {
      ...pod({ app: 'x.io/app:1' }, [running('app', `x.io/app@${DIGEST_A}`)], {
        initContainers: [{ name: 'setup', image: 'x.io/setup:1' }],
        ephemeralContainers: [{ name: 'debug', image: 'busybox' }],
      }),
    };
    spec.status = {
      ...spec.status,
      initContainerStatuses: [
        { name: 'setup', imageID: `x.io/setup@${DIGEST_B}`, state: { terminated: {} } },
      ],
      ephemeralContainerStatuses: [running('debug', `docker.io/library/busybox@${DIGEST_B}`)],
    } as typeof spec.status;
    const result = runningPod(spec);
    expect(imagesOf(result.pod)).toEqual([`x.io/app@${DIGEST_A}`]);
    expect(imagesOf(result.pod, 'initContainers')).toEqual([`x.io/setup@${DIGEST_B}`]);
    expect(imagesOf(result.pod, 'ephemeralContainers')).toEqual([`docker.io/library/busybox@${DIGEST_B}`]);
    expect(result.containers.map((c) => c.where)).toEqual([
      'status.initContainerStatuses[setup]',
      'status.containerStatuses[app]',
      'status.ephemeralContainerStatuses[debug]',
    ]);
  });

  it('a status of another container name is not used', () => {
    const spec = pod({ app: 'x.io/app:1' }, [running('other', `x.io/other@${DIGEST_A}`)]);
    expect(runningPod(spec)).toEqual({ pod: spec, containers: [] });
  });

  it('leaves objects that are not Pods alone', () => {
    expect(runningPod(42)).toEqual({ pod: 42, containers: [] });
    expect(runningPod({ spec: 'x' })).toEqual({ pod: { spec: 'x' }, containers: [] });
  });
});
