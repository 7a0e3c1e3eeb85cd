import { z } from 'zod';
import { projectField } from './fields.js';

/** Cluster-wide settings of the webhook (one document, e.g. a ConfigMap's data or a YAML file). */
export const clusterSettingsSchema = z.strictObject({
  /** A namespace with no policy: `allow` (as Kritis) or `deny`. */
  noPolicy: z.enum(['allow', 'deny']).default('allow'),
  /** Whether the breakglass annotation / label is honoured. */
  breakglass: z.enum(['on', 'off']).default('on'),
  /** A metadata backend that fails: `deny` (fail closed) or `allow` (admit with a warning). */
  onBackendError: z.enum(['deny', 'allow']).default('deny'),
  /** Where vulnerabilities of images outside GCR / Artifact Registry are looked up. */
  vulnerabilityProject: projectField.optional(),
});

export type ClusterSettings = z.output<typeof clusterSettingsSchema>;

export const DEFAULT_SETTINGS: ClusterSettings = Object.freeze({
  noPolicy: 'allow',
  breakglass: 'on',
  onBackendError: 'deny',
});
