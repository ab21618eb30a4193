// Bundles each Lambda function into dist/<name>/index.js: the one artifact that tests run and sam deploys.
import { build } from 'esbuild';

const functions = ['trust-link', 'echo'];

for (const name of functions) {
  await build({
    entryPoints: [`handler/${name}/index.ts`],
    outfile: `dist/${name}/index.js`,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
}
