import { Gauge, type Registry } from 'prom-client';
import type { OccurrenceIndex } from './occurrence-index.js';

/** The index's age and size per scope, computed when Prometheus scrapes. */
export function exposeIndexMetrics(registry: Registry, index: OccurrenceIndex): void {
  new Gauge({
    name: 'signet_index_age_seconds',
    help: 'Seconds since the last complete read of each indexed note or project started (decisions fail closed past --index-max-age).',
    labelNames: ['scope'],
    registers: [registry],
    collect() {
      this.reset();
      for (const stat of index.stats()) this.set({ scope: stat.scope }, stat.ageSeconds);
    },
  });
  new Gauge({
    name: 'signet_index_occurrences',
    help: 'Occurrences held in the index, per note or project.',
    labelNames: ['scope'],
    registers: [registry],
    collect() {
      this.reset();
      for (const stat of index.stats()) this.set({ scope: stat.scope }, stat.occurrences);
    },
  });
}
