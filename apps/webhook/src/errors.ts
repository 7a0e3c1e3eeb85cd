import { SignetError } from '@signet/signing';

/** Every deliberate failure of the webhook: bad options, unreadable TLS files, policy sources. */
export class WebhookError extends SignetError {}
