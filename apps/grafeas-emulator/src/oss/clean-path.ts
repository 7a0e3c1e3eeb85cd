import { posix } from 'node:path';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};

/** Go's ServeMux cleanPath: `//`, `.` and `..` resolved, a trailing slash kept. */
function cleanPath(path: string): string {
  const rooted = path.startsWith('/') ? path : `/${path}`;
  return posix.normalize(rooted);
}

export interface Redirect {
  location: string;
  /** What Go's http.Redirect writes: an HTML link for GET and HEAD, nothing otherwise. */
  contentType?: string;
  body: string;
}

/**
 * v0.1.0 serves the gateway behind Go's http.ServeMux, which answers a path that is not clean with a
 * 301 to the clean one (query kept), whatever the method. undefined when the path is clean.
 */
export function uncleanPathRedirect(method: string, rawPath: string, rawQuery: string): Redirect | undefined {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  const clean = cleanPath(path);
  if (clean === path) return undefined;
  const location = `${encodeURI(clean)}${rawQuery === '' ? '' : `?${rawQuery}`}`;
  if (method !== 'GET' && method !== 'HEAD') return { location, body: '' };
  const href = location.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
  return {
    location,
    contentType: 'text/html; charset=utf-8',
    body: method === 'GET' ? `<a href="${href}">Moved Permanently</a>.\n\n` : '',
  };
}
