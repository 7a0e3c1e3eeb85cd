import { invalid } from '../api-error.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const isNewline = (c: string | undefined) => c === '\n' || c === '\r';

function corrupt(at: number): Error {
  return invalid(`illegal base64 data at input byte ${at}`);
}

/** After the padding of the last quantum: only newlines may follow. */
function endOfPadding(text: string, from: number): void {
  let i = from;
  while (isNewline(text[i])) i++;
  if (i < text.length) throw corrupt(i);
}

/**
 * One quantum of Go's base64.StdEncoding.Decode (what encoding/json does for a []byte field):
 * returns where the next one starts and its sextets, or throws Go's CorruptInputError text.
 */
function quantum(text: string, start: number): { next: number; sextets: string } {
  let i = start;
  let sextets = '';
  while (sextets.length < 4) {
    if (i === text.length) {
      if (sextets.length === 0) return { next: i, sextets };
      throw corrupt(i - sextets.length);
    }
    const c = text[i++]!;
    if (ALPHABET.includes(c)) sextets += c;
    else if (isNewline(c)) continue;
    else if (c !== '=' || sextets.length < 2) throw corrupt(i - 1);
    else {
      if (sextets.length === 2) {
        while (isNewline(text[i])) i++;
        if (i === text.length) throw corrupt(text.length);
        if (text[i] !== '=') throw corrupt(i - 1);
        i++;
      }
      endOfPadding(text, i);
      return { next: text.length, sextets };
    }
  }
  return { next: i, sextets };
}

/** Go's StdEncoding: padded, the standard alphabet, CR and LF skipped; returns canonical base64. */
export function decodeGoBase64(text: string): string {
  let clean = '';
  for (let i = 0; i < text.length; ) {
    const { next, sextets } = quantum(text, i);
    clean += sextets;
    i = next;
  }
  return Buffer.from(clean, 'base64').toString('base64');
}
