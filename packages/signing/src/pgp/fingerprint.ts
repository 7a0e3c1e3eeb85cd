/** Upper-case hex, without spaces or an `openpgp4fpr:` prefix: the form Signet compares key ids in. */
export function normalizeFingerprint(id: string): string {
  return id
    .trim()
    .replace(/^openpgp4fpr:/i, '')
    .replace(/\s+/g, '')
    .toUpperCase();
}

/** True for a full V4 fingerprint (40 hex digits) once normalised. */
export function isV4Fingerprint(id: string): boolean {
  return /^[0-9A-F]{40}$/.test(normalizeFingerprint(id));
}
