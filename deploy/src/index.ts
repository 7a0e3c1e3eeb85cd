export {
  DEPLOY_DIR,
  GUIDE_INSTALL,
  GUIDE_RESOURCES,
  type GuideValues,
  type KubeObject,
  objectKey,
  parseObjects,
  README_CERT_MANAGER,
  README_DEPLOY,
  README_OPENSSL,
  README_OVERLAY,
  README_WEBHOOK,
  README_WEBHOOK_INJECTED,
  REPO_ROOT,
  runShell,
  SIGNET_EXTRAS,
} from './guide-commands.js';
export { kubernetesSchemaProblems } from './k8s-schema.js';
export { renderKustomization } from './kustomize.js';
export {
  type AlertRule,
  dashboardJson,
  MONITORING_DIR,
  metricNamesIn,
  prometheusRuleSpec,
} from './monitoring.js';
export { handshake as tlsHandshake } from './tls-handshake.js';
