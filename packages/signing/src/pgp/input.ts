import { pgpError } from './errors.js';

/** An OpenPGP object as received: ASCII armour, or raw packets. */
export type PgpInput = { kind: 'armored'; text: string } | { kind: 'binary'; bytes: Uint8Array };

const ARMOR_START = '-----BEGIN PGP ';
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Accepts armour, raw packets, or base64 of either (Grafeas occurrences and Kritis resources carry
 * base64 of the armour). `what` names the object in error messages.
 */
export function readPgpInput(input: unknown, what: string, maxBytes: number): PgpInput {
  if (typeof input === 'string') return fromString(input, what, maxBytes);
  if (input instanceof Uint8Array) return fromBytes(input, what, maxBytes);
  throw pgpError(
    'PGP_MALFORMED',
    `${what} is neither text nor bytes`,
    `Pass the ${what} as a string or Uint8Array.`,
  );
}

function fromString(text: string, what: string, maxBytes: number): PgpInput {
  if (text.length > maxBytes * 2) throw tooLarge(what, maxBytes);
  const trimmed = text.trim();
  if (trimmed.startsWith(ARMOR_START)) return { kind: 'armored', text: trimmed };
  const compact = trimmed.replace(/\s+/g, '');
  if (!BASE64.test(compact)) {
    throw pgpError(
      'PGP_MALFORMED',
      `${what} is neither ASCII-armored OpenPGP nor base64`,
      `Give the ${what} as exported by \`gpg --armor\`, as raw bytes, or base64 of either.`,
    );
  }
  const decoded = new Uint8Array(Buffer.from(compact, 'base64'));
  return fromBytes(decoded, what, maxBytes);
}

function fromBytes(bytes: Uint8Array, what: string, maxBytes: number): PgpInput {
  if (bytes.length === 0) {
    throw pgpError('PGP_MALFORMED', `${what} is empty`, `Provide a non-empty ${what}.`);
  }
  if (bytes.length > maxBytes) throw tooLarge(what, maxBytes);
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1').trimStart();
  if (head.startsWith(ARMOR_START)) {
    return { kind: 'armored', text: Buffer.from(bytes).toString('utf8').trim() };
  }
  return { kind: 'binary', bytes };
}

function tooLarge(what: string, maxBytes: number) {
  return pgpError(
    'PGP_MALFORMED',
    `${what} is larger than ${maxBytes} bytes`,
    `This is not an attestation-sized OpenPGP object; check what was passed as the ${what}.`,
  );
}
