import type {
  AttestationAuthority,
  AttestationCheck,
  AttestationEvidence,
  CosignManifestRead,
  MetadataSource,
} from '@signet/policy';
import { AttestationVerifier, checkCosignAuthority, OccurrenceMetadataSource } from '@signet/policy';
import { parseImageReference } from '@signet/signing';
import type { CommandAction } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';
import { type ImageOptions, imageByDigest, type PinnedImage } from '../common/image.js';
import { registryOnDemand } from '../common/registry.js';
import { withStore } from '../common/store.js';
import { readAttestationAuthority } from '../policy-io/policy-files.js';
import { RegistryCosignSource } from '../policy-io/registry-cosign-source.js';

interface VerifyOptions extends ImageOptions {
  authority: string[];
}

interface Rejection {
  occurrence?: string;
  code: string;
  reason: string;
  fix: string;
}

interface AuthorityResult {
  authority: string;
  /** The Grafeas note, when the authority names one (absent for a cosign-only authority). */
  note?: string;
  attested: boolean;
  /** The key of the valid attestation, when there is one. */
  keyId?: string;
  /** Why each attestation found was refused (empty when none was found). */
  rejected: Rejection[];
  attestations: number;
  /** The cosign part (spec.cosign): where it was looked for, and what it lacks. */
  cosign?: CosignResult;
}

interface CosignResult {
  met: boolean;
  repository: string;
  signatures: ManifestSummary;
  attestations: ManifestSummary;
  bundles: ManifestSummary[];
  /** What the webhook would deny with: the same findings, from policy's own judging. */
  rejected: Rejection[];
}

interface ManifestSummary {
  tag?: string;
  digest?: string;
  found: boolean;
  layers: number;
}

/** The Grafeas and registry readers of one run, and the webhook's own verifier. */
interface Readers {
  metadata: MetadataSource;
  cosign: RegistryCosignSource;
  verifier: AttestationVerifier;
}

/** Exit 0 when every authority attests the image (with the webhook's own verifier), 1 otherwise. */
export const run: CommandAction<VerifyOptions> = async (options, context) => {
  const authorities: AttestationAuthority[] = [];
  for (const file of options.authority) authorities.push(await readAttestationAuthority(file));
  const registry = registryOnDemand(options, context);
  const image = await imageByDigest(options, context, registry);
  const cosign = new RegistryCosignSource(registry, options);
  const results = await withStore(context.global, async (store) => {
    const readers = {
      metadata: new OccurrenceMetadataSource(store),
      cosign,
      verifier: new AttestationVerifier(),
    };
    const out: AuthorityResult[] = [];
    for (const authority of authorities) out.push(await judge(authority, image, readers));
    return out;
  });
  const attested = results.every((result) => result.attested);
  return {
    exitCode: attested ? ExitCode.ok : ExitCode.verdictNo,
    text: [
      `${attested ? 'ATTESTED' : 'NOT ATTESTED'}: ${image.resourceUrl}`,
      ...results.flatMap((result) => describeResult(result, image)),
    ].join('\n'),
    json: { image: image.resourceUrl, attested, authorities: results },
  };
};

/** An authority is met when each part it has is: its Grafeas note's attestation, its cosign evidence. */
async function judge(
  authority: AttestationAuthority,
  image: PinnedImage,
  readers: Readers,
): Promise<AuthorityResult> {
  const grafeas =
    authority.noteName === undefined
      ? { attested: true, rejected: [], attestations: 0 }
      : await judgeNote(authority, authority.noteName, image, readers);
  const base = { authority: authority.metadata.name, ...grafeas };
  if (authority.cosign === undefined) return base;
  const cosign = await judgeCosign(authority, image, readers);
  return { ...base, attested: grafeas.attested && cosign.met, cosign };
}

async function judgeNote(
  authority: AttestationAuthority,
  noteName: string,
  image: PinnedImage,
  { metadata, verifier }: Readers,
): Promise<Omit<AuthorityResult, 'authority'>> {
  const evidence = await attestationsOrNone(metadata, noteName, image.resourceUrl);
  const base = { note: noteName, attestations: evidence.length };
  const rejected: Rejection[] = [];
  for (const one of evidence) {
    const check: AttestationCheck = await verifier.verify(authority, one, {
      name: image.name,
      digest: image.digest,
    });
    if (check.valid) return { ...base, attested: true, keyId: check.keyId, rejected };
    rejected.push({
      ...(one.occurrenceName ? { occurrence: one.occurrenceName } : {}),
      code: check.code,
      reason: check.reason,
      fix: check.fix,
    });
  }
  return { ...base, attested: false, rejected };
}

/**
 * The cosign part, read here first so that a registry failure ends the command with the registry's own
 * error (exit 3: never "not attested"), then judged by policy from that read: the webhook's own findings.
 */
async function judgeCosign(
  authority: AttestationAuthority,
  image: PinnedImage,
  { cosign, verifier }: Readers,
): Promise<CosignResult> {
  const ref = { ...parseImageReference(`${image.name}@${image.digest}`), digest: image.digest };
  const repository = authority.cosign?.repository;
  const artifacts = await cosign.cosignArtifacts(ref, repository === undefined ? {} : { repository });
  const findings = await checkCosignAuthority(
    authority,
    ref,
    { cosignArtifacts: async () => artifacts },
    verifier,
  );
  return {
    met: findings.length === 0,
    repository: artifacts.repository,
    signatures: summary(artifacts.signatures),
    attestations: summary(artifacts.attestations),
    bundles: artifacts.bundles.map(summary),
    rejected: findings.map(({ code, reason, fix }) => ({ code, reason, fix })),
  };
}

function summary(read: CosignManifestRead): ManifestSummary {
  return {
    ...(read.tag === undefined ? {} : { tag: read.tag }),
    ...(read.digest === undefined ? {} : { digest: read.digest }),
    found: read.found,
    layers: read.layers.length,
  };
}

/** A note that does not exist (some backends answer 404) holds no attestation: a "no", not an error. */
async function attestationsOrNone(
  source: MetadataSource,
  noteName: string,
  resourceUrl: string,
): Promise<AttestationEvidence[]> {
  try {
    return await source.attestations(noteName, resourceUrl);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'GRAFEAS_NOT_FOUND') return [];
    throw error;
  }
}

function describeResult(result: AuthorityResult, image: PinnedImage): string[] {
  const lines = result.note === undefined ? [] : [describeNote(result, result.note, image)];
  if (result.cosign) lines.push(describeCosign(result.authority, result.cosign));
  return lines;
}

function describeNote(result: AuthorityResult, note: string, image: PinnedImage): string {
  const attested = result.keyId !== undefined;
  const head = `  ${attested ? 'ok  ' : 'FAIL'} AttestationAuthority ${result.authority} (note ${note})`;
  if (attested) return `${head}: valid attestation signed by ${result.keyId}`;
  if (result.attestations === 0 && result.rejected.length === 0) {
    const sign = `signet sign --image ${image.name}@${image.digest} --note ${note} --pgp-key KEY`;
    return `${head}: no attestation for this image\n       fix: sign it, e.g. \`${sign}\``;
  }
  const reasons = result.rejected.map(
    (r) => `\n       ${r.occurrence ?? 'attestation'}: ${r.reason} (${r.code})\n       fix: ${r.fix}`,
  );
  return `${head}: ${result.attestations} attestation(s), none valid${reasons.join('')}`;
}

function describeCosign(authority: string, cosign: CosignResult): string {
  const head = `  ${cosign.met ? 'ok  ' : 'FAIL'} AttestationAuthority ${authority} (cosign, repository ${cosign.repository})`;
  if (cosign.met) {
    return `${head}: a signature in tag ${cosign.signatures.tag} verifies with its key`;
  }
  const reasons = cosign.rejected.map((r) => `\n       ${r.reason} (${r.code})\n       fix: ${r.fix}`);
  return `${head}:${reasons.join('')}`;
}
