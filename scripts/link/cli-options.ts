// The command line of `npm run link`, parsed once into typed options. Everything that can be
// checked without reading input or running a tool is checked here.

import { parseArgs } from 'node:util';
import { UsageError } from './errors';
import { DEFAULT_PARAMETERS, type ParameterNames } from './link-contract';
import { type SamPassthrough, samPassthrough } from './sam-passthrough';
import { integrationNameProblem } from './snow-describe';

/** Which kind of Snowflake integration the values come from. */
export type IntegrationKind = 'api' | 'storage';

/** Where the DESCRIBE INTEGRATION output comes from. */
export type DescribeSource =
  | { readonly kind: 'stdin' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'snow'; readonly integration: string; readonly connection?: string };

/** What sam is told about the stack; each is passed on only when given. */
export interface StackSelection {
  readonly templateFile?: string;
  readonly stackName?: string;
  readonly configEnv?: string;
  readonly configFile?: string;
  readonly region?: string;
  readonly profile?: string;
}

export interface LinkOptions extends StackSelection {
  readonly source: DescribeSource;
  readonly type?: IntegrationKind;
  readonly dryRun: boolean;
  /** Check without AWS: no stack read, so no credentials needed; implies dryRun. */
  readonly offline: boolean;
  /** Keep the external ids the stack has now next to the new one (a rotation). */
  readonly keepOld: boolean;
  /** Old ids given on the command line; when empty with keepOld, they are read from the stack. */
  readonly oldExternalIds: readonly string[];
  /** What was given for sam deploy after `--`. */
  readonly sam: SamPassthrough;
  /** The template parameters the two values are deployed as. */
  readonly parameters: ParameterNames;
  /** The output holding the ARN of the role the link edits, when the template's link does not tell it. */
  readonly roleOutput?: string;
}

export type LinkCommand = { readonly help: true } | { readonly help: false; readonly options: LinkOptions };

export const USAGE = `Usage: npm run link -- [options] [-- sam deploy options]
   or: npx snowflake-trust-link link [options] [-- sam deploy options]

Reads Snowflake's DESCRIBE INTEGRATION output, checks API_AWS_IAM_USER_ARN and API_AWS_EXTERNAL_ID
(or the STORAGE_AWS_ pair), and runs sam deploy with them as SnowflakeIamUserArn and SnowflakeExternalId
(or the parameters named below). Before sam runs, it reads the stack (CloudFormation DescribeStacks) and
refuses to deploy unless the template holds a Custom::SnowflakeTrustLink fed by those parameters and the
stack links the role the integration names (API_AWS_ROLE_ARN or STORAGE_AWS_ROLE_ARN). After sam, it reads
the stack back: linked means SnowflakeTrustLinkStatus is "in force" for these values (a template without
that output: the stack settled, its two parameters holding these values).

Input (one of; standard input when neither is given):
  --from FILE              a file with the output: snow ... --format json, SnowSQL's table, or Snowsight's CSV
                           ("-" reads standard input)
  --integration NAME       run: snow sql -q "DESC INTEGRATION NAME" --format json
  --connection NAME        the snow connection to use with --integration (-c)
  --type api|storage       refuse the output unless it is of this kind of integration

Stack (passed on to sam deploy; samconfig.toml gives the rest):
  --stack-name NAME        an API integration: default stack_name in samconfig;
                           a storage integration: default snowflake-stage (or stack_name of --config-env)
  --template-file FILE     the template to deploy; an API integration: default sam's own (template.yaml),
                           a storage integration: default examples/storage-integration.yaml
  --config-env ENV         the samconfig environment (default: "default"); it must exist
  --config-file FILE       another samconfig file (default: samconfig.toml, .yaml or .yml)
  --region REGION          passed on to sam, and where the stack is read
  --profile PROFILE        passed on to sam, and the credentials the stack is read with

Your own template (any with a Custom::SnowflakeTrustLink fed by two parameters; docs/link-script.md):
  --user-arn-parameter NAME
                           the parameter its SnowflakeIamUserArn comes from (default SnowflakeIamUserArn)
  --external-id-parameter NAME
                           the parameter its SnowflakeExternalId comes from (default SnowflakeExternalId)
  --role-output NAME       the output holding the ARN of the role it links (default: the output whose
                           value is the link's RoleArn, or the parameter or ARN RoleArn is written as)

Rotation:
  --keep-old               link the new external id and keep the ones the deployed stack has
  --old-external-id ID     the old id(s) to keep instead of asking the stack (repeatable; implies --keep-old)

  --dry-run                check everything, then print the sam deploy command instead of running it
  --offline                as --dry-run, without AWS: checks the DESCRIBE output, samconfig and the
                           template, but not the stack (no credentials needed)
  -h, --help               print this help

After --, options for sam deploy itself (e.g. --no-confirm-changeset); pairs given there with
--parameter-overrides join samconfig's parameter_overrides.

Exit codes:
  0  linked: the stack is *_COMPLETE and SnowflakeTrustLinkStatus (or its parameters) say these values
     (also --help, and --dry-run or --offline once every check passed)
  1  refused or failed before the link was in force: bad input, samconfig, the wrong stack or template,
     AWS credentials or region, snow or sam failing (sam's own output says why)
  2  the command line is wrong
  3  sam deploy executed no change set (declined at its prompt, or --no-execute-changeset): nothing changed
  4  sam deploy ran, but the stack read back does not show the link in force (e.g. rolled back)
`;

const CLI_OPTIONS = {
  from: { type: 'string' },
  integration: { type: 'string' },
  connection: { type: 'string' },
  type: { type: 'string' },
  'stack-name': { type: 'string' },
  'template-file': { type: 'string' },
  'config-env': { type: 'string' },
  'config-file': { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'user-arn-parameter': { type: 'string' },
  'external-id-parameter': { type: 'string' },
  'role-output': { type: 'string' },
  'keep-old': { type: 'boolean', default: false },
  'old-external-id': { type: 'string', multiple: true, default: [] as string[] },
  'dry-run': { type: 'boolean', default: false },
  offline: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

// CloudFormation's rule for stack names.
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
// A parameter's or output's logical id: alphanumeric, at most 255 characters.
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;

/** Parses the arguments after `npm run link --`; throws UsageError on anything it cannot use. */
export function parseCliOptions(argv: readonly string[]): LinkCommand {
  const split = argv.indexOf('--');
  const { values } = parseStrict(split < 0 ? argv : argv.slice(0, split));
  if (values.help) return { help: true };
  const stackName = values['stack-name'];
  if (stackName !== undefined && !STACK_NAME.test(stackName)) {
    throw new UsageError(
      `--stack-name ${JSON.stringify(stackName)} is not a CloudFormation stack name: a letter, then letters, digits and -.`,
    );
  }
  const oldExternalIds = values['old-external-id'];
  if (values.offline && values['keep-old'] && oldExternalIds.length === 0) {
    throw new UsageError(
      '--keep-old reads the ids to keep from the stack, which --offline does not read: give them with --old-external-id.',
    );
  }
  return {
    help: false,
    options: {
      source: describeSource(values.from, values.integration, values.connection),
      type: integrationKind(values.type),
      stackName,
      templateFile: nonEmpty('--template-file', values['template-file']),
      configEnv: nonEmpty('--config-env', values['config-env']),
      configFile: nonEmpty('--config-file', values['config-file']),
      region: nonEmpty('--region', values.region),
      profile: nonEmpty('--profile', values.profile),
      dryRun: values['dry-run'] || values.offline,
      offline: values.offline,
      keepOld: values['keep-old'] || oldExternalIds.length > 0,
      oldExternalIds,
      sam: samPassthrough(split < 0 ? [] : argv.slice(split + 1)),
      parameters: parameterNames(values['user-arn-parameter'], values['external-id-parameter']),
      roleOutput: logicalId('--role-output', values['role-output']),
    },
  };
}

function parameterNames(userArn?: string, externalId?: string): ParameterNames {
  const names = {
    userArn: logicalId('--user-arn-parameter', userArn) ?? DEFAULT_PARAMETERS.userArn,
    externalId: logicalId('--external-id-parameter', externalId) ?? DEFAULT_PARAMETERS.externalId,
  };
  if (names.userArn === names.externalId) {
    throw new UsageError(
      `The user ARN and the external id cannot both be deployed as parameter ${names.userArn}.`,
    );
  }
  return names;
}

function logicalId(option: string, value?: string): string | undefined {
  if (value === undefined || LOGICAL_ID.test(value)) return value;
  throw new UsageError(
    `${option} ${JSON.stringify(value)} is not a CloudFormation logical id: letters and digits only.`,
  );
}

function parseStrict(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: CLI_OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    // Node's messages go on with advice about positionals that does not apply here: keep the first sentence.
    const first = (error instanceof Error ? error.message : String(error)).split(/\.\s|\n/)[0];
    throw new UsageError(`${first}. Run npm run link -- --help for the options.`, { cause: error });
  }
}

/** Where DESCRIBE's output comes from: --from (a file, or - for standard input), --integration, else standard input. */
export function describeSource(from?: string, integration?: string, connection?: string): DescribeSource {
  if (from !== undefined && integration !== undefined) {
    throw new UsageError('Give either --from or --integration, not both.');
  }
  if (connection !== undefined && integration === undefined) {
    throw new UsageError('--connection is for --integration: give the integration to describe too.');
  }
  if (integration !== undefined) {
    const problem = integrationNameProblem(integration);
    if (problem) throw new UsageError(problem);
    return { kind: 'snow', integration, connection: nonEmpty('--connection', connection) };
  }
  if (from === undefined || from === '-') return { kind: 'stdin' };
  return { kind: 'file', path: nonEmpty('--from', from) ?? from };
}

/** --type, checked. */
export function integrationKind(type?: string): IntegrationKind | undefined {
  if (type === undefined || type === 'api' || type === 'storage') return type;
  throw new UsageError(`--type must be api or storage, not ${JSON.stringify(type)}.`);
}

function nonEmpty(option: string, value?: string): string | undefined {
  if (value === undefined || value.trim() !== '') return value;
  throw new UsageError(`${option} needs a value.`);
}
