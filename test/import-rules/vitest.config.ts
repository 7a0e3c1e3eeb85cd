import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['import-rules.test.ts'], root: import.meta.dirname },
});
