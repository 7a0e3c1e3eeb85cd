// What the webhook's and the signer's tests and the demo import; `/gcloud` drives Google's gcloud at it.
export { createEmulatorApp, type RunningEmulator, startEmulator } from './server.js';
