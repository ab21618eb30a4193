// The command line of `npm run status`, parsed once into typed options.

import { parseArgs } from 'node:util';
import {
  type DescribeSource,
  describeSource,
  type IntegrationKind,
  integrationKind,
} from '../link/cli-options';
import { UsageError } from '../link/errors';

export interface StatusOptions {
  readonly stackName?: string;
  readonly configEnv?: string;
  readonly configFile?: string;
  readonly region?: string;
  readonly profile?: string;
  /** Where DESCRIBE INTEGRATION's output comes from, when Snowflake's side is to be compared too. */
  readonly source?: DescribeSource;
  readonly type?: IntegrationKind;
}

export type StatusCommand =
  | { readonly help: true }
  | { readonly help: false; readonly options: StatusOptions };

export const STATUS_USAGE = `Usage: npm run status -- [options]

Reads, live and read-only, a stack's Custom::SnowflakeTrustLink resources, the trust policy and ownership
records of each role they link, and (given DESCRIBE INTEGRATION's output) whether Snowflake's current
IAM user and external id are the ones trusted. Reports drift and old external ids still trusted, each with
the command that repairs it. Needs cloudformation:DescribeStacks, cloudformation:ListStackResources and
iam:GetRole; changes nothing.

  --stack-name NAME        the stack (default: stack_name in samconfig.toml)
  --config-env ENV         the samconfig environment (default: "default")
  --config-file FILE       another samconfig file
  --region REGION          where the stack is
  --profile PROFILE        the credentials to read with
  --from FILE              DESCRIBE INTEGRATION output to compare with ("-" reads standard input)
  --integration NAME       run: snow sql -q "DESC INTEGRATION NAME" --format json
  --connection NAME        the snow connection to use with --integration
  --type api|storage       refuse the output unless it is of this kind of integration
  -h, --help               print this help

Exit codes:
  0  every link is in force and the role holds what the stack wrote
  1  the stack or a role could not be read, or the input is bad
  2  the command line is wrong
  3  every link is in force, with drift to repair (listed)
  4  a link is not in force: Snowflake's calls fail (or the stack holds no link)
`;

const OPTIONS = {
  'stack-name': { type: 'string' },
  'config-env': { type: 'string' },
  'config-file': { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  from: { type: 'string' },
  integration: { type: 'string' },
  connection: { type: 'string' },
  type: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Parses the arguments after `npm run status --`; throws UsageError on anything it cannot use. */
export function parseStatusOptions(argv: readonly string[]): StatusCommand {
  const values = parseStrict(argv);
  if (values.help) return { help: true };
  const type = integrationKind(values.type);
  // Standard input only when asked for (--from -): without --from or --integration, nothing is compared.
  const given =
    values.from !== undefined || values.integration !== undefined || values.connection !== undefined;
  const source = given ? describeSource(values.from, values.integration, values.connection) : undefined;
  return {
    help: false,
    options: {
      stackName: values['stack-name'],
      configEnv: values['config-env'],
      configFile: values['config-file'],
      region: values.region,
      profile: values.profile,
      ...(source ? { source } : {}),
      ...(type ? { type } : {}),
    },
  };
}

function parseStrict(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split(/\.\s|\n/)[0];
    throw new UsageError(`${first}. Run npm run status -- --help for the options.`, { cause: error });
  }
}
