// `npm run link`: links a Snowflake integration to the stack's role. The work is in scripts/link/.

import { runLink } from './link/main';

// The SDK warns on Node.js 20 that its releases after January 2027 will need 22; the link pins its SDK
// version, which runs on 20, and the notice would come before every message. (engines: docs/development.md.)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runLink(process.argv.slice(2), {
  cwd: process.cwd(),
  // npm runs scripts in the project root; INIT_CWD is where the person ran npm.
  userDir: process.env.INIT_CWD ?? process.cwd(),
  stdinIsTty: process.stdin.isTTY === true,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
