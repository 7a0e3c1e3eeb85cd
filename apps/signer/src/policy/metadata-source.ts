import type { MetadataStore, Occurrence } from '@signet/grafeas-client';
import type { AttestationEvidence, MetadataSource, VulnerabilityFinding } from '@signet/policy';

/** The policy engine's view of a metadata store: a note's attestations, an image's vulnerabilities. */
export function storeMetadataSource(store: MetadataStore): MetadataSource {
  return {
    description: store.backend,
    async attestations(noteName, resourceUrl, signal) {
      const listed = await store.listNoteOccurrences(noteName, resourceUrl, signal ? { signal } : {});
      return listed.items.flatMap(toEvidence);
    },
    async vulnerabilities(resourceUrl, project, signal) {
      const listed = await store.listImageOccurrences(project, resourceUrl, signal ? { signal } : {});
      return listed.vulnerabilities.map(
        (v): VulnerabilityFinding => ({
          noteName: v.noteName,
          cveId: v.cveId,
          severity: v.severity,
          effectiveSeverity: v.effectiveSeverity,
          fixAvailable: v.fixAvailable,
          packages: v.packages.map((p) => p.affectedPackage),
        }),
      );
    },
  };
}

function toEvidence(occurrence: Occurrence): AttestationEvidence[] {
  if (occurrence.kind !== 'ATTESTATION') return [];
  const { signature } = occurrence;
  const evidence: AttestationEvidence['signature'] =
    signature.form === 'pgp'
      ? { form: 'pgp', signature: signature.signature, keyId: signature.keyId }
      : { form: 'generic', serializedPayload: signature.serializedPayload, signatures: signature.signatures };
  return [{ noteName: occurrence.noteName, occurrenceName: occurrence.name, signature: evidence }];
}
