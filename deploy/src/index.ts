export {
  DEPLOY_DIR,
  GUIDE_INSTALL,
  GUIDE_RESOURCES,
  type KubeObject,
  objectKey,
  parseObjects,
  REPO_ROOT,
  runShell,
  SIGNET_EXTRAS,
} from './guide-commands.js';
export { kubernetesSchemaProblems } from './k8s-schema.js';
export { renderKustomization } from './kustomize.js';
export {
  dashboardJson,
  MONITORING_DIR,
  metricNamesIn,
  prometheusRuleSpec,
} from './monitoring.js';
export { handshake as tlsHandshake } from './tls-handshake.js';
