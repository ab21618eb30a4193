// The release before this one, rebuilt from git: its handler bundles, templates and examples, as a stack
// deployed with it would hold them. Upgrade tests deploy it in the lab, then update to the working tree's.
//
//   npx tsx scripts/release/previous-release.ts   → prints the folder
//
// The commit is the last one that landed before 0.2.0's work began; CI clones main whole, so it is there.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/** The last landed commit of the 0.1 line. */
export const PREVIOUS_RELEASE = { version: '0.1.0', commit: 'a6419e22abc221484c4a754f6bf23d2cbbec7cc3' };

const ROOT = path.resolve(__dirname, '../..');
const FUNCTIONS = ['trust-link', 'echo', 'snowflake'];

/** The folder holding the previous release's tree and its bundles in dist/; built once, then reused. */
export async function previousRelease(): Promise<string> {
  const dir = path.join(ROOT, '.cache', 'releases', PREVIOUS_RELEASE.version);
  if (existsSync(path.join(dir, 'dist', '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync(
    'git',
    ['-C', ROOT, 'archive', PREVIOUS_RELEASE.commit, 'handler', 'template.yaml', 'examples'],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  // Its own build settings, read from its scripts/build.mjs at that commit: ES module bundles with chunks.
  for (const name of FUNCTIONS) {
    await build({
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      mainFields: ['module', 'main'],
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      outExtension: { '.js': '.mjs' },
      banner: { js: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);" },
      minify: true,
      logLevel: 'warning',
      absWorkingDir: ROOT,
      entryPoints: { index: path.join(dir, 'handler', name, 'index.ts') },
      outdir: path.join(dir, 'dist', name),
    });
  }
  execFileSync('touch', [path.join(dir, 'dist', '.complete')]);
  return dir;
}

if (require.main === module) {
  previousRelease().then(
    (dir) => console.log(dir),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
