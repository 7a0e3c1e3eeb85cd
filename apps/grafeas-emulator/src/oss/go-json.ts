/**
 * JSON.parse with Go's encoding/json error texts (what grpc-gateway answers for a malformed body),
 * e.g. `invalid character 'n' looking for beginning of object key string`.
 */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return `'"'`;
  return c >= ' ' ? `'${c}'` : `'${JSON.stringify(c).slice(1, -1)}'`;
}

class GoScanner {
  private i = 0;

  constructor(private readonly text: string) {}

  private fail(context: string): string {
    const c = this.text[this.i];
    return c === undefined ? 'unexpected end of JSON input' : `invalid character ${quoteChar(c)} ${context}`;
  }

  private ws(): void {
    while (this.i < this.text.length && ' \t\r\n'.includes(this.text[this.i]!)) this.i++;
  }

  /** Where the first JSON value ends, or Go's error for it. */
  firstValue(): { end: number } | { error: string } {
    const error = this.value();
    return error ? { error } : { end: this.i };
  }

  private value(): string | undefined {
    this.ws();
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const literal of ['true', 'false', 'null']) {
      if (c === literal[0]) return this.literal(literal);
    }
    return this.fail('looking for beginning of value');
  }

  private object(): string | undefined {
    this.i++;
    this.ws();
    if (this.text[this.i] === '}') return void this.i++;
    for (;;) {
      this.ws();
      if (this.text[this.i] !== '"') return this.fail('looking for beginning of object key string');
      const key = this.string();
      if (key) return key;
      this.ws();
      if (this.text[this.i] !== ':') return this.fail('after object key');
      this.i++;
      const value = this.value();
      if (value) return value;
      this.ws();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] === '}') return void this.i++;
      else return this.fail('after object key:value pair');
    }
  }

  private array(): string | undefined {
    this.i++;
    this.ws();
    if (this.text[this.i] === ']') return void this.i++;
    for (;;) {
      const value = this.value();
      if (value) return value;
      this.ws();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] === ']') return void this.i++;
      else return this.fail('after array element');
    }
  }

  private string(): string | undefined {
    this.i++;
    while (this.i < this.text.length) {
      const c = this.text[this.i]!;
      if (c === '"') return void this.i++;
      if (c < ' ') return this.fail('in string literal');
      if (c === '\\') {
        this.i++;
        if (!'"\\/bfnrtu'.includes(this.text[this.i] ?? '')) return this.fail('in string escape code');
      }
      this.i++;
    }
    return 'unexpected end of JSON input';
  }

  private number(): string | undefined {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i));
    if (!match) {
      this.i++;
      return this.fail('in numeric literal');
    }
    this.i += match[0].length;
    return undefined;
  }

  private literal(word: string): string | undefined {
    for (let k = 0; k < word.length; k++, this.i++) {
      if (this.text[this.i] !== word[k]) return this.fail(`in literal ${word} (expecting '${word[k]}')`);
    }
    return undefined;
  }
}

export type GoJson = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * An empty body reads as `{}`, as grpc-gateway treats it. Like its json.Decoder, only the first
 * value is read: whatever follows it (`{…}x`, a second value) is ignored.
 */
export function parseGoJson(text: string): GoJson {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const first = new GoScanner(text).firstValue();
    if ('error' in first) return { ok: false, error: first.error };
    try {
      return { ok: true, value: JSON.parse(text.slice(0, first.end)) };
    } catch {
      // The scanner does not check \u escapes' digits; JSON.parse does.
      return { ok: false, error: 'invalid character in \\u hexadecimal character escape' };
    }
  }
}
