import { Gauge, type Registry } from 'prom-client';
import type { OccurrenceIndex } from './occurrence-index.js';

/** The index's age and size per scope, computed when Prometheus scrapes. */
export function exposeIndexMetrics(registry: Registry, index: OccurrenceIndex): void {
  new Gauge({
    name: 'signet_index_age_seconds',
    help: 'Age of the data held for each indexed note or project: seconds since the read that produced it started. Decisions fail closed when it passes --index-max-age.',
    labelNames: ['scope'],
    registers: [registry],
    collect() {
      this.reset();
      for (const stat of index.stats()) this.set({ scope: stat.scope }, stat.ageSeconds);
    },
  });
  new Gauge({
    name: 'signet_index_last_read_seconds',
    help: 'How long the read that produced the data of each indexed note or project took.',
    labelNames: ['scope'],
    registers: [registry],
    collect() {
      this.reset();
      for (const stat of index.stats()) this.set({ scope: stat.scope }, stat.readSeconds);
    },
  });
  new Gauge({
    name: 'signet_index_read_slower_than_max_age',
    help: '1 when the last complete read of a note or project took longer than --index-max-age: its data was already too old on arrival, so its decisions fail closed (raise --index-max-age, or use a backend that filters).',
    labelNames: ['scope'],
    registers: [registry],
    collect() {
      this.reset();
      for (const stat of index.stats()) this.set({ scope: stat.scope }, stat.slowerThanMaxAge ? 1 : 0);
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
