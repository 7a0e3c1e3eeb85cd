import {
  checkPayloadIdentity,
  findPgpKeyById,
  normalizeFingerprint,
  parsePayload,
  readPgpPublicKeys,
  verifyPgpAttached,
} from '@signet/signing';
import { usageError } from '../common/cli-error.js';
import type { CommandAction, CommandContext } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';
import { readInputFile } from '../common/files.js';
import { gpgExportPublicKey } from '../common/gpg.js';
import { type ImageOptions, imageByDigest, imageJson } from '../common/image.js';
import { checkId, parseNoteName } from '../common/note-name.js';
import { withStore } from '../common/store.js';
import { armorMessage, isArmoredMessage } from '../sign/armor.js';
import { attestationOccurrence } from '../sign/attestation.js';
import { createAttestation, occurrenceReport } from '../sign/upload.js';

interface AttachOptions extends ImageOptions {
  note: string;
  signature: string;
  pgpKeyId: string;
  publicKey?: string;
  project?: string;
}

/** Uploads a signature made elsewhere, once it is proven to be the named key's, over this image. */
export const run: CommandAction<AttachOptions> = async (options, context) => {
  const note = parseNoteName(options.note);
  const project = options.project ? checkId(options.project, '--project') : note.project;
  const fingerprint = normalizeFingerprint(options.pgpKeyId);
  const image = await imageByDigest(options, context);
  const signatureBytes = new Uint8Array(await readInputFile(options.signature, '--signature'));
  const keys = await readPgpPublicKeys(await publicKeyText(options, fingerprint, context));
  if (!findPgpKeyById(keys, fingerprint)) {
    throw usageError(
      'PGP_KEY_ID_MISMATCH',
      `the public key given has no signing key ${fingerprint} (it holds ${keys.map((k) => k.fingerprint).join(', ')})`,
      'pass the fingerprint of the key that signed (`gpg --fingerprint USER`) with --pgp-key-id',
    );
  }
  const verified = await verifyPgpAttached(signatureBytes, keys);
  if (verified.keyFingerprint !== fingerprint && verified.primaryFingerprint !== fingerprint) {
    throw usageError(
      'PGP_KEY_ID_MISMATCH',
      `the signature was made by ${verified.keyFingerprint}, not by --pgp-key-id ${fingerprint}`,
      'pass the fingerprint of the key that signed with --pgp-key-id',
    );
  }
  checkPayloadIdentity(parsePayload(verified.payload), image);
  const armored = isArmoredMessage(signatureBytes)
    ? Buffer.from(signatureBytes).toString('utf8')
    : armorMessage(signatureBytes);
  const spec = attestationOccurrence({
    resourceUri: image.resourceUrl,
    noteName: note.name,
    payload: verified.payload,
    signature: { kind: 'pgp', armored, keyFingerprint: fingerprint },
    api: context.global.api,
  });
  const created = await withStore(context.global, (store) =>
    createAttestation(store, project, spec, note.name, context.global),
  );
  return {
    exitCode: ExitCode.ok,
    text: `Attached the signature of ${verified.primaryFingerprint} to ${image.resourceUrl}\n${occurrenceReport(created)}`,
    json: { ...created.json, signedImage: imageJson(image) },
  };
};

async function publicKeyText(
  options: AttachOptions,
  fingerprint: string,
  context: CommandContext,
): Promise<string | Uint8Array> {
  if (options.publicKey) return new Uint8Array(await readInputFile(options.publicKey, '--public-key'));
  return gpgExportPublicKey(fingerprint, context.env);
}
