import { isRecord } from './parse.js';

type ImageField = 'initContainers' | 'containers' | 'ephemeralContainers' | 'volumes';

/** One image of a workload and where it was found. */
export interface WorkloadImage {
  image: string;
  field: ImageField;
  /** The container's or volume's name. */
  name: string;
  /** e.g. `spec.template.spec.containers[0].image`. */
  path: string;
}

/** Where each reviewed kind keeps its pod spec. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  PodTemplate: ['template', 'spec'],
};

/** Every kind Signet reviews (all namespaced). */
export const REVIEWED_KINDS: readonly string[] = Object.keys(POD_SPEC_PATHS);

const CONTAINER_FIELDS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

const EVERY_POD_SPEC_PATH: readonly (readonly string[])[] = [
  ...new Set(Object.values(POD_SPEC_PATHS).map((p) => p.join('.'))),
].map((p) => p.split('.'));

/** The pod spec location of a kind; for an unknown kind, every known location is tried. */
function podSpecPathsFor(kind: string): readonly (readonly string[])[] {
  const known = POD_SPEC_PATHS[kind];
  return known ? [known] : EVERY_POD_SPEC_PATH;
}

/**
 * Every image of `object` of `kind`: containers, init containers, ephemeral containers and image
 * volumes (`volumes[].image.reference`). Works on any input: missing or odd fields yield nothing.
 */
export function extractImages(object: unknown, kind: string): WorkloadImage[] {
  if (kind === 'EphemeralContainers') return containerImages(object, 'ephemeralContainers', '');
  const images: WorkloadImage[] = [];
  for (const path of podSpecPathsFor(kind)) {
    const spec = at(object, path);
    if (!isRecord(spec)) continue;
    const prefix = path.join('.');
    for (const field of CONTAINER_FIELDS) images.push(...containerImages(spec, field, prefix));
    images.push(...volumeImages(spec, prefix));
  }
  return images;
}

/**
 * The first thing in `object` that a well-formed `kind` cannot hold where images live: a pod spec
 * that is not an object, container or volume lists that are not lists, entries that are not objects,
 * an image that is not a string. The API server never sends these; a request that does is refused,
 * because images Signet cannot read are images it cannot judge. Unknown kinds are read leniently.
 */
export function findMalformedWorkload(object: unknown, kind: string): string | undefined {
  if (kind === 'EphemeralContainers') return containerListProblem(object, 'ephemeralContainers', '');
  const known = kind in POD_SPEC_PATHS;
  for (const path of podSpecPathsFor(kind)) {
    const walked = walk(object, path);
    if (walked.problem && known) return walked.problem;
    if (!isRecord(walked.value)) continue;
    const prefix = path.join('.');
    for (const field of CONTAINER_FIELDS) {
      const problem = containerListProblem(walked.value, field, prefix);
      if (problem) return problem;
    }
    const problem = volumeListProblem(walked.value, prefix);
    if (problem) return problem;
  }
  return undefined;
}

/** Follows `path`; a step that is present but not an object is a problem (absent is not). */
function walk(value: unknown, path: readonly string[]): { value: unknown; problem?: string } {
  let current = value;
  const seen: string[] = [];
  for (const key of path) {
    if (!isRecord(current)) {
      return current === undefined
        ? { value: undefined }
        : {
            value: undefined,
            problem: `${seen.join('.') || 'the object'} is ${typeName(current)}, not an object`,
          };
    }
    current = current[key];
    seen.push(key);
  }
  if (current === undefined || isRecord(current)) return { value: current };
  return { value: undefined, problem: `${seen.join('.')} is ${typeName(current)}, not an object` };
}

function containerListProblem(spec: unknown, field: ImageField, prefix: string): string | undefined {
  const list = isRecord(spec) ? spec[field] : undefined;
  const where = `${prefix ? `${prefix}.` : ''}${field}`;
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return `${where} is ${typeName(list)}, not a list`;
  for (const [index, container] of list.entries()) {
    if (!isRecord(container)) return `${where}[${index}] is ${typeName(container)}, not an object`;
    const image = container.image;
    if (image !== undefined && typeof image !== 'string')
      return `${where}[${index}].image is ${typeName(image)}, not a string`;
  }
  return undefined;
}

function volumeListProblem(spec: Record<string, unknown>, prefix: string): string | undefined {
  const volumes = spec.volumes;
  const where = `${prefix}.volumes`;
  if (volumes === undefined) return undefined;
  if (!Array.isArray(volumes)) return `${where} is ${typeName(volumes)}, not a list`;
  for (const [index, volume] of volumes.entries()) {
    if (!isRecord(volume)) return `${where}[${index}] is ${typeName(volume)}, not an object`;
    const source = volume.image;
    if (source === undefined) continue;
    if (!isRecord(source)) return `${where}[${index}].image is ${typeName(source)}, not an object`;
    if (source.reference !== undefined && typeof source.reference !== 'string')
      return `${where}[${index}].image.reference is ${typeName(source.reference)}, not a string`;
  }
  return undefined;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The pod spec of `object` of `kind` (a Pod's `spec`, a workload's template spec); the object itself for EphemeralContainers. */
export function podSpecOf(object: unknown, kind: string): unknown {
  if (kind === 'EphemeralContainers') return object;
  const path = POD_SPEC_PATHS[kind];
  return path ? at(object, path) : undefined;
}

/** The pod template's metadata of a workload (not a Pod's own), where breakglass may also sit. */
export function podTemplateMetadata(object: unknown, kind: string): unknown {
  if (kind === 'Pod' || kind === 'EphemeralContainers') return undefined;
  for (const path of podSpecPathsFor(kind)) {
    const template = at(object, path.slice(0, -1));
    if (isRecord(template) && path.length > 1) return template.metadata;
  }
  return undefined;
}

function containerImages(spec: unknown, field: ImageField, prefix: string): WorkloadImage[] {
  const list = isRecord(spec) ? spec[field] : undefined;
  if (!Array.isArray(list)) return [];
  const found: WorkloadImage[] = [];
  list.forEach((container, index) => {
    if (!isRecord(container) || typeof container.image !== 'string' || container.image === '') return;
    found.push({
      image: container.image,
      field,
      name: typeof container.name === 'string' ? container.name : `#${index}`,
      path: `${prefix ? `${prefix}.` : ''}${field}[${index}].image`,
    });
  });
  return found;
}

function volumeImages(spec: Record<string, unknown>, prefix: string): WorkloadImage[] {
  const volumes = spec.volumes;
  if (!Array.isArray(volumes)) return [];
  const found: WorkloadImage[] = [];
  volumes.forEach((volume, index) => {
    const source = isRecord(volume) ? volume.image : undefined;
    if (!isRecord(source) || typeof source.reference !== 'string' || source.reference === '') return;
    found.push({
      image: source.reference,
      field: 'volumes',
      name: isRecord(volume) && typeof volume.name === 'string' ? volume.name : `#${index}`,
      path: `${prefix}.volumes[${index}].image.reference`,
    });
  });
  return found;
}

function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The images an admission request brings: which to judge, and which were already there. */
export interface RequestImages {
  /** Every image of the object, in order. */
  all: WorkloadImage[];
  /** Distinct image strings that are new or changed (all of them on CREATE). */
  toJudge: string[];
  /** Distinct image strings already present in oldObject (UPDATE only): not judged again. */
  unchanged: string[];
}

/** Splits the request's images into new/changed and unchanged; `kind` is request.kind.kind. */
export function requestImages(request: {
  kind: string;
  operation: string;
  object: unknown;
  oldObject?: unknown;
}): RequestImages {
  const all = extractImages(request.object, request.kind);
  const before =
    request.operation === 'UPDATE'
      ? new Set(extractImages(request.oldObject, request.kind).map((i) => i.image))
      : new Set<string>();
  const distinct = [...new Set(all.map((i) => i.image))];
  return {
    all,
    toJudge: distinct.filter((image) => !before.has(image)),
    unchanged: distinct.filter((image) => before.has(image)),
  };
}
