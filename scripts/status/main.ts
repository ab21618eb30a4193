// The flow of `npm run status`: read the stack and its links, each linked role, and DESCRIBE INTEGRATION's
// values when given; assess; print the report; end with a code that says whether the link is in force.

import { readDescribeOutput } from '../link/describe-input';
import { LinkError, StackError } from '../link/errors';
import { integrationValues } from '../link/integration-values';
import type { LinkEnvironment } from '../link/main';
import { parseDescribe } from '../link/parse-describe';
import { readSamConfig } from '../link/samconfig-file';
import { allInForce, assessLinks } from './assess';
import { parseStatusOptions, STATUS_USAGE, type StatusOptions } from './cli-options';
import { LiveReader } from './live-state';
import { statusReport } from './report';

/** Where it runs, as the link script does: samconfig.toml in `cwd`, --from files from `userDir`. */
export type StatusEnvironment = LinkEnvironment;

/** Exit codes, as STATUS_USAGE lists them. */
export const STATUS_EXIT = { inForce: 0, failed: 1, drift: 3, notInForce: 4 } as const;

/** Runs the command line; resolves to the exit code. */
export async function runStatus(argv: readonly string[], env: StatusEnvironment): Promise<number> {
  try {
    const command = parseStatusOptions(argv);
    if (command.help) {
      env.stdout(STATUS_USAGE);
      return 0;
    }
    return await status(command.options, env);
  } catch (error) {
    if (error instanceof LinkError) {
      env.stderr(`status: ${error.message}\n`);
      return error.exitCode;
    }
    env.stderr(`status: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return STATUS_EXIT.failed;
  }
}

async function status(options: StatusOptions, env: StatusEnvironment): Promise<number> {
  const settings = readSamConfig(env.cwd, options.configFile, options.configEnv);
  const stackName = options.stackName ?? settings.stackName;
  if (stackName === undefined) {
    throw new StackError('No stack to read: give --stack-name, or set stack_name in samconfig.toml.');
  }
  // Snowflake's values are read and checked first: bad input fails before any AWS call.
  const snowflake =
    options.source === undefined
      ? undefined
      : integrationValues(parseDescribe(readDescribeOutput(options.source, env)).rows, options.type);
  const reader = new LiveReader({
    region: options.region ?? settings.region,
    profile: options.profile ?? settings.profile,
  });
  try {
    const { stack, links, flow } = await reader.stackLinks(stackName);
    const roles = await reader.roles(links);
    const findings = assessLinks({ stack, links, flow, roles, ...(snowflake ? { snowflake } : {}) });
    env.stdout(statusReport(stack, findings, snowflake && describedWith(options)));
    if (!allInForce(findings)) return STATUS_EXIT.notInForce;
    return findings.some((finding) => finding.problems.length > 0) ? STATUS_EXIT.drift : STATUS_EXIT.inForce;
  } finally {
    reader.destroy();
  }
}

function describedWith(options: StatusOptions): string {
  const source = options.source;
  if (source?.kind === 'snow') return `DESCRIBE INTEGRATION ${source.integration} (snow)`;
  return source?.kind === 'file'
    ? `DESCRIBE INTEGRATION output in ${source.path}`
    : 'DESCRIBE INTEGRATION output';
}
