import { defineConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

/**
 * `pnpm test:kube`: only `*.kube.test.ts`, which start a real kube-apiserver and etcd from
 * $KUBEBUILDER_ASSETS. The shared config's include/exclude are replaced, not merged (vitest's
 * mergeConfig would concatenate the lists and keep excluding these files).
 */
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ['src/kube/**/*.kube.test.ts'],
    exclude: [],
    testTimeout: 120_000,
    hookTimeout: 360_000,
  },
});
