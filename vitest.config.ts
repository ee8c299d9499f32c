import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'threads',
    testTimeout: 60_000,
    // bounds the shrinking of a failing property test (see the file)
    setupFiles: ['./tests/fast-check-setup.ts'],
    reporters: ['default', './tests/summary-reporter.ts'],
  },
});
