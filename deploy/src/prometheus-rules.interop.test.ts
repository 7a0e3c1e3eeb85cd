import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { prometheusRuleSpec } from './monitoring.js';

/**
 * deploy/monitoring/prometheus-rule.yaml through Prometheus's own promtool (Debian package
 * `prometheus`): the rules load, and every alert fires — and stays quiet — as its unit tests say.
 */
const TESTS = join(dirname(fileURLToPath(import.meta.url)), 'test-support', 'alerts.promtool.yaml');

function promtool(args: string[], cwd: string) {
  const run = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      'promtool is not installed: pnpm test:interop needs it (apt-get install prometheus; .ci/run does this)',
    );
  }
  return run;
}

describe('promtool over the PrometheusRule', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'signet-promtool-'));
    writeFileSync(join(dir, 'rules.yaml'), stringify(prometheusRuleSpec()));
    copyFileSync(TESTS, join(dir, 'alerts.promtool.yaml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('promtool check rules accepts them', () => {
    const run = promtool(['check', 'rules', 'rules.yaml'], dir);
    expect(run.stdout + run.stderr).toContain('SUCCESS: 9 rules found');
    expect(run.status).toBe(0);
  });

  it('promtool test rules passes, with a firing test for every alert', () => {
    const tests = parse(readFileSync(TESTS, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const firing = new Set(
      tests.tests.flatMap((t) =>
        (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
      ),
    );
    const alerts = prometheusRuleSpec().groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts.filter((alert) => !firing.has(alert))).toEqual([]);
    const run = promtool(['test', 'rules', 'alerts.promtool.yaml'], dir);
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it('a wrong expectation fails (the tests can fail)', () => {
    const broken = readFileSync(TESTS, 'utf8').replace(
      'reason: UNAVAILABLE }',
      'reason: DEADLINE_EXCEEDED }',
    );
    writeFileSync(join(dir, 'broken.yaml'), broken);
    const run = promtool(['test', 'rules', 'broken.yaml'], dir);
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('SignetBackendErrors');
  });
});
