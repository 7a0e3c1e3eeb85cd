import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

describe('webhook metrics exposition', () => {
  it('exports counters, a gauge and cumulative histograms in the Prometheus text format', async () => {
    const metrics = createMetrics();
    const allow = metrics.decisions.labels({ decision: 'allow', reason: 'policy' });
    allow.inc();
    allow.inc();
    metrics.decisions.inc({ decision: 'deny', reason: 'policy' }, 3);
    const total = metrics.stageSeconds.labels({ stage: 'total' });
    for (const seconds of [0.0004, 0.003, 0.003, 45]) total.observe(seconds);
    metrics.inFlight.inc();
    metrics.inFlight.inc();
    metrics.inFlight.dec();
    metrics.lateDecisions.inc();
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE signet_admission_decisions_total counter');
    expect(text).toContain('signet_admission_decisions_total{decision="allow",reason="policy"} 2');
    expect(text).toContain('signet_admission_decisions_total{decision="deny",reason="policy"} 3');
    expect(text).toContain('# TYPE signet_admission_stage_seconds histogram');
    expect(text).toContain('signet_admission_stage_seconds_bucket{le="0.0005",stage="total"} 1');
    expect(text).toContain('signet_admission_stage_seconds_bucket{le="0.0025",stage="total"} 1');
    expect(text).toContain('signet_admission_stage_seconds_bucket{le="0.005",stage="total"} 3');
    expect(text).toContain('signet_admission_stage_seconds_bucket{le="30",stage="total"} 3');
    expect(text).toContain('signet_admission_stage_seconds_bucket{le="+Inf",stage="total"} 4');
    expect(text).toContain('signet_admission_stage_seconds_count{stage="total"} 4');
    expect(text).toMatch(/signet_admission_stage_seconds_sum\{stage="total"\} 45\.006/);
    expect(text).toContain('signet_admission_in_flight 1');
    expect(text).toContain('signet_admission_late_decisions_total 1');
  });

  it('keeps each server on its own registry', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.breakglass.inc({ namespace: 'x' });
    expect(await b.registry.metrics()).not.toContain('namespace="x"');
    expect(await a.registry.metrics()).toContain('signet_breakglass_admissions_total{namespace="x"} 1');
  });
});
