import type { MetadataStore } from '@signet/grafeas-client';
import {
  attestationEvidence,
  type MetadataSource,
  scanRecord,
  unreadableFindings,
  vulnerabilityFinding,
} from '@signet/policy';

/** The policy engine's view of a metadata store: a note's attestations, an image's vulnerabilities and scans. */
export function storeMetadataSource(store: MetadataStore): MetadataSource {
  return {
    description: store.backend,
    async attestations(noteName, resourceUrl) {
      const listed = await store.listNoteOccurrences(noteName, resourceUrl);
      return listed.items.flatMap((occurrence) =>
        occurrence.kind === 'ATTESTATION' ? [attestationEvidence(occurrence)] : [],
      );
    },
    async vulnerabilities(resourceUrl, project) {
      const listed = await store.listImageOccurrences(project, resourceUrl);
      // An occurrence that cannot be read and may be a vulnerability or a scan fails the image.
      return [...unreadableFindings(listed.skipped), ...listed.vulnerabilities.map(vulnerabilityFinding)];
    },
    async scans(resourceUrl, project) {
      const listed = await store.listImageOccurrences(project, resourceUrl);
      return listed.discoveries.map(scanRecord);
    },
  };
}
