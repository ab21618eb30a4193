import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['handler/**/*.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 98, functions: 98, statements: 98, branches: 90 },
    },
  },
});
