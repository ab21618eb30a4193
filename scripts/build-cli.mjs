// Bundles the package binary, `snowflake-trust-link` (scripts/cli.ts), into one self-contained file: the
// AWS SDK and every other dependency inside, so that an installed package runs it with node alone.
//   node scripts/build-cli.mjs [OUTFILE]      (default dist/cli/snowflake-trust-link.mjs; npm run build runs it)
import { chmodSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const CLI_OUTFILE = 'dist/cli/snowflake-trust-link.mjs';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Writes the binary to outfile (relative to the repository root). */
export async function buildCli(outfile = CLI_OUTFILE) {
  const target = resolve(ROOT, outfile);
  await build({
    entryPoints: [resolve(ROOT, 'scripts/cli.ts')],
    outfile: target,
    bundle: true,
    platform: 'node',
    // package.json's engines: Node.js 20.19 or 22.12 and later.
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    // A CommonJS dependency left in the bundle may still call require() for Node.js built-ins.
    banner: {
      js: "#!/usr/bin/env node\nimport{createRequire}from'node:module';const require=createRequire(import.meta.url);",
    },
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  chmodSync(target, 0o755);
  return target;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli(process.argv[2]);
}
