import type { ImageOccurrences, Occurrence, Skipped } from './model.js';

export function partitionImageOccurrences(items: Occurrence[], skipped: Skipped[]): ImageOccurrences {
  const result: ImageOccurrences = { attestations: [], vulnerabilities: [], discoveries: [], skipped };
  for (const o of items) {
    if (o.kind === 'ATTESTATION') result.attestations.push(o);
    else if (o.kind === 'VULNERABILITY') result.vulnerabilities.push(o);
    else result.discoveries.push(o);
  }
  return result;
}
