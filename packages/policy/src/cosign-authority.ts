import type { ImageReference } from '@signet/signing';
import {
  BUNDLE_MEDIA_TYPE,
  type CosignAttestationVerification,
  type CosignFailure,
  DSSE_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  type SignedImage,
  verifyCosignAttestation,
  verifyCosignBundle,
  verifyCosignSignature,
} from '@signet/signing/cosign';
import { RequestLookups } from './lookups.js';
import type { CosignArtifacts, CosignLayer, CosignManifestRead, CosignSource } from './metadata.js';
import type { AttestationAuthority, CosignAuthority } from './resource-types.js';
import type { AttestationVerifier } from './verifier.js';
import type { Violation } from './violation.js';

/** Most layers read per manifest: a flood of junk must not stall admission. */
const MAX_LAYERS = 50;

/** What one cosign authority lacks for one image: a violation before it is given its image and policy. */
export type CosignFinding = Omit<Violation, 'image' | 'policy'>;

/** An image pinned by sha256 digest (the caller has checked it). */
type PinnedImage = ImageReference & { digest: string };

/**
 * Judges the cosign part of an authority: a `.sig` layer signed by its key for this image (name and
 * digest: a signature copied from another repository does not count), and for each required predicate
 * type a verified attestation (`.att` layer or bundle) whose signed predicate type is that one.
 * Empty when met; otherwise the findings (the signature, each missing attestation), naming the
 * repository, the tags looked at and the fix.
 */
export async function judgeCosign(
  authority: AttestationAuthority,
  cosign: CosignAuthority,
  ref: PinnedImage,
  lookups: RequestLookups,
  verifier: AttestationVerifier,
): Promise<CosignFinding[]> {
  const name = authority.metadata.name;
  if (!lookups.readsCosign) {
    return [
      {
        code: 'COSIGN_NOT_CONFIGURED',
        reason: `AttestationAuthority ${name} requires a cosign signature, but this Signet is not configured to read cosign evidence from registries (its metadata source has no registry reader), so the signature cannot be checked`,
        fix: `give Signet a registry reader for cosign evidence (the registry client it resolves tags with, with its credentials and CA), or remove spec.cosign from AttestationAuthority ${name}`,
      },
    ];
  }
  const lookup = await lookups.cosignArtifacts(ref, cosign.repository);
  if (!lookup.ok) {
    return [
      {
        code: 'BACKEND_FAILED',
        reason: lookup.failure,
        fix: `retry; if it persists, check the registry ${cosign.repository ?? ref.name} and Signet’s access to it (credentials, CA)`,
      },
    ];
  }
  const judging: Judging = {
    name,
    cosign,
    artifacts: lookup.value,
    image: { name: ref.name, digest: ref.digest },
    commands: new Commands(ref, cosign.repository),
    verifier,
  };
  const attestations = attestationGaps(judging);
  const attestedOnly = cosign.predicateTypes.length > attestations.length;
  const signature = signatureGap(judging, attestedOnly);
  return [...(signature ? [signature] : []), ...attestations].map((gap) => ({
    code: 'NOT_ATTESTED',
    ...gap,
  }));
}

/**
 * The cosign part of one authority for one image, outside a decision (`signet verify`): the findings a
 * decision would turn into violations, read through `source` and judged by `judgeCosign` itself. Empty
 * when met, or when the authority has no `spec.cosign`.
 */
export function checkCosignAuthority(
  authority: AttestationAuthority,
  image: PinnedImage,
  source: CosignSource,
  verifier: AttestationVerifier,
): Promise<CosignFinding[]> {
  if (authority.cosign === undefined) return Promise.resolve([]);
  const notAsked = () => Promise.reject(new Error('a cosign check reads no Grafeas metadata'));
  const lookups = new RequestLookups({
    attestations: notAsked,
    vulnerabilities: notAsked,
    cosignArtifacts: (image, options) => source.cosignArtifacts(image, options),
  });
  return judgeCosign(authority, authority.cosign, image, lookups, verifier);
}

/** One authority's cosign evidence for one image, being judged. */
interface Judging {
  name: string;
  cosign: CosignAuthority;
  artifacts: CosignArtifacts;
  image: SignedImage;
  commands: Commands;
  verifier: AttestationVerifier;
}

function signatureGap(judging: Judging, attestedOnly: boolean): { reason: string; fix: string } | undefined {
  const { name, artifacts, image, commands } = judging;
  const read = artifacts.signatures;
  const where = `tag ${read.tag ?? tagOf(image.digest, 'sig')} of repository ${artifacts.repository}`;
  const failures = new LayerFailures();
  for (const [index, layer] of read.layers.slice(0, MAX_LAYERS).entries()) {
    const result = checkSignatureLayer(judging, layer);
    if (result.valid) return undefined;
    failures.add(index, result);
  }
  const alone = attestedOnly
    ? ' (a verified attestation alone does not satisfy a cosign authority: only the signature binds the image’s repository)'
    : '';
  if (failures.empty) {
    const what = read.found ? `${where} holds no signature` : `no signature found: ${where} does not exist`;
    return {
      reason: `no cosign signature by AttestationAuthority ${name}: ${what}${alone}`,
      fix: `sign it: ${commands.sign()}`,
    };
  }
  return {
    reason: `no cosign signature in ${where} verifies with the key of AttestationAuthority ${name}: ${failures.describe()}${alone}`,
    fix: `${failures.firstFix}; or sign it: ${commands.sign()}`,
  };
}

/** Why layers were refused, the same reason told once for all the layers it refused. */
class LayerFailures {
  private readonly byReason = new Map<string, number[]>();
  firstFix: string | undefined;

  add(index: number, failure: { message: string; code: string; fix: string }): void {
    const reason = `${failure.message} (${failure.code})`;
    this.byReason.set(reason, [...(this.byReason.get(reason) ?? []), index + 1]);
    this.firstFix ??= failure.fix;
  }

  get empty(): boolean {
    return this.byReason.size === 0;
  }

  describe(): string {
    return [...this.byReason]
      .map(([reason, layers]) => `layer${layers.length === 1 ? '' : 's'} ${layers.join(', ')}: ${reason}`)
      .join('; ');
  }
}

function checkSignatureLayer(
  { cosign, image, verifier }: Judging,
  layer: CosignLayer,
): { valid: true } | CosignFailure | { valid: false; code: string; message: string; fix: string } {
  if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) return notOfType(layer, SIMPLE_SIGNING_MEDIA_TYPE);
  const signature = layer.annotations[SIGNATURE_ANNOTATION] ?? '';
  return verifier.cosign('signature', cosign.publicKey, { bytes: layer.bytes, signature }, image, () =>
    verifyCosignSignature(cosign.publicKey, layer.bytes, signature, image),
  );
}

/** A layer of an `.att` manifest (DSSE) or of a bundle, checked with the authority's key. */
function checkAttestationLayer(
  { cosign, image, verifier }: Judging,
  layer: CosignLayer,
  mediaType: string,
): CosignAttestationVerification | ReturnType<typeof notOfType> {
  if (layer.mediaType !== mediaType) return notOfType(layer, mediaType);
  const verify = mediaType === DSSE_MEDIA_TYPE ? verifyCosignAttestation : verifyCosignBundle;
  return verifier.cosign(mediaType, cosign.publicKey, layer, image, () =>
    verify(cosign.publicKey, layer.bytes, image),
  );
}

function attestationGaps(judging: Judging): { reason: string; fix: string }[] {
  const { cosign, name, commands } = judging;
  if (cosign.predicateTypes.length === 0) return [];
  const read = readAttestations(judging);
  return cosign.predicateTypes
    .filter((type) => !read.verified.has(type))
    .map((type) => ({
      reason: `no verified cosign attestation of predicate type ${type} by AttestationAuthority ${name} (${read.seen.join('; ')})`,
      fix: `attest it: ${commands.attest(type)}`,
    }));
}

/** The predicate types of every verified attestation (`.att` and bundles), and what each place held. */
function readAttestations(judging: Judging): { verified: Set<string>; seen: string[] } {
  const { artifacts, image } = judging;
  const verified = new Set<string>();
  const seen: string[] = [];
  const places: { place: string; read: CosignManifestRead; mediaType: string }[] = [
    {
      place: `tag ${artifacts.attestations.tag ?? tagOf(image.digest, 'att')} of repository ${artifacts.repository}`,
      read: artifacts.attestations,
      mediaType: DSSE_MEDIA_TYPE,
    },
    ...artifacts.bundles.map((read) => ({
      place: `bundle ${read.digest ?? read.tag ?? '(unnamed)'} of repository ${artifacts.repository}`,
      read,
      mediaType: BUNDLE_MEDIA_TYPE,
    })),
  ];
  for (const { place, read, mediaType } of places) {
    if (!read.found) {
      seen.push(`${place}: does not exist`);
      continue;
    }
    const outcomes = read.layers.slice(0, MAX_LAYERS).map((layer, index) => {
      const result = checkAttestationLayer(judging, layer, mediaType);
      if (result.valid) verified.add(result.predicateType);
      return `layer ${index + 1}: ${result.valid ? `signed predicate type ${result.predicateType}` : `${result.message} (${result.code})`}`;
    });
    seen.push(`${place}: ${outcomes.length === 0 ? 'no layers' : outcomes.join(', ')}`);
  }
  if (artifacts.bundles.length === 0) seen.push('no Sigstore bundle');
  return { verified, seen };
}

function notOfType(layer: CosignLayer, expected: string) {
  return {
    valid: false as const,
    code: 'COSIGN_LAYER_TYPE',
    message: `the layer's media type is ${layer.mediaType}, not ${expected}`,
    fix: 'remove the stray layer, or sign the image again with cosign',
  };
}

/** cosign's tag for an image's signatures (`sig`) or attestations (`att`): `sha256-<hex>.sig`. */
function tagOf(digest: string, suffix: 'sig' | 'att'): string {
  return `${digest.replace(':', '-')}.${suffix}`;
}

/** The commands that would satisfy the authority, for the denial's fix. */
class Commands {
  private readonly pinned: string;
  private readonly env: string;

  constructor(ref: PinnedImage, repository: string | undefined) {
    this.pinned = `${ref.name}@${ref.digest}`;
    this.env = repository ? `COSIGN_REPOSITORY=${repository} ` : '';
  }

  sign(): string {
    return `\`${this.env}cosign sign --key cosign.key ${this.pinned}\` with the private key of the authority's cosign.publicKeyData (or \`signet sign --cosign-key cosign.key --image ${this.pinned}\`)`;
  }

  attest(type: string): string {
    return `\`${this.env}cosign attest --key cosign.key --type ${type} --predicate FILE ${this.pinned}\` (or \`signet sign --cosign-key cosign.key --predicate FILE --type ${type} --image ${this.pinned}\`)`;
  }
}
