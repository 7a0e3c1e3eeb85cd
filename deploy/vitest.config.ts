import { defineConfig } from 'vitest/config';
import shared from '../vitest.shared.js';

/** The shared config, without `*.images.test.ts`: they run under `pnpm test:images` (vitest.images.config.ts). */
export default defineConfig({
  ...shared,
  test: { ...shared.test, exclude: [...(shared.test?.exclude ?? []), 'src/**/*.images.test.ts'] },
});
