import { usageError } from '../../common/cli-error.js';

/** The key id Binary Authorization and gcloud `sign-and-create` give a Cloud KMS key version. */
const CLOUD_KMS_KEY_ID_PREFIX = '//cloudkms.googleapis.com/v1/';

const SEGMENT = '[A-Za-z0-9_-]{1,63}';
const KEY_VERSION_NAME = new RegExp(
  `^projects/[a-z0-9.:-]{1,100}/locations/${SEGMENT}/keyRings/${SEGMENT}/cryptoKeys/${SEGMENT}/cryptoKeyVersions/[0-9]{1,10}$`,
);

export const KEY_VERSION_FORM = 'projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/N';

/**
 * The resource name of a Cloud KMS key version, as given to --kms-key. The key id form
 * (`//cloudkms.googleapis.com/v1/projects/…`), which attestors list, is accepted too.
 */
export function parseKeyVersionName(input: string): string {
  const name = input.startsWith(CLOUD_KMS_KEY_ID_PREFIX)
    ? input.slice(CLOUD_KMS_KEY_ID_PREFIX.length)
    : input;
  if (KEY_VERSION_NAME.test(name)) return name;
  const why = /\/cryptoKeys\/[^/]+\/?$/.test(name)
    ? 'it names a key, not one of its versions'
    : `it is not of the form ${KEY_VERSION_FORM}`;
  throw usageError(
    'KMS_KEY_NAME_INVALID',
    `--kms-key ${JSON.stringify(input)} is not a Cloud KMS key version: ${why}`,
    `give the full key version name, e.g. projects/my-project/locations/global/keyRings/my-ring/cryptoKeys/my-key/cryptoKeyVersions/1; ` +
      'list them with `gcloud kms keys versions list --key KEY --keyring RING --location LOCATION --project PROJECT`',
  );
}

/** The publicKeyId `sign-and-create` writes for a key version (and attestors register). */
export function cloudKmsKeyId(keyVersionName: string): string {
  return `${CLOUD_KMS_KEY_ID_PREFIX}${keyVersionName}`;
}
