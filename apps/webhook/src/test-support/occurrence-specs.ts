import type { OccurrenceSpec } from '@signet/grafeas-client';

/** A generic-signed ATTESTATION of `noteName` for `resourceUri` (its signature is not checked here). */
export function attestationSpec(resourceUri: string, noteName: string, publicKeyId: string): OccurrenceSpec {
  return {
    kind: 'ATTESTATION',
    resourceUri,
    noteName,
    signature: {
      form: 'generic',
      serializedPayload: new TextEncoder().encode('{}'),
      signatures: [{ publicKeyId, signature: new Uint8Array([1]) }],
    },
  };
}

/** A fixable VULNERABILITY of curl for `resourceUri`, at `severity` (effective and stated). */
export function vulnerabilitySpec(
  resourceUri: string,
  cve: string,
  severity: 'LOW' | 'HIGH',
): OccurrenceSpec {
  return {
    kind: 'VULNERABILITY',
    resourceUri,
    noteName: `projects/goog-vulnz/notes/${cve}`,
    severity,
    effectiveSeverity: severity,
    fixAvailable: true,
    packages: [{ affectedCpeUri: 'cpe:/a', affectedPackage: 'curl', fixAvailable: true }],
  };
}
