import type { Registry } from 'prom-client';

/**
 * Counters, a gauge and histograms for the per-review hot path. prom-client hashes the label object
 * on every `inc`/`observe`, even through `labels()` children; these keep one plain slot per label
 * set, made once, and hand prom-client's Registry the same exposition data at scrape time.
 */
type Labels<L extends string> = Record<L, string>;

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

abstract class RegisteredMetric {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  protected abstract values(): MetricValue[];

  async get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.values(),
      aggregator: this.aggregator,
    };
  }

  async getForPromString() {
    return this.get();
  }
}

export interface CounterChild {
  inc(amount?: number): void;
}

export class FastCounter<L extends string = never> extends RegisteredMetric {
  private readonly children = new Map<
    string,
    { labels: Labels<L>; value: number; inc(amount?: number): void }
  >();

  constructor(registry: Registry, name: string, help: string) {
    super(name, help, 'counter', registry);
  }

  /** The slot for one label set (keep it: that is the fast path). */
  labels(labels: Labels<L>): CounterChild {
    const key = JSON.stringify(labels);
    let child = this.children.get(key);
    if (!child) {
      const slot = {
        labels: { ...labels },
        value: 0,
        inc(amount = 1) {
          slot.value += amount;
        },
      };
      child = slot;
      this.children.set(key, child);
    }
    return child;
  }

  inc(...args: [L] extends [never] ? [amount?: number] : [labels: Labels<L>, amount?: number]): void {
    if (typeof args[0] === 'object') this.labels(args[0] as Labels<L>).inc(args[1] as number | undefined);
    else this.labels({} as Labels<L>).inc(args[0] as number | undefined);
  }

  protected values(): MetricValue[] {
    return [...this.children.values()].map((child) => ({ value: child.value, labels: child.labels }));
  }
}

export class FastGauge extends RegisteredMetric {
  private value = 0;

  constructor(registry: Registry, name: string, help: string) {
    super(name, help, 'gauge', registry);
  }

  inc(): void {
    this.value += 1;
  }

  dec(): void {
    this.value -= 1;
  }

  protected values(): MetricValue[] {
    return [{ value: this.value, labels: {} }];
  }
}

export interface HistogramChild {
  observe(value: number): void;
}

export class FastHistogram<L extends string> extends RegisteredMetric {
  private readonly children = new Map<
    string,
    { labels: Labels<L>; counts: Float64Array; sum: number; count: number }
  >();

  constructor(
    registry: Registry,
    name: string,
    help: string,
    private readonly buckets: readonly number[],
  ) {
    super(name, help, 'histogram', registry);
  }

  labels(labels: Labels<L>): HistogramChild {
    const key = JSON.stringify(labels);
    let child = this.children.get(key);
    if (!child) {
      child = { labels: { ...labels }, counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      this.children.set(key, child);
    }
    const slot = child;
    const buckets = this.buckets;
    return {
      observe(value: number) {
        slot.sum += value;
        slot.count += 1;
        for (let i = 0; i < buckets.length; i += 1) {
          if (value <= (buckets[i] as number)) {
            slot.counts[i] = (slot.counts[i] as number) + 1;
            return;
          }
        }
      },
    };
  }

  observe(labels: Labels<L>, value: number): void {
    this.labels(labels).observe(value);
  }

  protected values(): MetricValue[] {
    const values: MetricValue[] = [];
    for (const child of this.children.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += child.counts[i] as number;
        values.push({
          value: cumulative,
          labels: { le: bound, ...child.labels },
          metricName: `${this.name}_bucket`,
        });
      });
      values.push({
        value: child.count,
        labels: { le: '+Inf', ...child.labels },
        metricName: `${this.name}_bucket`,
      });
      values.push({ value: child.sum, labels: { ...child.labels }, metricName: `${this.name}_sum` });
      values.push({ value: child.count, labels: { ...child.labels }, metricName: `${this.name}_count` });
    }
    return values;
  }
}
