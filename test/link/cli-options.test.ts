import { describe, expect, it } from 'vitest';
import { parseCliOptions } from '../../scripts/link/cli-options';
import { UsageError } from '../../scripts/link/errors';

function optionsOf(argv: string[]) {
  const command = parseCliOptions(argv);
  if (command.help) throw new Error('expected options, got --help');
  return command.options;
}

describe('parseCliOptions', () => {
  it('reads standard input and keeps the old ids out when given nothing', () => {
    expect(optionsOf([])).toEqual({
      source: { kind: 'stdin' },
      type: undefined,
      stackName: undefined,
      configEnv: undefined,
      configFile: undefined,
      region: undefined,
      profile: undefined,
      dryRun: false,
      offline: false,
      keepOld: false,
      oldExternalIds: [],
      sam: { args: [], parameterOverrides: [] },
      parameters: { userArn: 'SnowflakeIamUserArn', externalId: 'SnowflakeExternalId' },
      roleOutput: undefined,
    });
  });

  it("takes a user template's parameter and output names", () => {
    const argv = [
      '--user-arn-parameter',
      'SfUser',
      '--external-id-parameter',
      'SfIds',
      '--role-output',
      'Role',
    ];

    expect(optionsOf(argv)).toMatchObject({
      parameters: { userArn: 'SfUser', externalId: 'SfIds' },
      roleOutput: 'Role',
    });
  });

  it.each([
    [
      ['--user-arn-parameter', 'Sf-User'],
      /--user-arn-parameter "Sf-User" is not a CloudFormation logical id/,
    ],
    [['--role-output', ''], /--role-output "" is not a CloudFormation logical id/],
    [
      ['--external-id-parameter', 'SnowflakeIamUserArn'],
      /cannot both be deployed as parameter SnowflakeIamUserArn/,
    ],
  ])('refuses the names %j', (argv, message) => {
    expect(() => parseCliOptions(argv)).toThrow(UsageError);
    expect(() => parseCliOptions(argv)).toThrow(message);
  });

  it('makes --offline a dry run that reads no stack', () => {
    expect(optionsOf(['--offline'])).toMatchObject({ dryRun: true, offline: true });
    expect(optionsOf(['--offline', '--keep-old', '--old-external-id', 'OLD_1'])).toMatchObject({
      keepOld: true,
      oldExternalIds: ['OLD_1'],
    });
  });

  it('passes what follows -- on to sam deploy, taking its parameter overrides apart', () => {
    const argv = [
      '--dry-run',
      '--',
      '--no-confirm-changeset',
      '--parameter-overrides',
      'A=1',
      'B="x y"',
      '--tags',
      'T=1',
    ];

    expect(optionsOf(argv)).toMatchObject({
      dryRun: true,
      sam: { args: ['--no-confirm-changeset', '--tags', 'T=1'], parameterOverrides: ['A=1', 'B="x y"'] },
    });
  });

  it('reads --parameter-overrides=VALUE after -- too', () => {
    expect(optionsOf(['--', '--parameter-overrides=A=1 B=2']).sam.parameterOverrides).toEqual(['A=1 B=2']);
  });

  it('does not take an option given after -- as its own', () => {
    expect(optionsOf(['--', '--dry-run']).dryRun).toBe(false);
  });

  it.each([
    [['--help'], true],
    [['-h', '--from', 'x'], true],
  ])('asks for help with %j', (argv, help) => {
    expect(parseCliOptions(argv).help).toBe(help);
  });

  it.each([
    [['--from', 'out.json'], { kind: 'file', path: 'out.json' }],
    [['--from', '-'], { kind: 'stdin' }],
    [['--integration', 'MY_INT'], { kind: 'snow', integration: 'MY_INT', connection: undefined }],
    [
      ['--integration', '"My Int"', '--connection', 'prod'],
      { kind: 'snow', integration: '"My Int"', connection: 'prod' },
    ],
  ])('takes the input from %j', (argv, source) => {
    expect(optionsOf(argv).source).toEqual(source);
  });

  it('passes the stack selection through as given', () => {
    const argv = [
      '--stack-name',
      'demo-1',
      '--config-env',
      'prod',
      '--config-file',
      'x.toml',
      '--region',
      'eu-west-1',
    ];

    expect(optionsOf([...argv, '--profile', 'ops', '--dry-run', '--type', 'storage'])).toMatchObject({
      stackName: 'demo-1',
      configEnv: 'prod',
      configFile: 'x.toml',
      region: 'eu-west-1',
      profile: 'ops',
      dryRun: true,
      type: 'storage',
    });
  });

  it('takes --old-external-id as a rotation that keeps those ids', () => {
    expect(
      optionsOf(['--old-external-id', 'A_SFCRole=1_a=', '--old-external-id', 'B_SFCRole=1_b=']),
    ).toMatchObject({
      keepOld: true,
      oldExternalIds: ['A_SFCRole=1_a=', 'B_SFCRole=1_b='],
    });
  });

  it.each([
    [['--bogus'], /^Unknown option '--bogus'\. Run npm run link -- --help/],
    [['positional'], /^Unexpected argument 'positional'/],
    [['--from'], /argument missing/],
    [['--stack-name', '--dry-run'], /argument is ambiguous/],
    [['--type', 'notification'], /--type must be api or storage/],
    [['--from', 'a', '--integration', 'B'], /either --from or --integration/],
    [['--connection', 'prod'], /--connection is for --integration/],
    [['--stack-name', '1stack'], /not a CloudFormation stack name/],
    [['--stack-name', 'my_stack'], /not a CloudFormation stack name/],
    [['--integration', "x' OR 1=1"], /not a Snowflake identifier/],
    [['--region', ' '], /--region needs a value/],
    [['--', '--stack-name', 'x'], /Give --stack-name before --/],
    [['--', '--config-env=prod'], /Give --config-env before --/],
    [['--', '--guided'], /--guided cannot be passed on/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliOptions(argv)).toThrow(UsageError);
    expect(() => parseCliOptions(argv)).toThrow(message);
  });
});
