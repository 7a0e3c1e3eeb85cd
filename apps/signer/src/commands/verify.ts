import type {
  AttestationAuthority,
  AttestationCheck,
  AttestationEvidence,
  MetadataSource,
} from '@signet/policy';
import { AttestationVerifier, OccurrenceMetadataSource } from '@signet/policy';
import type { CommandAction } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';
import { type ImageOptions, imageByDigest, type PinnedImage } from '../common/image.js';
import { withStore } from '../common/store.js';
import { readAttestationAuthority } from '../policy-io/policy-files.js';

interface VerifyOptions extends ImageOptions {
  authority: string[];
}

interface AuthorityResult {
  authority: string;
  note: string;
  attested: boolean;
  /** The key of the valid attestation, when there is one. */
  keyId?: string;
  /** Why each attestation found was refused (empty when none was found). */
  rejected: { occurrence?: string; code: string; reason: string; fix: string }[];
  attestations: number;
}

/** Exit 0 when every authority attests the image (with the webhook's own verifier), 1 otherwise. */
export const run: CommandAction<VerifyOptions> = async (options, context) => {
  const authorities: AttestationAuthority[] = [];
  for (const file of options.authority) authorities.push(await readAttestationAuthority(file));
  const image = await imageByDigest(options, context);
  const results = await withStore(context.global, async (store) => {
    const source = new OccurrenceMetadataSource(store);
    const verifier = new AttestationVerifier();
    const out: AuthorityResult[] = [];
    for (const authority of authorities) out.push(await judge(authority, image, source, verifier));
    return out;
  });
  const attested = results.every((result) => result.attested);
  return {
    exitCode: attested ? ExitCode.ok : ExitCode.verdictNo,
    text: [
      `${attested ? 'ATTESTED' : 'NOT ATTESTED'}: ${image.resourceUrl}`,
      ...results.map((result) => describeResult(result, image)),
    ].join('\n'),
    json: { image: image.resourceUrl, attested, authorities: results },
  };
};

async function judge(
  authority: AttestationAuthority,
  image: PinnedImage,
  source: MetadataSource,
  verifier: AttestationVerifier,
): Promise<AuthorityResult> {
  if (authority.noteName === undefined || authority.cosign !== undefined) return cosignNotJudged(authority);
  const evidence = await attestationsOrNone(source, authority.noteName, image.resourceUrl);
  const base = {
    authority: authority.metadata.name,
    note: authority.noteName,
    attestations: evidence.length,
  };
  const rejected: AuthorityResult['rejected'] = [];
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
 * `signet verify` reads no registry yet: an authority with spec.cosign is never reported attested on its
 * Grafeas part alone.
 */
function cosignNotJudged(authority: AttestationAuthority): AuthorityResult {
  return {
    authority: authority.metadata.name,
    note: authority.noteName ?? '(none: cosign only)',
    attested: false,
    attestations: 0,
    rejected: [
      {
        code: 'COSIGN_NOT_SUPPORTED',
        reason: 'the authority has spec.cosign, and signet verify does not read cosign signatures yet',
        fix: 'check the cosign part with `cosign verify --key cosign.pub IMAGE@DIGEST`',
      },
    ],
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

function describeResult(result: AuthorityResult, image: PinnedImage): string {
  const head = `  ${result.attested ? 'ok  ' : 'FAIL'} AttestationAuthority ${result.authority} (note ${result.note})`;
  if (result.attested) return `${head}: valid attestation signed by ${result.keyId}`;
  if (result.attestations === 0 && result.rejected.length === 0) {
    const sign = `signet sign --image ${image.name}@${image.digest} --note ${result.note} --pgp-key KEY`;
    return `${head}: no attestation for this image\n       fix: sign it, e.g. \`${sign}\``;
  }
  const reasons = result.rejected.map(
    (r) => `\n       ${r.occurrence ?? 'attestation'}: ${r.reason} (${r.code})\n       fix: ${r.fix}`,
  );
  return `${head}: ${result.attestations} attestation(s), none valid${reasons.join('')}`;
}
