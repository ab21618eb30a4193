// Bundles each Lambda function into dist/<name>/: index.mjs, the entry Lambda loads for `index.handler`,
// and chunks/ it imports on demand. These files are the one artifact that tests run and sam deploys.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { buildCli } from './build-cli.mjs';

const functions = ['trust-link', 'echo', 'snowflake'];

// The benchmark builds its bare bundle of the same SDK calls the plain way (CommonJS), apart.
const LAMBDA_BUNDLE = {
  bundle: true,
  platform: 'node',
  // The template's runtime is nodejs22.x; nodejs24.x runs the same code.
  target: 'node22',
  // ES modules: esbuild drops what is never imported (the SDK's CommonJS builds keep every command).
  format: 'esm',
  mainFields: ['module', 'main'],
  // The SDK imports rarely used parts (credential providers Lambda never needs) with import(): as chunks
  // of their own, they are read only if called, not at every cold start.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // A CommonJS dependency left in the bundle may still call require() for Node.js built-ins.
  banner: { js: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);" },
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

for (const name of functions) {
  // A file of an earlier build (index.js, an old chunk) must not ship with this one.
  rmSync(`dist/${name}`, { recursive: true, force: true });
  await build({
    ...LAMBDA_BUNDLE,
    entryPoints: { index: `handler/${name}/index.ts` },
    outdir: `dist/${name}`,
  });
}

// The package binary (npx snowflake-trust-link link …), bundled apart: one file, no chunks.
await buildCli();
