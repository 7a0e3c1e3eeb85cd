import type { OccurrenceKind } from '@signet/grafeas-client';
import { invalid } from './api-error.js';

/** What a Google-style list filter asks for, as far as the emulator understands it. */
export interface OccurrenceQuery {
  resourceUri?: string;
  resourceUriSuffix?: string;
  kind?: OccurrenceKind | 'NONE';
  noteProjectId?: string;
  noteId?: string;
}

const RESOURCE_FIELDS = new Set([
  'resourceUrl',
  'resource_url',
  'resourceUri',
  'resource_uri',
  'resource.uri',
]);
const KINDS: Record<string, OccurrenceKind> = {
  ATTESTATION: 'ATTESTATION',
  ATTESTATION_AUTHORITY: 'ATTESTATION',
  VULNERABILITY: 'VULNERABILITY',
  PACKAGE_VULNERABILITY: 'VULNERABILITY',
  DISCOVERY: 'DISCOVERY',
};

type Token = { type: 'word' | 'string' | '=' | '(' | ')' | ','; value: string };

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < filter.length && filter[i] !== '"') {
        if (filter[i] === '\\' && i + 1 < filter.length) i++;
        value += filter[i];
        i++;
      }
      if (i >= filter.length)
        throw invalid(`invalid filter: unterminated string in ${JSON.stringify(filter)}`);
      i++;
      tokens.push({ type: 'string', value });
    } else if (c === '=' || c === '(' || c === ')' || c === ',') {
      tokens.push({ type: c, value: c });
      i++;
    } else {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(filter.slice(i));
      if (!match) throw invalid(`invalid filter: unexpected "${c}" in ${JSON.stringify(filter)}`);
      tokens.push({ type: 'word', value: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

function apply(query: OccurrenceQuery, field: string, value: string, filter: string): void {
  if (RESOURCE_FIELDS.has(field)) query.resourceUri = value;
  else if (field === 'kind') query.kind = KINDS[value] ?? 'NONE';
  else if (field === 'noteProjectId' || field === 'note_project_id') query.noteProjectId = value;
  else if (field === 'noteId' || field === 'note_id') query.noteId = value;
  else throw invalid(`invalid filter: unsupported field "${field}" in ${JSON.stringify(filter)}`);
}

/**
 * Conjunctions of `field="value"` and `has_suffix(field, "value")`, optionally in parentheses:
 * the forms Google's docs, Kritis, voucher and gcloud send.
 */
export function parseFilter(filter: string | undefined): OccurrenceQuery {
  const query: OccurrenceQuery = {};
  if (!filter || filter.trim() === '') return query;
  const tokens = tokenize(filter).filter((t) => t.type !== '(' && t.type !== ')');
  let i = 0;
  const expect = (type: Token['type']): Token => {
    const t = tokens[i++];
    if (!t || t.type !== type) throw invalid(`invalid filter: expected ${type} in ${JSON.stringify(filter)}`);
    return t;
  };
  while (i < tokens.length) {
    const field = expect('word').value;
    if (field === 'has_suffix') {
      const inner = expect('word').value;
      expect(',');
      const suffix = expect('string').value;
      if (!RESOURCE_FIELDS.has(inner))
        throw invalid(`invalid filter: has_suffix supports resourceUrl, not ${inner}`);
      query.resourceUriSuffix = suffix;
    } else {
      expect('=');
      apply(query, field, expect('string').value, filter);
    }
    if (i < tokens.length) {
      const op = expect('word').value;
      if (op !== 'AND')
        throw invalid(`invalid filter: only AND is supported, got "${op}" in ${JSON.stringify(filter)}`);
    }
  }
  return query;
}
