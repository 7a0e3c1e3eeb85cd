/** One challenge of a `WWW-Authenticate` header: its scheme (lower-case) and its parameters. */
export interface AuthChallenge {
  scheme: string;
  params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/**
 * Reads `WWW-Authenticate` (RFC 9110 §11.6.1): one or more challenges, each a scheme followed by
 * comma-separated `name=value` parameters, values a token or a quoted string. Parameter names are
 * lower-cased. Malformed text ends the parse: what was read before it is kept.
 */
export function parseChallenges(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let rest = header;
  let current: { scheme: string; params: Record<string, string> } | undefined;
  for (;;) {
    rest = rest.replace(/^[\s,]+/, '');
    const token = TOKEN.exec(rest)?.[0];
    if (token === undefined) break;
    const afterToken = rest.slice(token.length).replace(/^\s*/, '');
    if (afterToken.startsWith('=') && current !== undefined && !afterToken.startsWith('==')) {
      const value = readValue(afterToken.slice(1).replace(/^\s*/, ''));
      if (value === undefined) break;
      current.params[token.toLowerCase()] = value.value;
      rest = value.rest;
      continue;
    }
    current = { scheme: token.toLowerCase(), params: {} };
    challenges.push(current);
    rest = afterToken;
  }
  return challenges;
}

function readValue(text: string): { value: string; rest: string } | undefined {
  if (!text.startsWith('"')) {
    const token = TOKEN.exec(text)?.[0];
    return token === undefined ? undefined : { value: token, rest: text.slice(token.length) };
  }
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      value += text[++i];
    } else if (c === '"') {
      return { value, rest: text.slice(i + 1) };
    } else {
      value += c;
    }
  }
  return undefined;
}
