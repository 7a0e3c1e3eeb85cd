import { SignetError } from '@signet/errors';

/** Every deliberate failure of the webhook: bad options, unreadable TLS files, policy sources. */
export class WebhookError extends SignetError {}
