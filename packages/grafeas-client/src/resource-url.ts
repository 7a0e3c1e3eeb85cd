/**
 * An image's resource URL is written two ways: `https://X` (scanners, Kritis, voucher, the guide,
 * Signet's signer) and `X` (gcloud's `binauthz attestations create`). A lookup finds both spellings of
 * the same reference and nothing looser: no prefix match, no other scheme.
 */

const HTTPS = 'https://';
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** `https://X` and `X` for either of them; a URL with another scheme only matches itself. */
export function resourceUrlSpellings(resourceUrl: string): string[] {
  const bare = resourceUrl.startsWith(HTTPS) ? resourceUrl.slice(HTTPS.length) : resourceUrl;
  if (bare === '' || SCHEME.test(bare)) return [resourceUrl];
  return [`${HTTPS}${bare}`, bare];
}

/** One key for both spellings (the bare one), for maps keyed by image; another scheme keeps its own. */
export function resourceKey(resourceUrl: string): string {
  return resourceUrlSpellings(resourceUrl).at(-1) ?? resourceUrl;
}

/** True when `stored` is one of the spellings of `wanted`. */
export function isSameResource(stored: string, wanted: string): boolean {
  return resourceUrlSpellings(wanted).includes(stored);
}

/** A filter string literal. */
export function filterString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The filter gcloud itself sends: `(resourceUrl = "https://X") OR (resourceUrl = "X")`. */
export function resourceUrlFilter(resourceUrl: string): string {
  return resourceUrlSpellings(resourceUrl)
    .map((spelling) => `(resourceUrl = ${filterString(spelling)})`)
    .join(' OR ');
}
