// `snowflake-trust-link`, the package binary for those who install rather than clone: `link` is `npm run
// link`, `status` is `npm run status`, with the same options, messages and exit codes. Built into one
// self-contained file by scripts/build-cli.mjs (npm run build).

import { runLink } from './link/main';
import { runStatus } from './status/main';

const USAGE = `Usage: snowflake-trust-link <command> [options]

Commands:
  link     deploy DESCRIBE INTEGRATION's two values to the stack that links the integration's role
  status   read, without changing anything, whether a stack's link is in force

snowflake-trust-link <command> --help lists each command's options.
`;

// The SDK's notice that its releases after January 2027 need Node.js 22 would precede every message.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const [command, ...args] = process.argv.slice(2);
const env = {
  // An installed binary runs where the person is: templates, samconfig and --from files are read from there.
  cwd: process.cwd(),
  userDir: process.cwd(),
  stdinIsTty: process.stdin.isTTY === true,
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
};

async function main(): Promise<number> {
  switch (command) {
    case 'link':
      return runLink(args, env);
    case 'status':
      return runStatus(args, env);
    case undefined:
    case '-h':
    case '--help':
      env.stdout(USAGE);
      return command === undefined ? 2 : 0;
    default:
      env.stderr(`snowflake-trust-link: unknown command ${JSON.stringify(command)}: use link or status.\n`);
      return 2;
  }
}

main().then((code) => {
  process.exitCode = code;
});
