// The function bundles the package ships: the very files `npm run build` writes to dist/ and `npm test`
// runs, copied into cdk/assets/<name>/ (lambda.Code.fromAsset reads them there, in the repository and once
// installed). A copy is made beside the old one and renamed into place, so that two test files copying at
// once never leave a half-copied folder.
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, relative } from 'node:path';

export const BUNDLES = ['trust-link', 'snowflake'] as const;

/** Copies dist/<bundle> into cdk/assets/<bundle> unless the copy there is already the same. */
export function copyBundles(root: string): void {
  for (const bundle of BUNDLES) {
    const source = join(root, 'dist', bundle);
    if (!existsSync(join(source, 'index.mjs'))) {
      throw new Error(`${relative(root, source)}/index.mjs is missing: run npm run build first.`);
    }
    const target = join(root, 'cdk', 'assets', bundle);
    if (existsSync(target) && digestOf(target) === digestOf(source)) continue;
    mkdirSync(join(root, 'cdk', 'assets'), { recursive: true });
    const staging = `${target}.${process.pid}-${Date.now()}`;
    cpSync(source, staging, { recursive: true });
    rmSync(target, { recursive: true, force: true });
    try {
      renameSync(staging, target);
    } catch (error) {
      // Another process put the same bundle in place between our rm and rename.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(target) || digestOf(target) !== digestOf(source)) throw error;
    }
  }
}

/** A digest of a folder's file names and contents. */
export function digestOf(folder: string): string {
  const hash = createHash('sha256');
  for (const file of filesOf(folder)) {
    hash.update(relative(folder, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

function filesOf(folder: string): string[] {
  return readdirSync(folder)
    .sort()
    .flatMap((name) => {
      const path = join(folder, name);
      return statSync(path).isDirectory() ? filesOf(path) : [path];
    });
}
