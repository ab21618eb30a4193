import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeProject, FIXTURES, fixture } from './cli-harness';

const USER_ARN = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const OLD_ID = 'MYACCOUNT_SFCRole=2_OLDoldOLDold/x9+yz=';
const LINKED = [`SnowflakeIamUserArn="${USER_ARN}"`, `SnowflakeExternalId="${EXTERNAL_ID}"`];

const SAMCONFIG = `version = 0.1

[default.global.parameters]
stack_name = "trust-link-demo"

[default.deploy.parameters]
capabilities = "CAPABILITY_IAM"
region = "eu-west-1"
parameter_overrides = "Stage=\\"prod\\" SnowflakeIamUserArn=\\"\\" SnowflakeExternalId=\\"\\" AllowedPrefix=\\"https://a.example/x y\\""
`;

/** What `aws cloudformation describe-stacks --query Stacks[0].Parameters --output json` prints. */
function stackParameters(values: Record<string, string>): string {
  const list = Object.entries(values).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
  return `${JSON.stringify(list, null, 4)}\n`;
}

const MISSING_STACK =
  '\nAn error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id trust-link-demo does not exist\n';

/** What the person sees: one line, starting with "link:". */
function expectOneMessage(stderr: string, text: string | RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^link: /);
  expect(lines[0]).toMatch(text);
}

describe('npm run link, run as a process with fake sam, snow and aws on PATH', () => {
  it('prints usage for --help and runs nothing', () => {
    const project = new FakeProject({ sam: {} });

    const run = project.run(['--help']);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: npm run link -- [options]');
    expect(run.calls('sam')).toEqual([]);
  });

  it.each([
    ['api-snow.json'],
    ['api-snow-multi.json'],
    ['api-snowsql.txt'],
    ['api-snow-table.txt'],
    ['api-snowsight.csv'],
    ['api-quoted.json'],
  ])('deploys the pair found in %s with sam deploy', (name) => {
    const project = new FakeProject({ sam: {} });

    const run = project.run(['--from', join(FIXTURES, name), '--stack-name', 'trust-link-demo']);

    expect(run.stdout).toContain('link: stack trust-link-demo is linked.');
    expect(run.status).toBe(0);
    expect(run.calls('sam')).toEqual([
      ['deploy', '--stack-name', 'trust-link-demo', '--parameter-overrides', ...LINKED],
    ]);
  });

  it('links a storage integration with --type storage', () => {
    const project = new FakeProject({ sam: {} });

    const run = project.run(['--type', 'storage', '--stack-name', 'demo'], {
      input: fixture('storage-snowsql.txt'),
    });

    expect(run.status).toBe(0);
    expect(run.calls('sam')).toEqual([
      ['deploy', '--stack-name', 'demo', '--parameter-overrides', ...LINKED],
    ]);
  });

  it('reads a relative --from path from the directory npm was run in', () => {
    const project = new FakeProject({ sam: {} });

    const run = project.run(['--from', 'api-snow.json', '--stack-name', 'demo'], {
      env: { INIT_CWD: FIXTURES },
    });

    expect(run.status).toBe(0);
    expect(run.calls('sam')).toHaveLength(1);
  });

  it('keeps samconfig parameter_overrides and its stack, replacing only the two linked values', () => {
    const project = new FakeProject({ sam: {} });
    project.write('samconfig.toml', SAMCONFIG);

    const run = project.run([], { input: fixture('api-snow.json') });

    expect(run.status).toBe(0);
    expect(run.calls('sam')).toEqual([
      ['deploy', '--parameter-overrides', 'Stage="prod"', 'AllowedPrefix="https://a.example/x y"', ...LINKED],
    ]);
  });

  it('passes --config-env, --config-file, --region and --profile on to sam and reads that environment', () => {
    const project = new FakeProject({ sam: {} });
    project.write(
      'other.toml',
      '[staging.deploy.parameters]\nstack_name = "demo-staging"\nparameter_overrides = ["Stage=staging"]\n',
    );

    const run = project.run(
      ['--config-env', 'staging', '--config-file', 'other.toml', '--region', 'us-east-2', '--profile', 'ops'],
      { input: fixture('api-snow.json'), env: { INIT_CWD: project.dir } },
    );

    expect(run.status).toBe(0);
    expect(run.calls('sam')).toEqual([
      [
        'deploy',
        '--config-env',
        'staging',
        '--config-file',
        join(project.dir, 'other.toml'),
        '--region',
        'us-east-2',
        '--profile',
        'ops',
        '--parameter-overrides',
        'Stage=staging',
        ...LINKED,
      ],
    ]);
  });

  it('passes sam options given after -- on, and their parameter overrides below the linked pair', () => {
    const project = new FakeProject({ sam: {} });
    project.write('samconfig.toml', SAMCONFIG);

    const run = project.run(
      ['--', '--no-confirm-changeset', '--parameter-overrides', 'Stage=dev', 'SnowflakeExternalId=x'],
      {
        input: fixture('api-snow.json'),
      },
    );

    expect(run.status).toBe(0);
    expect(run.calls('sam')).toEqual([
      [
        'deploy',
        '--no-confirm-changeset',
        '--parameter-overrides',
        'Stage="prod"',
        'AllowedPrefix="https://a.example/x y"',
        'Stage=dev',
        ...LINKED,
      ],
    ]);
  });

  it('runs snow for --integration and deploys what it printed', () => {
    const project = new FakeProject({ sam: {}, snow: { stdout: fixture('api-snow.json') } });

    const run = project.run(['--integration', 'MY_API_INT', '--connection', 'prod', '--stack-name', 'demo']);

    expect(run.status).toBe(0);
    expect(run.calls('snow')).toEqual([
      ['sql', '-q', 'DESC INTEGRATION MY_API_INT', '--format', 'json', '-c', 'prod'],
    ]);
    expect(run.calls('sam')).toEqual([
      ['deploy', '--stack-name', 'demo', '--parameter-overrides', ...LINKED],
    ]);
  });

  it('refuses an --integration name that would change the query, without running snow', () => {
    const project = new FakeProject({ sam: {}, snow: { stdout: fixture('api-snow.json') } });

    const run = project.run(['--integration', 'x; DROP INTEGRATION y', '--stack-name', 'demo']);

    expect(run.status).toBe(2);
    expectOneMessage(run.stderr, /is not a Snowflake identifier/);
    expect(run.calls('snow')).toEqual([]);
    expect(run.calls('sam')).toEqual([]);
  });

  it('prints the command for --dry-run, quoted so that sh gives sam the same arguments', () => {
    const project = new FakeProject({ sam: {} });
    project.write('samconfig.toml', SAMCONFIG);

    const dry = project.run(['--dry-run'], { input: fixture('api-snowsql.txt') });
    const dryCalls = dry.calls('sam');
    const pasted = project.shell(dry.stdout);
    const real = project.run([], { input: fixture('api-snowsql.txt') });

    expect(dry.status).toBe(0);
    expect(dryCalls).toEqual([]);
    expect(dry.stdout).toBe(
      `sam deploy --parameter-overrides 'Stage="prod"' 'AllowedPrefix="https://a.example/x y"' 'SnowflakeIamUserArn="${USER_ARN}"' 'SnowflakeExternalId="${EXTERNAL_ID}"'\n`,
    );
    expect(pasted('sam')).toEqual(real.calls('sam'));
    expect(real.calls('sam')).toHaveLength(1);
  });

  it('links the new id and keeps the deployed one with --keep-old, asking aws with samconfig stack and region', () => {
    const deployed = {
      SnowflakeIamUserArn: USER_ARN,
      SnowflakeExternalId: `${OLD_ID},${EXTERNAL_ID}`,
      Stage: 'prod',
    };
    const project = new FakeProject({ sam: {}, aws: { stdout: stackParameters(deployed) } });
    project.write('samconfig.toml', SAMCONFIG);

    const run = project.run(['--keep-old'], { input: fixture('api-snow.json') });

    expect(run.status).toBe(0);
    expect(run.calls('aws')).toEqual([
      [
        'cloudformation',
        'describe-stacks',
        '--stack-name',
        'trust-link-demo',
        '--query',
        'Stacks[0].Parameters',
        '--output',
        'json',
        '--region',
        'eu-west-1',
      ],
    ]);
    expect(run.stderr).toBe('');
    expect(run.pagers('aws')).toEqual(['']);
    expect(run.calls('sam')[0]?.at(-1)).toBe(`SnowflakeExternalId="${EXTERNAL_ID},${OLD_ID}"`);
  });

  it('links the new id alone with --keep-old when the stack has none yet', () => {
    const deployed = { SnowflakeIamUserArn: '', SnowflakeExternalId: '' };
    const project = new FakeProject({ sam: {}, aws: { stdout: stackParameters(deployed) } });

    const run = project.run(['--keep-old', '--stack-name', 'demo'], { input: fixture('api-snow.json') });

    expect(run.status).toBe(0);
    expect(run.stderr).toContain('has no external id yet');
    expect(run.calls('sam')[0]?.at(-1)).toBe(`SnowflakeExternalId="${EXTERNAL_ID}"`);
  });

  it('notes that ids kept for another IAM user will not let that user in', () => {
    const deployed = {
      SnowflakeIamUserArn: 'arn:aws:iam::999999999999:user/other',
      SnowflakeExternalId: OLD_ID,
    };
    const project = new FakeProject({ sam: {}, aws: { stdout: stackParameters(deployed) } });

    const run = project.run(['--keep-old', '--stack-name', 'demo'], { input: fixture('api-snow.json') });

    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(
      /now trusts arn:aws:iam::999999999999:user\/other; the ids kept belong to that IAM user/,
    );
    expect(run.calls('sam')[0]?.at(-1)).toBe(`SnowflakeExternalId="${EXTERNAL_ID},${OLD_ID}"`);
  });

  it('keeps the ids given with --old-external-id without asking aws, dropping repeats', () => {
    const project = new FakeProject({ sam: {}, aws: {} });

    const run = project.run(
      ['--stack-name', 'demo', '--old-external-id', `${OLD_ID}, ${EXTERNAL_ID}`, '--old-external-id', OLD_ID],
      { input: fixture('api-snow.json') },
    );

    expect(run.status).toBe(0);
    expect(run.calls('aws')).toEqual([]);
    expect(run.calls('sam')[0]?.at(-1)).toBe(`SnowflakeExternalId="${EXTERNAL_ID},${OLD_ID}"`);
  });

  it('refuses --keep-old when the stack is not deployed', () => {
    const project = new FakeProject({ sam: {}, aws: { stderr: MISSING_STACK, exitCode: 254 } });
    project.write('samconfig.toml', SAMCONFIG);

    const run = project.run(['--keep-old'], { input: fixture('api-snow.json') });

    expect(run.status).toBe(1);
    expectOneMessage(run.stderr, /stack trust-link-demo is not deployed/);
    expect(run.calls('sam')).toEqual([]);
  });

  it('reports aws failing for another reason in its own words', () => {
    const project = new FakeProject({
      sam: {},
      aws: {
        stderr: '\nUnable to locate credentials. You can configure credentials by running "aws configure".\n',
        exitCode: 253,
      },
    });

    const run = project.run(['--keep-old', '--stack-name', 'demo'], { input: fixture('api-snow.json') });

    expect(run.status).toBe(1);
    expectOneMessage(run.stderr, /describe-stacks failed \(exit 253\): Unable to locate credentials/);
    expect(run.calls('sam')).toEqual([]);
  });

  it.each([
    ['sam', [], {}],
    ['snow', ['--integration', 'MY_INT'], { sam: {} }],
    ['aws', ['--keep-old'], { sam: {} }],
  ] as const)('says so when %s is not on PATH', (tool, args, tools) => {
    const project = new FakeProject(tools);

    const run = project.run([...args, '--stack-name', 'demo'], { input: fixture('api-snow.json') });

    expect(run.status).toBe(1);
    expectOneMessage(run.stderr, `link: ${tool} is not on PATH`);
  });

  it('fails with sam when sam deploy exits non-zero', () => {
    const project = new FakeProject({ sam: { exitCode: 3, stderr: 'Error: Failed to create changeset\n' } });

    const run = project.run(['--stack-name', 'demo'], { input: fixture('api-snow.json') });

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('link: sam deploy failed (exit 3)');
  });

  it('fails with snow when snow exits non-zero', () => {
    const project = new FakeProject({
      sam: {},
      snow: { stderr: 'Error: Integration MY_INT does not exist\n', exitCode: 1 },
    });

    const run = project.run(['--integration', 'MY_INT', '--stack-name', 'demo']);

    expect(run.status).toBe(1);
    expectOneMessage(run.stderr, /snow sql failed \(exit 1\): Error: Integration MY_INT does not exist/);
    expect(run.calls('sam')).toEqual([]);
  });

  it.each([
    ['empty output', '', /is empty/],
    ['the seed with its 13-digit account', fixture('seed-snowsql.txt'), /an AWS account id has 12 digits/],
    ['a table cut in half', fixture('api-snowsql-cut.txt'), /cut off at the bottom/],
    ['a table missing its top', fixture('api-snowsql-cut-top.txt'), /cut off at the top/],
    [
      'a notification integration',
      fixture('notification-snow.json'),
      /neither an API nor a storage integration/,
    ],
    ['an Azure API integration', fixture('azure-api-snow.json'), /not AWS/],
  ])('refuses %s with one message and deploys nothing', (_case, input, message) => {
    const project = new FakeProject({ sam: {} });

    const run = project.run(['--stack-name', 'demo'], { input });

    expect(run.status).toBe(1);
    expectOneMessage(run.stderr, message);
    expect(run.calls('sam')).toEqual([]);
  });

  it.each([
    [['--frm', 'x.json'], /Unknown option '--frm'/],
    [['--type', 'notification'], /--type must be api or storage/],
    [['--stack-name'], /argument missing/],
    [['stray'], /Unexpected argument 'stray'/],
  ])('refuses the command line %j with exit 2', (args, message) => {
    const project = new FakeProject({ sam: {} });

    const run = project.run(args, { input: fixture('api-snow.json') });

    expect(run.status).toBe(2);
    expectOneMessage(run.stderr, message);
    expect(run.calls('sam')).toEqual([]);
  });

  it('refuses to deploy without a stack name from the options or samconfig', () => {
    const project = new FakeProject({ sam: {} });

    const run = project.run([], { input: fixture('api-snow.json') });

    expect(run.status).toBe(1);
    expectOneMessage(run.stderr, /No stack name/);
    expect(run.calls('sam')).toEqual([]);
  });
});
