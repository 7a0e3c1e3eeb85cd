import { errorMessage } from '@signet/errors';
import {
  createMessage,
  enums,
  type LiteralDataPacket,
  type Message,
  readMessage,
  readSignature,
  type SignaturePacket,
} from 'openpgp';
import { MAX_MESSAGE_BYTES, strictConfig } from './config.js';
import { pgpError } from './errors.js';
import { type PgpInput, readPgpInput } from './input.js';

/** What a verifier needs: the signed data and the signatures over it. */
export interface SignedContent {
  literal: LiteralDataPacket;
  payload: Uint8Array;
  signatures: SignaturePacket[];
  detached: boolean;
}

const ENCRYPTED = [
  enums.packet.publicKeyEncryptedSessionKey,
  enums.packet.symEncryptedSessionKey,
  enums.packet.symmetricallyEncryptedData,
  enums.packet.symEncryptedIntegrityProtectedData,
  enums.packet.aeadEncryptedData,
];

/** An attached signature (`gpg --sign`): a Signed Message per RFC 4880 §11.3. */
export async function readAttached(signature: unknown): Promise<SignedContent> {
  const input = readPgpInput(signature, 'signature', MAX_MESSAGE_BYTES);
  const message = unwrap(await parseMessage(input));
  const literals = message.packets.filterByTag(enums.packet.literalData) as unknown as LiteralDataPacket[];
  if (literals.length !== 1 || !literals[0]) {
    throw pgpError(
      literals.length === 0 ? 'PGP_NOT_SIGNED' : 'PGP_MALFORMED',
      `an attached signature must carry exactly one literal data packet, found ${literals.length}`,
      'Sign the payload with `gpg --sign` (not --clearsign, not --encrypt).',
    );
  }
  const literal = literals[0];
  const payload = await literalBytes(literal);
  const packets = await drainPackets(message.packets);
  return { literal, payload, signatures: messageSignatures(packets), detached: false };
}

/** A detached signature (`gpg --detach-sign`) over `data`. */
export async function readDetached(data: unknown, signature: unknown): Promise<SignedContent> {
  if (!(data instanceof Uint8Array)) {
    throw pgpError('PGP_MALFORMED', 'signed data is not bytes', 'Pass the signed data as a Uint8Array.');
  }
  const input = readPgpInput(signature, 'signature', MAX_MESSAGE_BYTES);
  const parsed = await parseSignature(input);
  const message = await createMessage({ binary: data });
  const literal = message.packets.findPacket(enums.packet.literalData) as unknown as LiteralDataPacket;
  return { literal, payload: data, signatures: messageSignatures(parsed), detached: true };
}

async function parseMessage(input: PgpInput): Promise<Message<Uint8Array | string>> {
  try {
    return input.kind === 'armored'
      ? await readMessage({ armoredMessage: input.text, config: strictConfig })
      : await readMessage({ binaryMessage: input.bytes, config: strictConfig });
  } catch (error) {
    throw unreadable(input, error);
  }
}

async function parseSignature(input: PgpInput): Promise<ArrayLike<unknown>> {
  try {
    const parsed =
      input.kind === 'armored'
        ? await readSignature({ armoredSignature: input.text, config: strictConfig })
        : await readSignature({ binarySignature: input.bytes, config: strictConfig });
    return parsed.packets;
  } catch (error) {
    throw unreadable(input, error);
  }
}

function unwrap(message: Message<Uint8Array | string>): Message<Uint8Array | string> {
  if (message.packets.some((packet) => ENCRYPTED.includes(tagOf(packet)))) {
    throw pgpError(
      'PGP_NOT_SIGNED',
      'the message is encrypted, not signed',
      'Attestations must be signed in the clear: `gpg --sign`, without --encrypt.',
    );
  }
  try {
    return message.unwrapCompressed();
  } catch (error) {
    throw pgpError(
      'PGP_MALFORMED',
      `cannot decompress the message: ${errorMessage(error)}`,
      'Sign the payload again.',
    );
  }
}

/** Only signatures over documents count; a key signature smuggled into a message is ignored. */
function messageSignatures(packets: ArrayLike<unknown>): SignaturePacket[] {
  const found = Array.from(packets).filter(
    (packet): packet is SignaturePacket =>
      tagOf(packet) === enums.packet.signature &&
      ((packet as SignaturePacket).signatureType === enums.signature.binary ||
        (packet as SignaturePacket).signatureType === enums.signature.text),
  );
  if (found.length === 0) {
    throw pgpError(
      'PGP_NOT_SIGNED',
      'the OpenPGP data carries no signature',
      'Sign the payload with `gpg --sign` (attached) or `gpg --detach-sign`.',
    );
  }
  return found;
}

/**
 * openpgp parses up to the literal data packet and leaves the packets after it (the signatures of a
 * one-pass signed message) in `packets.stream`, even for in-memory input: read them too.
 */
async function drainPackets(packets: ArrayLike<unknown>): Promise<unknown[]> {
  const all = Array.from(packets);
  const rest = (packets as { stream?: unknown }).stream;
  if (rest) all.push(...(await readAll(rest)));
  return all;
}

async function readAll(stream: unknown): Promise<unknown[]> {
  const out: unknown[] = [];
  const reader = (
    stream as { getReader(): { read(): Promise<{ done: boolean; value?: unknown }> } }
  ).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

async function literalBytes(literal: LiteralDataPacket): Promise<Uint8Array> {
  // getBytes is public at runtime; the bundled typings mark it private.
  const data = (literal as unknown as { getBytes(): unknown }).getBytes();
  const bytes = isStream(data) ? concatBytes(await readAll(data)) : data;
  if (!(bytes instanceof Uint8Array)) {
    throw pgpError('PGP_MALFORMED', 'the literal data could not be read', 'Sign the payload again.');
  }
  return bytes;
}

function isStream(value: unknown): boolean {
  return typeof (value as { getReader?: unknown } | null)?.getReader === 'function';
}

function concatBytes(chunks: unknown[]): Uint8Array | null {
  if (!chunks.every((chunk) => chunk instanceof Uint8Array)) return null;
  return new Uint8Array(Buffer.concat(chunks as Uint8Array[]));
}

function tagOf(packet: unknown): number {
  const ctor = (packet as { constructor?: { tag?: unknown } } | null)?.constructor;
  return typeof ctor?.tag === 'number' ? ctor.tag : -1;
}

function unreadable(input: PgpInput, error: unknown) {
  const text = input.kind === 'armored' ? input.text : '';
  const fix = text.startsWith('-----BEGIN PGP SIGNED MESSAGE-----')
    ? 'Clear-signed text is not accepted: sign with `gpg --sign` (attached) or `gpg --detach-sign`.'
    : 'Pass the OpenPGP signature as produced by gpg (armored, binary, or base64 of either).';
  return pgpError('PGP_MALFORMED', `cannot read OpenPGP data: ${errorMessage(error)}`, fix, error);
}
