import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests spawn bin/bn; give them room on a loaded 2-core CI machine.
    testTimeout: 30_000,
  },
});
