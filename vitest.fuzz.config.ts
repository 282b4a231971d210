import { defineConfig } from 'vitest/config';

/** `npm run test:fuzz`: the long mutation run, apart from `npm test`. */
export default defineConfig({
  test: {
    include: ['test/fuzz/**/*.fuzz.ts'],
    setupFiles: ['test/setup/loopback-only.ts'],
    hookTimeout: 120_000,
  },
});
