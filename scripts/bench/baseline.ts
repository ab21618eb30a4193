// The bare baseline the benchmark compares against: @aws-sdk/client-iam with the two commands the link
// uses, bundled by esbuild with the same options as scripts/build.mjs, into a temporary directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

// Imported as our handler imports it (ESM syntax), so that esbuild resolves the same entry points.
const ENTRY = `
import { IAMClient, GetRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
export const createClient = () => new IAMClient({});
export { GetRoleCommand, UpdateAssumeRolePolicyCommand };
`;

/** Builds the bare bundle and returns its path. */
export async function buildBareBundle(): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'bench-bare-')), 'index.js');
  await build({
    stdin: { contents: ENTRY, resolveDir: process.cwd(), sourcefile: 'bare-iam.js', loader: 'js' },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}
