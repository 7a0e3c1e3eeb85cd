export {
  GUIDE,
  type GuideEmulator,
  type GuideStep,
  type GuideWorld,
  NOTE_NAME,
  prepareGuide,
  type StartEmulator,
  signImage,
  writeGuidePolicies,
} from './guide-world.js';
export { GuideWorldError } from './guide-world-error.js';
export { deploymentReview, podReview, type ReviewOptions } from './reviews.js';
export { generateSelfSignedCert, type SelfSignedPair } from './self-signed.js';
export { guideWebhookSettings } from './webhook-settings.js';
