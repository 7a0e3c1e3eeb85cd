/** The text of a policy file, or the encoding that kept it from being read. */
export type DecodedText = { ok: true; text: string; encoding: string } | { ok: false; encoding: string };

const BOMS: readonly { bytes: readonly number[]; encoding: string }[] = [
  // UTF-32LE before UTF-16LE: their byte-order marks share the first two bytes.
  { bytes: [0xff, 0xfe, 0x00, 0x00], encoding: 'UTF-32LE' },
  { bytes: [0x00, 0x00, 0xfe, 0xff], encoding: 'UTF-32BE' },
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'UTF-8' },
  { bytes: [0xff, 0xfe], encoding: 'UTF-16LE' },
  { bytes: [0xfe, 0xff], encoding: 'UTF-16BE' },
];

/**
 * Decodes a policy file: UTF-8 (with or without a byte-order mark), or UTF-16/UTF-32 with one (Windows
 * PowerShell 5.1 writes UTF-16LE with a BOM by default). Anything else is refused, never guessed: a
 * file read as garbage could hide the namespace it names, and so the policy it holds.
 */
export function decodePolicyText(bytes: Uint8Array): DecodedText {
  const bom = BOMS.find((candidate) => candidate.bytes.every((byte, i) => bytes[i] === byte));
  const body = bytes.subarray(bom?.bytes.length ?? 0);
  if (!bom) return decodeUtf8(body);
  if (bom.encoding === 'UTF-8') return decodeUtf8(body, 'UTF-8 with a byte-order mark');
  if (bom.encoding.startsWith('UTF-16')) return decodeUtf16(body, bom.encoding);
  return decodeUtf32(body, bom.encoding);
}

function decodeUtf8(body: Uint8Array, encoding = 'UTF-8'): DecodedText {
  const nul = body.indexOf(0);
  if (nul >= 0) {
    // NUL bytes in text are the mark of UTF-16 or UTF-32 saved without a byte-order mark.
    const guess = nul % 2 === 1 ? 'UTF-16LE or UTF-32LE' : 'UTF-16BE or UTF-32BE';
    return { ok: false, encoding: `${guess} without a byte-order mark (it holds NUL bytes)` };
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding };
  } catch {
    return { ok: false, encoding: `not UTF-8 (${firstInvalidUtf8(body)}; Latin-1 or Windows-1252?)` };
  }
}

function decodeUtf16(body: Uint8Array, encoding: string): DecodedText {
  if (body.length % 2 !== 0) return { ok: false, encoding: `${encoding} with an odd number of bytes` };
  try {
    const label = encoding === 'UTF-16LE' ? 'utf-16le' : 'utf-16be';
    return { ok: true, text: new TextDecoder(label, { fatal: true }).decode(body), encoding };
  } catch {
    return { ok: false, encoding: `${encoding} holding unpaired surrogates` };
  }
}

function decodeUtf32(body: Uint8Array, encoding: string): DecodedText {
  if (body.length % 4 !== 0) return { ok: false, encoding: `${encoding} with a length not a multiple of 4` };
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const littleEndian = encoding === 'UTF-32LE';
  const parts: string[] = [];
  for (let offset = 0; offset < body.length; offset += 4) {
    const codePoint = view.getUint32(offset, littleEndian);
    if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      return { ok: false, encoding: `${encoding} holding an invalid code point at byte ${offset}` };
    }
    parts.push(String.fromCodePoint(codePoint));
  }
  return { ok: true, text: parts.join(''), encoding };
}

/** Where UTF-8 decoding first fails: a binary search over prefixes (an incomplete tail is not a failure). */
function firstInvalidUtf8(body: Uint8Array): string {
  const validPrefix = (end: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  if (validPrefix(body.length)) return 'a character cut off at the end';
  let low = 0; // longest prefix known valid
  let high = body.length; // shortest prefix known invalid
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (validPrefix(middle)) low = middle;
    else high = middle;
  }
  return `no UTF-8 character ends at byte offset ${high - 1}`;
}
