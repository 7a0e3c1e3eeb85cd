import { invalid } from './api-error.js';

/**
 * The list filter Container Analysis documents (AIP-160 subset): AND, OR, NOT and parentheses;
 * `=`, `!=` and `:` (has); has_prefix(field, "v") and has_suffix(field, "v"); quoted strings.
 * As in AIP-160, OR binds tighter than AND, and terms side by side are ANDed.
 */
type FilterField = 'kind' | 'resourceUrl' | 'noteProjectId' | 'noteId';

export type Filter =
  | { op: 'and' | 'or'; args: Filter[] }
  | { op: 'not'; arg: Filter }
  | { op: '=' | '!=' | ':' | 'has_prefix' | 'has_suffix'; field: FilterField; value: string };

/** What a filter can ask about one occurrence or note. */
export type FilterSubject = Record<FilterField, string>;

const FIELDS: Record<string, FilterField> = {
  kind: 'kind',
  resourceUrl: 'resourceUrl',
  resource_url: 'resourceUrl',
  noteProjectId: 'noteProjectId',
  noteId: 'noteId',
};
/** v1alpha1 spellings older clients still send. */
const KIND_SYNONYMS: Record<string, string> = {
  ATTESTATION_AUTHORITY: 'ATTESTATION',
  PACKAGE_VULNERABILITY: 'VULNERABILITY',
};

const FUNCTIONS = new Set(['has_prefix', 'has_suffix']);
const MAX_DEPTH = 64;

type Token = { type: 'word' | 'string' | 'op' | '(' | ')' | ','; value: string; at: number };

function bad(filter: string, why: string): Error {
  return invalid(`invalid filter ${JSON.stringify(filter)}: ${why}`);
}

function readString(filter: string, start: number): { value: string; end: number } {
  const quote = filter[start]!;
  let value = '';
  let i = start + 1;
  while (i < filter.length && filter[i] !== quote) {
    if (filter[i] === '\\' && i + 1 < filter.length) i++;
    value += filter[i];
    i++;
  }
  if (i >= filter.length) throw bad(filter, `unterminated string starting at ${start}`);
  return { value, end: i + 1 };
}

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i]!;
    const rest = filter.slice(i);
    const operator = /^(!=|<=|>=|=|:|<|>)/.exec(rest);
    const word = /^[^\s()"',=!:<>]+/.exec(rest);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      const { value, end } = readString(filter, i);
      tokens.push({ type: 'string', value, at: i });
      i = end;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: c, value: c, at: i });
      i++;
    } else if (operator) {
      tokens.push({ type: 'op', value: operator[0], at: i });
      i += operator[0].length;
    } else if (word) {
      tokens.push({ type: 'word', value: word[0], at: i });
      i += word[0].length;
    } else {
      throw bad(filter, `unexpected "${c}" at ${i}`);
    }
  }
  return tokens;
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly filter: string,
    private readonly tokens: Token[],
  ) {}

  parse(): Filter {
    const expr = this.conjunction();
    const extra = this.peek();
    if (extra) throw this.unexpected(extra);
    return expr;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private next(what: string): Token {
    const t = this.tokens[this.i++];
    if (!t) throw bad(this.filter, `expected ${what} at the end`);
    return t;
  }

  private unexpected(t: Token): Error {
    return bad(this.filter, `unexpected "${t.value}" at ${t.at}`);
  }

  private isKeyword(t: Token | undefined, keyword: string): boolean {
    return t?.type === 'word' && t.value === keyword;
  }

  /** AND (explicit, or terms side by side) over disjunctions. */
  private conjunction(): Filter {
    const args = [this.disjunction()];
    for (;;) {
      const t = this.peek();
      if (!t || t.type === ')') break;
      if (this.isKeyword(t, 'AND')) this.i++;
      args.push(this.disjunction());
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  }

  private disjunction(): Filter {
    const args = [this.unary()];
    while (this.isKeyword(this.peek(), 'OR')) {
      this.i++;
      args.push(this.unary());
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  }

  private unary(): Filter {
    if (this.isKeyword(this.peek(), 'NOT')) {
      this.i++;
      return { op: 'not', arg: this.unary() };
    }
    return this.term();
  }

  private term(): Filter {
    const t = this.next('a field, a function or "("');
    if (t.type === '(') return this.nested();
    if (t.type !== 'word' || t.value === 'AND' || t.value === 'OR') throw this.unexpected(t);
    if (this.peek()?.type === '(') return this.call(t);
    const field = this.field(t.value);
    const op = this.next('an operator');
    if (op.type !== 'op') throw this.unexpected(op);
    if (op.value !== '=' && op.value !== '!=' && op.value !== ':') {
      throw bad(this.filter, `unsupported operator "${op.value}" (supported: =, !=, :)`);
    }
    return { op: op.value, field, value: this.value(field) };
  }

  private nested(): Filter {
    if (++this.depth > MAX_DEPTH) throw bad(this.filter, `nested deeper than ${MAX_DEPTH}`);
    const inner = this.conjunction();
    const close = this.next('")"');
    if (close.type !== ')') throw this.unexpected(close);
    this.depth--;
    return inner;
  }

  private call(name: Token): Filter {
    if (!FUNCTIONS.has(name.value)) {
      throw bad(this.filter, `unsupported function "${name.value}" (supported: has_prefix, has_suffix)`);
    }
    this.next('"("');
    const fieldToken = this.next('a field');
    if (fieldToken.type !== 'word') throw this.unexpected(fieldToken);
    const field = this.field(fieldToken.value);
    const comma = this.next('","');
    if (comma.type !== ',') throw this.unexpected(comma);
    const value = this.value(field);
    const close = this.next('")"');
    if (close.type !== ')') throw this.unexpected(close);
    return { op: name.value as 'has_prefix' | 'has_suffix', field, value };
  }

  private field(name: string): FilterField {
    const field = FIELDS[name];
    if (!field) {
      throw bad(
        this.filter,
        `unsupported field "${name}" (supported: kind, resourceUrl, resource_url, noteProjectId, noteId)`,
      );
    }
    return field;
  }

  private value(field: FilterField): string {
    const t = this.next('a value');
    const isValue = t.type === 'string' || (t.type === 'word' && !['AND', 'OR', 'NOT'].includes(t.value));
    if (!isValue) throw this.unexpected(t);
    return field === 'kind' ? (KIND_SYNONYMS[t.value] ?? t.value) : t.value;
  }
}

/** Parse a filter; an empty one is undefined (everything matches). Throws a 400 ApiError. */
export function parseFilter(filter: string | undefined): Filter | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  return new Parser(filter, tokenize(filter)).parse();
}

export function matchesFilter(filter: Filter | undefined, subject: FilterSubject): boolean {
  if (!filter) return true;
  switch (filter.op) {
    case 'and':
      return filter.args.every((f) => matchesFilter(f, subject));
    case 'or':
      return filter.args.some((f) => matchesFilter(f, subject));
    case 'not':
      return !matchesFilter(filter.arg, subject);
    case '=':
      return subject[filter.field] === filter.value;
    case '!=':
      return subject[filter.field] !== filter.value;
    case ':':
      return filter.value === '*'
        ? subject[filter.field] !== ''
        : subject[filter.field].includes(filter.value);
    case 'has_prefix':
      return subject[filter.field].startsWith(filter.value);
    case 'has_suffix':
      return subject[filter.field].endsWith(filter.value);
  }
}

/** The subject of a stored occurrence or note: its kind, resource and note name. */
export function filterSubject(kind: string, resourceUrl: string, noteName: string): FilterSubject {
  const match = /^projects\/([^/]+)\/notes\/([^/]+)$/.exec(noteName);
  return {
    kind,
    resourceUrl,
    noteProjectId: match?.[1] ?? '',
    noteId: match?.[2] ?? '',
  };
}

/**
 * The resource URLs every occurrence a filter matches must have, when the filter says (an equality on
 * resourceUrl, an OR of them, or an AND holding one): the store narrows the listing to them through its
 * index before the filter is applied, so a lookup does not read the whole project.
 */
export function requiredResources(filter: Filter | undefined): string[] | undefined {
  if (!filter) return undefined;
  if (filter.op === '=') return filter.field === 'resourceUrl' ? [filter.value] : undefined;
  if (filter.op === 'or') {
    const each = filter.args.map(requiredResources);
    return each.every((list) => list !== undefined) ? [...new Set(each.flat() as string[])] : undefined;
  }
  if (filter.op === 'and') return filter.args.map(requiredResources).find((list) => list !== undefined);
  return undefined;
}
