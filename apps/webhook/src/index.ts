// The demo starts the webhook in-process; everyone else runs the `signet-webhook` command.
export { startWebhook } from './start-webhook.js';
