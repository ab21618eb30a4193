// `npm run status`: is the link in force, and does the role hold what the stack wrote? The work is in scripts/status/.

import { runStatus } from './status/main';

runStatus(process.argv.slice(2), {
  cwd: process.cwd(),
  // npm runs scripts in the project root; INIT_CWD is where the person ran npm.
  userDir: process.env.INIT_CWD ?? process.cwd(),
  stdinIsTty: process.stdin.isTTY === true,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
