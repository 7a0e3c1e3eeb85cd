import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistryClient } from '@signet/registry';
import { makeCosignSignatureLayer, readCosignPrivateKey } from '@signet/signing/cosign';

/** cosign's recorded key pairs (testdata/cosign/keys), encrypted with this password (see its README). */
const KEYS = join(process.env.SIGNET_TESTDATA ?? '', 'cosign', 'keys');
const PASSWORD = 'signet-test-vectors';

/** base64 of a recorded cosign.pub: what an AttestationAuthority's `spec.cosign.publicKeyData` holds. */
export function cosignPublicKeyData(key: string): string {
  return readFileSync(join(KEYS, `${key}.pub`)).toString('base64');
}

/**
 * Signs `name@digest` as `cosign sign --key` does (cosign 2.x layout: the `sha256-<hex>.sig` tag of
 * the same repository), with a recorded key and no cosign binary, over plain HTTP.
 */
export async function cosignSign(
  key: string,
  image: { name: string; digest: string },
  insecureRegistry: string,
): Promise<{ tag: string }> {
  const signingKey = readCosignPrivateKey(readFileSync(join(KEYS, `${key}.key`), 'utf8'), PASSWORD);
  const client = createRegistryClient({ insecureRegistries: [insecureRegistry] });
  return client.attachCosignSignature(`${image.name}@${image.digest}`, {
    layer: makeCosignSignatureLayer(signingKey, image),
  });
}
