// The release before this one, rebuilt from git: its handler bundles, templates and examples, as a stack
// deployed with it would hold them. Upgrade tests deploy it in the lab, then update to the working tree's.
//
//   npx tsx scripts/release/previous-release.ts   → prints the folder
//
// The commit is the last one that landed before 0.2.0's work began; CI clones main whole, so it is there.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The last landed commit of the 0.1 line. */
export const PREVIOUS_RELEASE = { version: '0.1.0', commit: 'a6419e22abc221484c4a754f6bf23d2cbbec7cc3' };

const ROOT = path.resolve(__dirname, '../..');

/** The folder holding the previous release's tree and its bundles in dist/; built once, then reused. */
export async function previousRelease(): Promise<string> {
  const dir = path.join(ROOT, '.cache', 'releases', PREVIOUS_RELEASE.version);
  const complete = path.join(dir, 'dist', '.complete');
  if (existsSync(complete)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const paths = ['handler', 'scripts/build.mjs', 'template.yaml', 'examples'];
  const archive = execFileSync('git', ['-C', ROOT, 'archive', PREVIOUS_RELEASE.commit, ...paths], {
    maxBuffer: 64 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  // Its own build script, in its own folder; esbuild and the SDK resolve from this checkout's node_modules.
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'inherit' });
  writeFileSync(complete, '');
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
