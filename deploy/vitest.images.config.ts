import { defineConfig } from 'vitest/config';
import shared from '../vitest.shared.js';

/**
 * `pnpm test:images`: runs the images `pnpm images` built (in $SIGNET_IMAGES) with runc, as root. Apart
 * from `pnpm test` because a machine may lack runc, umoci, skopeo or root; here their absence, or that of
 * the images, fails the run (global-setup.ts). The shared include/exclude are replaced, not merged.
 */
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ['src/images/**/*.images.test.ts'],
    exclude: [],
    globalSetup: ['src/images/test-support/global-setup.ts'],
  },
});
