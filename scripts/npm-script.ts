// How `npm run link` and `npm run status` run a command: where the person is, the terminal's streams, and the
// exit code the command resolves to.

import type { LinkEnvironment } from './link/main';

/** Runs a command with the process's arguments, as an npm script in the project root. */
export function runAsNpmScript(
  run: (argv: readonly string[], env: LinkEnvironment) => Promise<number>,
): void {
  // The SDK warns on Node.js 20 that its releases after January 2027 will need 22; the scripts pin an SDK
  // version that runs on 20, and the notice would come before every message. (engines: docs/development.md.)
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  run(process.argv.slice(2), {
    cwd: process.cwd(),
    // npm runs scripts in the project root; INIT_CWD is where the person ran npm.
    userDir: process.env.INIT_CWD ?? process.cwd(),
    stdinIsTty: process.stdin.isTTY === true,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then((code) => {
    process.exitCode = code;
  });
}
