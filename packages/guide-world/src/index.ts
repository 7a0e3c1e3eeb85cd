export {
  GUIDE,
  type GuideWorld,
  NOTE_NAME,
  prepareGuide,
  signImage,
  writeGuidePolicies,
} from './guide-world.js';
export { deploymentReview, podReview } from './reviews.js';
export { generateSelfSignedCert, type SelfSignedPair } from './self-signed.js';
export { guideWebhookSettings } from './webhook-settings.js';
