import { SignetError } from '@signet/errors';

/** Every failure to read a key, make a signature or prove one. */
export class SigningError extends SignetError {}
