// `pnpm demo`: the signing half of the user's guide, with a key made on the spot and nothing stored.
import {
  buildPayload,
  checkPayloadIdentity,
  generatePgpKey,
  parseImageReference,
  parsePayload,
  readPgpPublicKeys,
  resourceUrl,
  signPgpAttached,
  verifyPgpAttached,
} from '@signet/signing';

const image = parseImageReference(
  'gcr.io/my-project/hello-app@sha256:37e5287945774f27b418ce567cd77f4bbc9ef44a1bcd1a2312369f31f9cce567',
);
const step = (text) => console.log(`\n▸ ${text}`);

step('generate an Ed25519 OpenPGP key');
const key = await generatePgpKey({ name: 'Signet demo attestor', email: 'attestor@example.com' });
console.log(`  fingerprint ${key.fingerprint}`);

step(`build the simple-signing payload for ${resourceUrl(image)}`);
const payload = buildPayload(image, { creator: 'signet demo', timestamp: Math.floor(Date.now() / 1000) });
console.log(`  ${new TextDecoder().decode(payload)}`);

step('sign it (an attached, armored signature, as `gpg -a --sign` makes)');
const { signature } = await signPgpAttached(payload, key.privateKey);
console.log(`  ${signature.split('\n').length} lines, ${signature.length} bytes`);

step('verify it against the public key, then check the payload names this image');
const trusted = await readPgpPublicKeys(key.publicKey);
const verified = await verifyPgpAttached(signature, trusted);
checkPayloadIdentity(parsePayload(verified.payload), { name: image.name, digest: image.digest });
console.log(`  valid: signed by ${verified.keyFingerprint} at ${verified.signedAt.toISOString()}`);

step('the same signature offered for another digest (a replay) is refused');
try {
  checkPayloadIdentity(parsePayload(verified.payload), {
    name: image.name,
    digest: `sha256:${'0'.repeat(64)}`,
  });
  throw new Error('a replayed signature was accepted');
} catch (error) {
  if (error?.code !== 'PAYLOAD_DIGEST_MISMATCH') throw error;
  console.log(`  refused: ${error.code}: ${error.message}`);
}
