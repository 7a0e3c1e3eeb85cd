/**
 * The key of a resource URL: `https://X` and `X` are the same image (gcloud stores the scheme-less
 * spelling; scanners, Kritis and Signet the other). Any other scheme stays distinct: nothing looser.
 */
export function resourceKey(resourceUrl: string): string {
  return resourceUrl.startsWith('https://') ? resourceUrl.slice('https://'.length) : resourceUrl;
}
