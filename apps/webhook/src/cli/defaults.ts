import { join } from 'node:path';
import { signetDataDir } from '@signet/grafeas-client/defaults';

export { defaultStoreUrl } from '@signet/grafeas-client/defaults';

/** The policy folder used when neither --policies nor --kubernetes is given. */
export function defaultPoliciesDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(signetDataDir(env), 'policies');
}
