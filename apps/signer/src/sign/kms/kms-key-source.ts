import { createHash } from 'node:crypto';
import { isSignetError } from '@signet/errors';
import {
  normalizePkixAlgorithm,
  PKIX_ALGORITHM_NAMES,
  type PkixAlgorithm,
  pkixHash,
  verifyPkix,
} from '@signet/signing';
import { backendError, usageError } from '../../common/cli-error.js';
import type { KeySource } from '../key-source.js';
import { CloudKmsClient, type CloudKmsClientOptions } from './cloud-kms-client.js';
import { cloudKmsKeyId, parseKeyVersionName } from './key-version-name.js';

/** The Cloud KMS algorithms Binary Authorization accepts for PKIX keys: its enum's Cloud KMS spellings. */
const SUPPORTED = PKIX_ALGORITHM_NAMES.filter((name) => /^(EC|RSA)_SIGN_/.test(name));

/**
 * Signs as `gcloud beta container binauthz attestations sign-and-create` does: the key version's
 * public key and algorithm from Cloud KMS, a digest of the payload made with the algorithm's hash,
 * `asymmetricSign`, and the key id `//cloudkms.googleapis.com/v1/<key version>`. The signature is
 * checked against the public key before it is stored.
 */
export async function kmsKeySource(input: string, options: CloudKmsClientOptions): Promise<KeySource> {
  const name = parseKeyVersionName(input);
  const client = new CloudKmsClient(options);
  const publicKey = await client.getPublicKey(name);
  const algorithm = supportedAlgorithm(name, publicKey.algorithm);
  const hash = pkixHash(algorithm);
  const keyId = cloudKmsKeyId(name);
  return {
    describe: `Cloud KMS key ${name} (${publicKey.algorithm})`,
    async sign(payload) {
      const digest = createHash(hash).update(payload).digest();
      const signature = await client.asymmetricSign(name, hash, digest);
      checkSignature(payload, signature, publicKey.pem, algorithm, name);
      return { kind: 'pkix', signature, keyId, algorithm };
    },
  };
}

function supportedAlgorithm(name: string, kmsAlgorithm: string): PkixAlgorithm {
  if (SUPPORTED.includes(kmsAlgorithm)) return normalizePkixAlgorithm(kmsAlgorithm);
  throw usageError(
    'KMS_ALGORITHM_UNSUPPORTED',
    `Cloud KMS key version ${name} uses ${kmsAlgorithm}, which Binary Authorization does not accept for attestations`,
    `create a key version with one of ${SUPPORTED.join(', ')} ` +
      '(e.g. `gcloud kms keys create KEY --keyring RING --location LOCATION --purpose asymmetric-signing --default-algorithm ec-sign-p256-sha256`)',
  );
}

function checkSignature(
  payload: Uint8Array,
  signature: Uint8Array,
  pem: string,
  algorithm: PkixAlgorithm,
  name: string,
): void {
  try {
    verifyPkix(payload, signature, pem, algorithm);
  } catch (error) {
    if (!isSignetError(error)) throw error;
    throw backendError(
      'KMS_SIGNATURE_INVALID',
      `the signature Cloud KMS returned for ${name} does not verify with its public key: ${error.message}`,
      'nothing was stored; sign again, and if it persists check that --kms-endpoint reaches Cloud KMS itself',
    );
  }
}
