import { GoogleApiError, type RunningStub, startGoogleStub } from './google-stub-server.js';

/** A public key of an attestor, as Binary Authorization returns it. */
type AttestorPublicKey =
  | { id: string; asciiArmoredPgpPublicKey: string }
  | { id: string; pkixPublicKey: { publicKeyPem: string; signatureAlgorithm: string } };

export interface Attestor {
  /** projects/P/attestors/A */
  name: string;
  noteReference: string;
  publicKeys: AttestorPublicKey[];
}

/**
 * A loopback Binary Authorization attestor API, with gcloud-528's shapes: GET /v1/{attestor} answers
 * `userOwnedGrafeasNote`, GET /v1beta1/{attestor} (what `beta … sign-and-create` asks) answers
 * `userOwnedDrydockNote`; anything else is a Google 404.
 */
export function startBinauthzStub(attestors: Attestor[]): Promise<RunningStub> {
  return startGoogleStub((request) => {
    const match = /^\/(v1|v1beta1)\/(projects\/[^/]+\/attestors\/[^/:]+)$/.exec(request.path);
    const attestor = attestors.find((a) => a.name === match?.[2]);
    if (!match || request.method !== 'GET' || !attestor) {
      throw new GoogleApiError(404, 'NOT_FOUND', `Attestor ${match?.[2] ?? request.path} not found.`);
    }
    const field = match[1] === 'v1' ? 'userOwnedGrafeasNote' : 'userOwnedDrydockNote';
    return {
      status: 200,
      body: {
        name: attestor.name,
        [field]: { noteReference: attestor.noteReference, publicKeys: attestor.publicKeys },
        updateTime: '2025-01-01T12:34:56.789012Z',
      },
    };
  });
}
