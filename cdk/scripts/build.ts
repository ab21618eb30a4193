// Builds the package: the function bundles from dist/ into assets/, then the library into lib/ (CommonJS
// with declarations). Run from the repository root after `npm run build`: `npm run cdk:build`.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { copyBundles } from './assets';

const root = join(import.meta.dirname, '..', '..');
copyBundles(root);
rmSync(join(root, 'cdk', 'lib'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'cdk', 'tsconfig.json')], { stdio: 'inherit' });
