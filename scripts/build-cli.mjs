// Bundles the package binary, `snowflake-trust-link` (scripts/cli.ts), into one self-contained file: the
// AWS SDK and every other dependency inside, so that an installed package runs it with node alone. It goes
// into cli/, the package snowflake-trust-link-cli (`npm pack cli` after the build), with the LICENSE.
//   node scripts/build-cli.mjs [OUTFILE]      (default cli/snowflake-trust-link.mjs; npm run build runs it)
import { chmodSync, copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const CLI_OUTFILE = 'cli/snowflake-trust-link.mjs';
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
  copyFileSync(resolve(ROOT, 'LICENSE'), join(dirname(target), 'LICENSE'));
  return target;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli(process.argv[2]);
}
