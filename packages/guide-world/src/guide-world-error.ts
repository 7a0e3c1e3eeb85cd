import { SignetError } from '@signet/errors';

/** A failure to set up the guide's world (today: openssl missing or failing). */
export class GuideWorldError extends SignetError {}
