import { describe, expect, it } from 'vitest';
import { decodePolicyText } from './text-encoding.js';

const YAML = 'kind: ImageSecurityPolicy\nmetadata:\n  name: é-policy\n  namespace: team-a\n';

function utf32(text: string, littleEndian: boolean): Uint8Array {
  const points = [0xfeff, ...[...text].map((c) => c.codePointAt(0) as number)];
  const view = new DataView(new ArrayBuffer(points.length * 4));
  for (const [i, point] of points.entries()) view.setUint32(i * 4, point, littleEndian);
  return new Uint8Array(view.buffer);
}

const utf16be = (text: string) => {
  const le = Buffer.from(`\ufeff${text}`, 'utf16le');
  return Buffer.from(le).swap16();
};

describe('decodePolicyText', () => {
  it.each([
    ['UTF-8', Buffer.from(YAML, 'utf8'), 'UTF-8'],
    ['UTF-8 with a BOM', Buffer.from(`\ufeff${YAML}`, 'utf8'), 'UTF-8 with a byte-order mark'],
    ['UTF-16LE with a BOM (PowerShell 5.1)', Buffer.from(`\ufeff${YAML}`, 'utf16le'), 'UTF-16LE'],
    ['UTF-16BE with a BOM', utf16be(YAML), 'UTF-16BE'],
    ['UTF-32LE with a BOM', utf32(YAML, true), 'UTF-32LE'],
    ['UTF-32BE with a BOM', utf32(YAML, false), 'UTF-32BE'],
  ])('decodes %s', (_name, bytes, encoding) => {
    expect(decodePolicyText(bytes)).toEqual({ ok: true, text: YAML, encoding });
  });

  it.each([
    [
      'UTF-16LE without a BOM',
      Buffer.from(YAML, 'utf16le'),
      'UTF-16LE or UTF-32LE without a byte-order mark',
    ],
    ['UTF-16BE without a BOM', utf16be(YAML).subarray(2), 'UTF-16BE or UTF-32BE without a byte-order mark'],
    [
      'Latin-1',
      Buffer.from(YAML, 'latin1'),
      'not UTF-8 (no UTF-8 character ends at byte offset 45; Latin-1 or Windows-1252?)',
    ],
    [
      'UTF-16LE with a BOM and an odd length',
      Buffer.concat([Buffer.from(`\ufeff${YAML}`, 'utf16le'), Buffer.from([0x41])]),
      'odd number of bytes',
    ],
    [
      'UTF-32LE with a code point beyond Unicode',
      Buffer.from([0xff, 0xfe, 0, 0, 0, 0, 0x11, 0]),
      'invalid code point',
    ],
  ])('refuses %s, naming the encoding', (_name, bytes, encoding) => {
    const decoded = decodePolicyText(bytes);
    expect(decoded.ok).toBe(false);
    expect(decoded.encoding).toContain(encoding);
  });
});
