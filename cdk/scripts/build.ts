// Builds the package: the function bundles from dist/ into assets/, then the library into lib/ (CommonJS
// with declarations), and the repository's LICENSE beside them when it has one. Run from the repository root
// after `npm run build`: `npm run cdk:build`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { copyBundles } from './assets';

/** Builds cdk/ from the repository at root. */
export function buildPackage(root: string): void {
  copyBundles(root);
  rmSync(join(root, 'cdk', 'lib'), { recursive: true, force: true });
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'cdk', 'tsconfig.json')], { stdio: 'inherit' });
  if (existsSync(join(root, 'LICENSE'))) copyFileSync(join(root, 'LICENSE'), join(root, 'cdk', 'LICENSE'));
}

if (process.argv[1] && import.meta.filename === process.argv[1])
  buildPackage(join(import.meta.dirname, '..', '..'));
