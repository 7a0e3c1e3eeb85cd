import { isSha256Digest, parseImageReference } from '@signet/signing';
import { isRecord } from './parse.js';

type ContainerField = 'initContainers' | 'containers' | 'ephemeralContainers';

const STATUS_FIELDS: Record<ContainerField, string> = {
  initContainers: 'initContainerStatuses',
  containers: 'containerStatuses',
  ephemeralContainers: 'ephemeralContainerStatuses',
};

/**
 * What runs in one container, read from its status: the kubelet's `imageID`. Listed only for a
 * container whose status names an image other than its spec's, or whose status cannot be read.
 */
export interface RunningContainer {
  /** `status.containerStatuses[app]`: where the imageID was read. */
  where: string;
  /** The image the Pod spec names. */
  specImage: string;
  /** The imageID as the kubelet reports it (empty when it reports none). */
  imageId: string;
  /** `NAME@sha256:…` judged instead of the spec image; absent when the imageID cannot be read. */
  running?: string;
  /** Why the imageID cannot be read: what is missing. */
  problem?: string;
}

/** A Pod with its running images put in the spec's place, and the containers whose image changed or is unknown. */
export interface RunningPod {
  pod: unknown;
  containers: RunningContainer[];
}

/**
 * The Pod as it runs: each container's image replaced by the digest its status reports
 * (`status.*ContainerStatuses[].imageID`, matched by container name). The imageID's own repository is
 * kept, as that is what ran; when it names the spec's own digest, the spec image stays (the same
 * manifest, and the name admission judged). A container not started yet (no status, or no imageID
 * while waiting) keeps its spec image: that is what will run. An imageID that names no repository
 * digest (`sha256:<image id>`, a local image) or cannot be read is listed with its problem, and the
 * spec image stays for the decision; the audit then reports the container, never passes it silently.
 */
export function runningPod(pod: unknown): RunningPod {
  if (!isRecord(pod) || !isRecord(pod.spec)) return { pod, containers: [] };
  const status = isRecord(pod.status) ? pod.status : {};
  const spec: Record<string, unknown> = { ...pod.spec };
  const containers: RunningContainer[] = [];
  for (const [field, statusField] of Object.entries(STATUS_FIELDS) as [ContainerField, string][]) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    const statuses = status[statusField];
    spec[field] = list.map((container: unknown) => {
      if (!isRecord(container) || typeof container.image !== 'string') return container;
      const running = runningContainer(container, statuses, statusField);
      if (!running) return container;
      containers.push(running);
      return running.running ? { ...container, image: running.running } : container;
    });
  }
  return containers.length === 0 ? { pod, containers } : { pod: { ...pod, spec }, containers };
}

function runningContainer(
  container: Record<string, unknown>,
  statuses: unknown,
  statusField: string,
): RunningContainer | undefined {
  const name = typeof container.name === 'string' ? container.name : '';
  const specImage = container.image as string;
  const where = `status.${statusField}[${name}]`;
  const unreadable = (imageId: string, problem: string): RunningContainer => ({
    where,
    specImage,
    imageId,
    problem,
  });
  if (statuses === undefined) return undefined;
  if (!Array.isArray(statuses)) return unreadable('', `status.${statusField} is not a list`);
  const status = statuses.find((s: unknown) => isRecord(s) && s.name === name);
  if (!isRecord(status)) return undefined;
  const imageId = status.imageID;
  if (imageId === undefined || imageId === '') {
    return hasRun(status)
      ? unreadable('', 'the container has run, but its status names no imageID')
      : undefined;
  }
  if (typeof imageId !== 'string') return unreadable(String(imageId), 'its imageID is not a string');
  const read = readImageId(imageId);
  if ('problem' in read) return unreadable(imageId, read.problem);
  if (sameDigest(specImage, read.digest)) return undefined;
  return { where, specImage, imageId, running: read.reference };
}

function hasRun(status: Record<string, unknown>): boolean {
  return isRecord(status.state) && (isRecord(status.state.running) || isRecord(status.state.terminated));
}

/** An imageID with an optional `scheme://` (`docker-pullable://`, `docker://`) before `NAME@sha256:HEX`. */
function readImageId(imageId: string): { reference: string; digest: string } | { problem: string } {
  const bare = imageId.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  if (/^sha256:[0-9a-f]{64}$/.test(bare)) {
    return {
      problem: `its imageID ${imageId} is an image ID (the image's config digest), not a repository digest: the image was built or loaded on the node, not pulled from a registry, so Signet cannot tell which signed image (if any) it is`,
    };
  }
  let ref: ReturnType<typeof parseImageReference>;
  try {
    ref = parseImageReference(bare);
  } catch {
    return { problem: `its imageID ${imageId} is not an image reference Signet can read` };
  }
  if (ref.digest === undefined || !isSha256Digest(ref.digest)) {
    return { problem: `its imageID ${imageId} names no sha256 repository digest` };
  }
  return { reference: `${ref.name}@${ref.digest}`, digest: ref.digest };
}

function sameDigest(specImage: string, digest: string): boolean {
  try {
    return parseImageReference(specImage).digest === digest;
  } catch {
    return false;
  }
}
