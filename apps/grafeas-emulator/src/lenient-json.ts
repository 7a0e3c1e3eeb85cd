const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Escape raw control characters inside string literals (what `"$(base64 file)"` in a heredoc leaves). */
function escapeControlsInStrings(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString && c === '\\') {
      out += c + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (inString && c < ' ') out += ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

/**
 * JSON.parse, then once more with control characters in strings escaped: shell-made bodies such as
 * `"signature": "$(base64 signature.gpg)"` carry line-wrapped base64. The first error is reported.
 */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    try {
      return JSON.parse(escapeControlsInStrings(text));
    } catch {
      throw error;
    }
  }
}
