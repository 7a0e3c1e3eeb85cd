import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './guide-commands.js';

export const MONITORING_DIR = join(REPO_ROOT, 'deploy', 'monitoring');

export interface AlertRule {
  alert: string;
  expr: string;
}

/** The `spec` of deploy/monitoring/prometheus-rule.yaml: plain Prometheus rule groups, as promtool reads them. */
export function prometheusRuleSpec(): { groups: { name: string; rules: AlertRule[] }[] } {
  return parse(readFileSync(join(MONITORING_DIR, 'prometheus-rule.yaml'), 'utf8')).spec;
}

export function dashboardJson(): { panels: { title: string; targets: { expr: string }[] }[] } {
  return JSON.parse(readFileSync(join(MONITORING_DIR, 'grafana-dashboard.json'), 'utf8'));
}

/** Metric names a PromQL expression reads (Signet's own, and `up`), histogram suffixes kept. */
export function metricNamesIn(expr: string): string[] {
  return [...new Set(expr.match(/\b(signet_[a-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g) ?? [])];
}
