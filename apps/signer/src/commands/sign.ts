import type { MetadataStore } from '@signet/grafeas-client';
import { buildPayloadOfForm, type PayloadForm } from '@signet/signing';
import { usageError } from '../common/cli-error.js';
import type { CommandAction, CommandContext } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';
import { type ImageOptions, imageByDigest, imageJson, type PinnedImage } from '../common/image.js';
import { checkId, parseNoteName } from '../common/note-name.js';
import { withStore } from '../common/store.js';
import type { VulnerabilityDecision } from '../policy-io/vulnerability-decision.js';
import { attestationOccurrence } from '../sign/attestation.js';
import { chooseKeySource, type KeySourceOptions } from '../sign/choose-key-source.js';
import { createAttestation, occurrenceReport } from '../sign/upload.js';

interface SignOptions extends KeySourceOptions, ImageOptions {
  /** Required but with --cosign-key, which writes to the registry instead of a note. */
  note?: string;
  cosignKey?: string;
  cosignRepository?: string;
  predicate?: string;
  type?: string;
  project?: string;
  policy?: string;
  vulnzProject?: string;
  wait?: string;
  payloadForm?: PayloadForm;
}

/**
 * Signs the image's payload and stores the attestation. With --policy it first checks the image's
 * vulnerabilities and refuses (exit 1) to sign one that fails: Kritis's check-and-sign.
 */
export const run: CommandAction<SignOptions> = async (options, context) => {
  if (options.cosignKey !== undefined) {
    const { checkCosignFlags, signWithCosignKey } = await import('./sign-cosign.js');
    checkCosignFlags(options);
    return signWithCosignKey({ ...options, cosignKey: options.cosignKey }, context);
  }
  const cosignOnly = [
    options.cosignRepository && '--cosign-repository',
    options.predicate && '--predicate',
    options.type && '--type',
  ].filter(Boolean);
  if (cosignOnly.length > 0) {
    throw usageError(
      'COSIGN_FLAG_WITHOUT_KEY',
      `${cosignOnly.join(', ')} appl${cosignOnly.length === 1 ? 'ies' : 'y'} to --cosign-key only`,
      `add --cosign-key FILE to write a cosign signature or attestation, or drop ${cosignOnly.join(', ')}`,
    );
  }
  if (options.note === undefined) {
    throw usageError(
      'NOTE_MISSING',
      "required option '--note <name>' not specified",
      'give the attestation note (--note projects/P/notes/N), or sign into the registry with --cosign-key FILE',
    );
  }
  const note = parseNoteName(options.note);
  const project = options.project ? checkId(options.project, '--project') : note.project;
  if (options.wait && !options.policy) {
    throw usageError(
      'WAIT_WITHOUT_POLICY',
      '--wait applies to --policy only',
      'add --policy FILE, or drop --wait',
    );
  }
  const image = await imageByDigest(options, context);
  const check = options.policy ? await loadPolicyCheck(options, image, context) : undefined;
  const keySource = await chooseKeySource(options, context);
  const payload = buildPayloadOfForm(
    { name: image.name, digest: image.digest },
    options.payloadForm ?? 'signet',
  );
  const signature = await keySource.sign(payload);
  return withStore(context.global, async (store) => {
    const decision = check ? await check(store) : undefined;
    if (decision && !decision.passed) {
      return {
        exitCode: ExitCode.verdictNo,
        text: `REFUSED to sign: ${decision.summary}`,
        json: {
          signed: false,
          image: image.resourceUrl,
          digest: image.digest,
          reason: decision.summary,
          excess: decision.excess,
        },
      };
    }
    const spec = attestationOccurrence({
      resourceUri: image.resourceUrl,
      noteName: note.name,
      payload,
      signature,
      api: context.global.api,
    });
    const created = await createAttestation(store, project, spec, note.name, context.global);
    const checked = decision ? `${decision.summary}\n` : '';
    return {
      exitCode: ExitCode.ok,
      text: `${checked}Signed ${image.resourceUrl} with ${keySource.describe}\n${occurrenceReport(created)}`,
      json: { ...created.json, signedImage: imageJson(image) },
    };
  });
};

/**
 * The policy engine loads only for check-and-sign: plain signing stays light. An image whose scan is
 * still running is refused like a failing one: its decision is not known yet.
 */
async function loadPolicyCheck(options: SignOptions, image: PinnedImage, context: CommandContext) {
  const { prepareVulnerabilityCheck } = await import('../policy-io/vulnerability-check.js');
  const check = await prepareVulnerabilityCheck({ ...options, policy: options.policy ?? '' }, image, context);
  return async (store: MetadataStore): Promise<VulnerabilityDecision> => {
    const { scan, decision } = await check.run(store);
    if (scan !== 'PENDING' && scan !== 'SCANNING') return decision;
    const summary = `the vulnerability scan of ${image.name}@${image.digest} is not finished (${scan}); sign again once it is, or pass --wait DURATION`;
    return { ...decision, passed: false, summary };
  };
}
