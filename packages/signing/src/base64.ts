const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Standard base64 with padding: what protojson emits for `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Accept standard or URL-safe (gcloud writes URL-safe with padding), padded or not; undefined when it
 * is not base64 at all.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) return undefined;
  const standard = compact.replace(/-/g, '+').replace(/_/g, '/');
  return new Uint8Array(Buffer.from(standard, 'base64'));
}
