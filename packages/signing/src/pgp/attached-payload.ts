import { inflateRawSync, inflateSync } from 'node:zlib';
import { decodeBase64 } from '../base64.js';

/**
 * Just enough OpenPGP (RFC 4880) to read the payload out of an attached signature, synchronously and
 * without openpgp: a v1 reader of a v1beta1 pgpSignedAttestation gets it as `serializedPayload`. It
 * verifies nothing; verification is `verifyPgpAttached`'s.
 */

const MAX_PAYLOAD = 16 * 1024 * 1024;
const LITERAL = 11;
const COMPRESSED = 8;

/** The armored text of a stored PGP signature: as is, or base64 of it (both occur in the wild). */
export function armoredPgpSignatureOf(signature: string): string | undefined {
  if (signature.includes('-----BEGIN PGP')) return signature;
  const decoded = decodeBase64(signature);
  if (!decoded) return undefined;
  const text = Buffer.from(decoded).toString('utf8');
  return text.includes('-----BEGIN PGP') ? text : undefined;
}

function dearmor(armored: string): Uint8Array | undefined {
  const lines = armored.split(/\r?\n/);
  const begin = lines.findIndex((l) => l.startsWith('-----BEGIN PGP'));
  if (begin < 0) return undefined;
  let i = begin + 1;
  while (i < lines.length && lines[i]!.trim() !== '') i++; // armor headers end at an empty line
  const body: string[] = [];
  for (i++; i < lines.length && !lines[i]!.startsWith('-----END'); i++) {
    const line = lines[i]!.trim();
    if (line.startsWith('=') && line.length === 5) continue; // CRC-24
    body.push(line);
  }
  return decodeBase64(body.join(''));
}

interface Packet {
  tag: number;
  body: Uint8Array;
}

function readLength(bytes: Uint8Array, at: number): { length: number; size: number; partial: boolean } {
  const o1 = bytes[at]!;
  if (o1 < 192) return { length: o1, size: 1, partial: false };
  if (o1 < 224) return { length: ((o1 - 192) << 8) + bytes[at + 1]! + 192, size: 2, partial: false };
  if (o1 === 255) {
    const length =
      ((bytes[at + 1]! << 24) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!) >>> 0;
    return { length, size: 5, partial: false };
  }
  return { length: 1 << (o1 & 0x1f), size: 1, partial: true };
}

function* packets(bytes: Uint8Array): Generator<Packet> {
  let i = 0;
  while (i < bytes.length) {
    const header = bytes[i]!;
    if ((header & 0x80) === 0) return;
    if (header & 0x40) {
      const tag = header & 0x3f;
      const chunks: Uint8Array[] = [];
      i++;
      for (;;) {
        if (i >= bytes.length) return; // truncated: no more chunks
        const { length, size, partial } = readLength(bytes, i);
        chunks.push(bytes.subarray(i + size, i + size + length));
        i += size + length;
        if (!partial) break;
      }
      yield { tag, body: Buffer.concat(chunks) };
    } else {
      const tag = (header >> 2) & 0x0f;
      const type = header & 0x03;
      const size = type === 3 ? 0 : 1 << type;
      let length = bytes.length - i - 1;
      for (let k = 0; k < size; k++) length = k === 0 ? bytes[i + 1]! : (length << 8) | bytes[i + 1 + k]!;
      yield { tag, body: bytes.subarray(i + 1 + size, i + 1 + size + length) };
      i += 1 + size + length;
    }
  }
}

function decompress(body: Uint8Array): Uint8Array | undefined {
  const algorithm = body[0];
  const data = body.subarray(1);
  if (algorithm === 0) return data;
  if (algorithm === 1) return inflateRawSync(data, { maxOutputLength: MAX_PAYLOAD });
  if (algorithm === 2) return inflateSync(data, { maxOutputLength: MAX_PAYLOAD });
  return undefined; // BZip2 and unknown algorithms
}

function literalOf(bytes: Uint8Array, depth: number): Uint8Array | undefined {
  if (depth > 3) return undefined;
  for (const packet of packets(bytes)) {
    if (packet.tag === LITERAL) {
      const nameLength = packet.body[1] ?? 0;
      return packet.body.subarray(2 + nameLength + 4);
    }
    if (packet.tag === COMPRESSED) {
      const inner = decompress(packet.body);
      return inner ? literalOf(inner, depth + 1) : undefined;
    }
  }
  return undefined;
}

/** The signed payload inside an attached OpenPGP signature (armored, base64 of armor, or base64 binary). */
export function pgpSignedPayload(signature: string): Uint8Array | undefined {
  try {
    const armored = armoredPgpSignatureOf(signature);
    const binary = armored ? dearmor(armored) : decodeBase64(signature);
    return binary ? literalOf(binary, 0) : undefined;
  } catch {
    return undefined;
  }
}
