import { defineConfig } from 'vitest/config';
import { NODE_RUNTIMES, nodeBinary } from './scripts/node-runtimes';

const E2E = 'test/e2e/**/*.test.ts';

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    // Tests run on the machine's Node.js, which the SDK may warn about; the Lambda runtimes are the e2e suite's.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [E2E] } },
      // The built bundle, once per Lambda runtime: the lab's function instances run on that `node` (LAB_NODE).
      ...Object.keys(NODE_RUNTIMES).map((major) => ({
        extends: true as const,
        test: { name: `e2e-node${major}`, include: [E2E], env: { LAB_NODE: nodeBinary(major) } },
      })),
    ],
    coverage: {
      provider: 'v8',
      include: ['handler/**/*.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 98, functions: 98, statements: 98, branches: 90 },
    },
  },
});
