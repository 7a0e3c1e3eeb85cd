/**
 * The crowd of a bench project: occurrences of other images, half attestations, half vulnerabilities.
 * The vulnerabilities name their versions: Grafeas v0.1.0 refuses a location without one (and a
 * NORMAL version without a name), so GRAFEAS_URL could not be grown otherwise.
 */
import type { OccurrenceSpec } from '@signet/grafeas-client';
import { NOTE_NAME } from '@signet/guide-world';

function other(n: number): string {
  return `https://registry.example/others/app${n}@sha256:${n.toString(16).padStart(64, '0')}`;
}

export function crowd(from: number, to: number): OccurrenceSpec[] {
  const out: OccurrenceSpec[] = [];
  for (let n = from; n < to; n += 1) {
    out.push(
      n % 2 === 0
        ? {
            kind: 'ATTESTATION',
            resourceUri: other(n),
            noteName: NOTE_NAME,
            signature: {
              form: 'generic',
              serializedPayload: new TextEncoder().encode('{"critical":{}}'),
              signatures: [{ publicKeyId: 'someone-else', signature: new Uint8Array(64).fill(n % 251) }],
            },
          }
        : {
            kind: 'VULNERABILITY',
            resourceUri: other(n),
            noteName: `projects/goog-vulnz/notes/CVE-2024-${n}`,
            severity: 'HIGH',
            effectiveSeverity: 'HIGH',
            fixAvailable: true,
            packages: [
              {
                affectedCpeUri: 'cpe:/a',
                affectedPackage: 'openssl',
                affectedVersion: { kind: 'NORMAL', name: '3.0.1' },
                fixAvailable: true,
                fixedVersion: { kind: 'NORMAL', name: '3.0.2' },
              },
            ],
          },
    );
  }
  return out;
}
