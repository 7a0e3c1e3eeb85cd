/**
 * A strict RFC 8259 JSON reader for signed payloads. JSON.parse keeps the last of duplicate keys,
 * so `{"critical":A,"critical":B}` could mean A to one verifier and B to another; this reader
 * refuses duplicates (compared after unescaping), a byte-order mark, trailing data and nesting
 * deeper than MAX_DEPTH. Keys such as `__proto__` become plain own properties.
 */

export class StrictJsonError extends Error {}

const MAX_DEPTH = 64;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

export function parseStrictJson(text: string): unknown {
  const reader = new Reader(text);
  reader.skipWhitespace();
  const value = reader.value(0);
  reader.skipWhitespace();
  if (reader.at < text.length) reader.fail('unexpected data after the JSON value');
  return value;
}

class Reader {
  at = 0;
  constructor(private readonly text: string) {}

  fail(reason: string): never {
    throw new StrictJsonError(`${reason} at offset ${this.at}`);
  }

  skipWhitespace(): void {
    while (this.at < this.text.length) {
      const c = this.text[this.at];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return;
      this.at++;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const c = this.text[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.fail(
      c === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`,
    );
  }

  private object(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.list('}', () => {
      if (this.text[this.at] !== '"') this.fail('expected a string key');
      const key = this.string();
      if (seen.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      seen.add(key);
      this.skipWhitespace();
      this.expect(':');
      this.skipWhitespace();
      const value = this.value(depth + 1);
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
    });
    return result;
  }

  private array(depth: number): unknown[] {
    const result: unknown[] = [];
    this.list(']', () => result.push(this.value(depth + 1)));
    return result;
  }

  /** Reads comma-separated items from the opening bracket at `at` through `close`. */
  private list(close: '}' | ']', readItem: () => void): void {
    this.at++;
    this.skipWhitespace();
    if (this.text[this.at] === close) {
      this.at++;
      return;
    }
    for (;;) {
      readItem();
      this.skipWhitespace();
      if (this.text[this.at] === close) {
        this.at++;
        return;
      }
      this.expect(',');
      this.skipWhitespace();
    }
  }

  private string(): string {
    this.at++;
    let result = '';
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') {
        this.at++;
        return result;
      }
      if (c < ' ') this.fail('control character in string');
      if (c === '\\') {
        result += this.escape();
      } else {
        result += c;
        this.at++;
      }
    }
  }

  private escape(): string {
    const c = this.text[this.at + 1];
    if (c === 'u') {
      const hex = this.text.slice(this.at + 2, this.at + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
      this.at += 6;
      return String.fromCharCode(Number.parseInt(hex, 16));
    }
    const escaped = c === undefined || !Object.hasOwn(ESCAPES, c) ? undefined : ESCAPES[c];
    if (escaped === undefined) this.fail('invalid escape');
    this.at += 2;
    return escaped;
  }

  private number(): number {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('invalid number');
    this.at += match[0].length;
    const value = Number(match[0]);
    if (!Number.isFinite(value)) this.fail('number out of range');
    return value;
  }

  private expect(char: string): void {
    if (this.text[this.at] !== char) this.fail(`expected ${JSON.stringify(char)}`);
    this.at++;
  }
}
