import { normalizePkixAlgorithm, pkixKeyId, publicKeyFromPrivatePem, signPkix } from '@signet/signing';
import { usageError } from '../common/cli-error.js';
import { readInputText } from '../common/files.js';
import type { KeySource } from './key-source.js';

export async function pkixKeySource(file: string, algorithmName: string | undefined): Promise<KeySource> {
  if (!algorithmName) {
    throw usageError(
      'PKIX_ALGORITHM_MISSING',
      '--pkix-key needs --pkix-algorithm',
      'add --pkix-algorithm, e.g. ECDSA_P256_SHA256 for a P-256 key or RSA_SIGN_PKCS1_2048_SHA256 for RSA 2048',
    );
  }
  const algorithm = normalizePkixAlgorithm(algorithmName);
  const privateKeyPem = await readInputText(file, '--pkix-key');
  const keyId = pkixKeyId(publicKeyFromPrivatePem(privateKeyPem));
  return {
    describe: `PKIX key ${file} (${algorithm})`,
    async sign(payload) {
      return { kind: 'pkix', signature: signPkix(payload, privateKeyPem, algorithm), keyId, algorithm };
    },
  };
}
