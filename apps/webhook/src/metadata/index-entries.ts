import type { Occurrence } from '@signet/grafeas-client';
import {
  type AttestationEvidence,
  attestationEvidence,
  type ScanRecord,
  scanRecord,
  type VulnerabilityFinding,
  vulnerabilityFinding,
} from '@signet/policy';
import { decodeBase64, encodeBase64 } from '@signet/signing';

/**
 * What the index keeps of one occurrence: the fields a decision reads, as one string. A string costs
 * a fraction of the objects and byte arrays it stands for (a project of 100k occurrences would keep
 * hundreds of thousands of small objects otherwise); the few images a decision asks about are decoded.
 */
export type IndexEntry = string;

/** The attestations of a note for one image (the note is the scope's: it is not kept per entry). */
export function attestationEntry(occurrence: Occurrence): IndexEntry | undefined {
  if (occurrence.kind !== 'ATTESTATION') return undefined;
  const { occurrenceName, signature } = attestationEvidence(occurrence);
  const compact =
    signature.form === 'pgp'
      ? { o: occurrenceName, p: signature.signature, k: signature.keyId }
      : {
          o: occurrenceName,
          g: encodeBase64(signature.serializedPayload),
          s: signature.signatures.map((s) => [s.publicKeyId, encodeBase64(s.signature)]),
        };
  return JSON.stringify(compact);
}

export function decodeAttestation(noteName: string, entry: IndexEntry): AttestationEvidence {
  const compact = JSON.parse(entry) as {
    o?: string;
    p?: string;
    k?: string;
    g?: string;
    s?: [string, string][];
  };
  const occurrence = compact.o === undefined ? {} : { occurrenceName: compact.o };
  if (compact.p !== undefined) {
    const keyId = compact.k === undefined ? {} : { keyId: compact.k };
    return { noteName, ...occurrence, signature: { form: 'pgp', signature: compact.p, ...keyId } };
  }
  return {
    noteName,
    ...occurrence,
    signature: {
      form: 'generic',
      serializedPayload: bytes(compact.g ?? ''),
      signatures: (compact.s ?? []).map(([publicKeyId, signature]) => ({
        publicKeyId,
        signature: bytes(signature),
      })),
    },
  };
}

/** What the index keeps of an image in a project: its vulnerabilities and its scans' status. */
export interface ImageFacts {
  vulnerabilities: VulnerabilityFinding[];
  scans: ScanRecord[];
}

/** A vulnerability (`v…`) or a discovery (`d…`) of an image; anything else is not kept. */
export function imageFactEntry(occurrence: Occurrence): IndexEntry | undefined {
  if (occurrence.kind === 'VULNERABILITY') return `v${JSON.stringify(vulnerabilityFinding(occurrence))}`;
  if (occurrence.kind === 'DISCOVERY') return `d${JSON.stringify(scanRecord(occurrence))}`;
  return undefined;
}

/** An occurrence that could not be read, held as the finding that fails its image closed. */
export function unreadableEntry(finding: VulnerabilityFinding): IndexEntry {
  return `v${JSON.stringify(finding)}`;
}

export function decodeImageFacts(entries: readonly IndexEntry[]): ImageFacts {
  const facts: ImageFacts = { vulnerabilities: [], scans: [] };
  for (const entry of entries) {
    const value = JSON.parse(entry.slice(1));
    if (entry.startsWith('v')) facts.vulnerabilities.push(value as VulnerabilityFinding);
    else facts.scans.push(value as ScanRecord);
  }
  return facts;
}

/** The index wrote these itself from bytes: they always decode. */
function bytes(base64: string): Uint8Array {
  return decodeBase64(base64) ?? new Uint8Array();
}
