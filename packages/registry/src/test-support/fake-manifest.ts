import { createHash } from 'node:crypto';

/** A small OCI manifest, as bytes, with its true digest: what a loopback stand-in serves. */
export function fakeManifest(label = 'x'): { body: Buffer; digest: string; mediaType: string } {
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${'a'.repeat(64)}`,
        size: 2,
      },
      layers: [],
      annotations: { label },
    }),
  );
  return { body, digest: `sha256:${createHash('sha256').update(body).digest('hex')}`, mediaType };
}
