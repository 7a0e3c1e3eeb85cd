import { isRecord } from './parse.js';
import { podTemplateMetadata } from './workload.js';

const BREAKGLASS_ANNOTATION = 'kritis.grafeas.io/breakglass';
const BREAKGLASS_LABEL = 'image-policy.k8s.io/break-glass';

export interface BreakglassState {
  /** Set on the object itself or on its pod template. */
  requested: boolean;
  /** Where it was found, e.g. `annotation kritis.grafeas.io/breakglass`. */
  source?: string;
  /** Set on a workload but not on its pod template: the Pods it creates will still be judged. */
  missingFromTemplate: boolean;
}

/** Kritis's annotation or Binary Authorization's label, `"true"`, on the object or its pod template. */
export function findBreakglass(object: unknown, kind: string): BreakglassState {
  const own = isRecord(object) ? marker(object.metadata) : undefined;
  const template = podTemplateMetadata(object, kind);
  const inTemplate = marker(template);
  const source = own ?? inTemplate;
  return {
    requested: source !== undefined,
    ...(source ? { source } : {}),
    missingFromTemplate: own !== undefined && isRecord(template) && inTemplate === undefined,
  };
}

function marker(metadata: unknown): string | undefined {
  if (!isRecord(metadata)) return undefined;
  if (isRecord(metadata.annotations) && metadata.annotations[BREAKGLASS_ANNOTATION] === 'true') {
    return `annotation ${BREAKGLASS_ANNOTATION}`;
  }
  if (isRecord(metadata.labels) && metadata.labels[BREAKGLASS_LABEL] === 'true')
    return `label ${BREAKGLASS_LABEL}`;
  return undefined;
}
