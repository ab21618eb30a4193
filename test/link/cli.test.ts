import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FakeProject,
  type FakeTool,
  FIXTURE_ROLE_ARN,
  FIXTURES,
  fixture,
  PROJECT_ROOT,
  type ToolName,
} from './cli-harness';
import { DescribeStacksServer, type FakeStackState } from './describe-stacks-server';

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

/** The samconfig.toml the project ships: the gateway stack, confirm before deploying. */
const SHIPPED_SAMCONFIG = `version = 0.1

[default.global.parameters]
stack_name = "snowflake-trust-link"

[default.deploy.parameters]
capabilities = "CAPABILITY_IAM"
resolve_s3 = true
confirm_changeset = true
fail_on_empty_changeset = false
`;

type Template = 'gateway' | 'storage';
const ROLE_OUTPUT: Record<Template, string> = { gateway: 'ApiAwsRoleArn', storage: 'StorageAwsRoleArn' };

/** A stack deployed from one of the templates, its link not made yet. */
function pendingStack(template: Template, roleArn = FIXTURE_ROLE_ARN): FakeStackState {
  return {
    status: 'CREATE_COMPLETE',
    parameters: { SnowflakeIamUserArn: '', SnowflakeExternalId: '', Stage: 'prod' },
    outputs: {
      [ROLE_OUTPUT[template]]: roleArn,
      SnowflakeTrustLinkStatus: 'pending: run the SQL output in Snowflake, then deploy again',
    },
  };
}

/** The same stack after a deploy that linked these values. */
function linkedStack(
  template: Template,
  ids: readonly string[] = [EXTERNAL_ID],
  userArn = USER_ARN,
): FakeStackState {
  return {
    status: 'UPDATE_COMPLETE',
    lastUpdated: '2026-02-02T10:00:00.000Z',
    parameters: { SnowflakeIamUserArn: userArn, SnowflakeExternalId: ids.join(','), Stage: 'prod' },
    outputs: {
      [ROLE_OUTPUT[template]]: FIXTURE_ROLE_ARN,
      SnowflakeTrustLinkStatus: `in force: ${userArn} may assume myrole with external id(s) ${ids.join(',')}`,
    },
  };
}

/** What the person sees: one line, starting with "link:". */
function expectOneMessage(stderr: string, text: string | RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^link: /);
  expect(lines[0]).toMatch(text);
}

let cloudformation: DescribeStacksServer;

beforeAll(async () => {
  cloudformation = await DescribeStacksServer.start();
});

afterAll(() => cloudformation.close());

beforeEach(() => {
  cloudformation.reset();
});

function project(tools: Partial<Record<ToolName, FakeTool>>): FakeProject {
  return new FakeProject(tools, cloudformation.url);
}

describe('npm run link, run as a process with fake sam and snow on PATH', () => {
  it('prints usage for --help and runs nothing', async () => {
    const linker = project({ sam: {} });

    const run = await linker.run(['--help']);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: npm run link -- [options]');
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*3 {2}/);
    expect(run.calls('sam')).toEqual([]);
  });

  it.each([
    ['api-snow.json'],
    ['api-snow-multi.json'],
    ['api-snowsql.txt'],
    ['api-snow-table.txt'],
    ['api-snowsight.csv'],
    ['api-quoted.json'],
  ])('deploys the pair found in %s with sam deploy', async (name) => {
    cloudformation.stack('trust-link-demo', pendingStack('gateway'), linkedStack('gateway'));
    const linker = project({ sam: {} });

    const run = await linker.run(['--from', join(FIXTURES, name), '--stack-name', 'trust-link-demo']);

    expect(run.stdout).toContain(
      'link: stack trust-link-demo is linked. SnowflakeTrustLinkStatus: in force:',
    );
    expect(run.status).toBe(0);
    expect(run.calls('sam')).toEqual([
      ['deploy', '--stack-name', 'trust-link-demo', '--parameter-overrides', ...LINKED],
    ]);
  });

  it('reads a relative --from path from the directory npm was run in', async () => {
    cloudformation.stack('demo', pendingStack('gateway'), linkedStack('gateway'));
    const linker = project({ sam: {} });

    const run = await linker.run(['--from', 'api-snow.json', '--stack-name', 'demo'], {
      env: { INIT_CWD: FIXTURES },
    });

    expect(run.status).toBe(0);
    expect(run.calls('sam')).toHaveLength(1);
  });

  it('keeps samconfig parameter_overrides and its stack, replacing only the two linked values', async () => {
    cloudformation.stack('trust-link-demo', pendingStack('gateway'), linkedStack('gateway'));
    const linker = project({ sam: {} });
    linker.write('samconfig.toml', SAMCONFIG);

    const run = await linker.run([], { input: fixture('api-snow.json') });

    expect(run.status).toBe(0);
    expect(cloudformation.described).toEqual(['trust-link-demo', 'trust-link-demo']);
    expect(run.calls('sam')).toEqual([
      ['deploy', '--parameter-overrides', 'Stage="prod"', 'AllowedPrefix="https://a.example/x y"', ...LINKED],
    ]);
  });

  it('passes --config-env, --config-file, --region and --profile on to sam and reads that environment', async () => {
    cloudformation.stack('demo-staging', pendingStack('gateway'), linkedStack('gateway'));
    const linker = project({ sam: {} });
    linker.write(
      'other.toml',
      '[staging.deploy.parameters]\nstack_name = "demo-staging"\nparameter_overrides = ["Stage=staging"]\n',
    );
    // The profile must exist for the SDK to use it: one with static keys, as aws configure writes.
    linker.write(
      'credentials',
      '[ops]\naws_access_key_id = AKIAOPSOPSOPSOPSOPS1\naws_secret_access_key = x\n',
    );

    const run = await linker.run(
      ['--config-env', 'staging', '--config-file', 'other.toml', '--region', 'us-east-2', '--profile', 'ops'],
      {
        input: fixture('api-snow.json'),
        env: {
          INIT_CWD: linker.dir,
          AWS_SHARED_CREDENTIALS_FILE: join(linker.dir, 'credentials'),
          AWS_ACCESS_KEY_ID: undefined,
          AWS_SECRET_ACCESS_KEY: undefined,
        },
      },
    );

    expect(run.status).toBe(0);
    expect(run.calls('sam')).toEqual([
      [
        'deploy',
        '--config-env',
        'staging',
        '--config-file',
        join(linker.dir, 'other.toml'),
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

  it('passes sam options given after -- on, and their parameter overrides below the linked pair', async () => {
    cloudformation.stack('trust-link-demo', pendingStack('gateway'), linkedStack('gateway'));
    const linker = project({ sam: {} });
    linker.write('samconfig.toml', SAMCONFIG);

    const run = await linker.run(
      ['--', '--no-confirm-changeset', '--parameter-overrides', 'Stage=dev', 'SnowflakeExternalId=x'],
      { input: fixture('api-snow.json') },
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

  it('runs snow for --integration and deploys what it printed', async () => {
    cloudformation.stack('demo', pendingStack('gateway'), linkedStack('gateway'));
    const linker = project({ sam: {}, snow: { stdout: fixture('api-snow.json') } });

    const run = await linker.run([
      '--integration',
      'MY_API_INT',
      '--connection',
      'prod',
      '--stack-name',
      'demo',
    ]);

    expect(run.status).toBe(0);
    expect(run.calls('snow')).toEqual([
      ['sql', '-q', 'DESC INTEGRATION MY_API_INT', '--format', 'json', '-c', 'prod'],
    ]);
    expect(run.calls('sam')).toEqual([
      ['deploy', '--stack-name', 'demo', '--parameter-overrides', ...LINKED],
    ]);
  });

  it('refuses an --integration name that would change the query, without running snow', async () => {
    const linker = project({ sam: {}, snow: { stdout: fixture('api-snow.json') } });

    const run = await linker.run(['--integration', 'x; DROP INTEGRATION y', '--stack-name', 'demo']);

    expect(run.status).toBe(2);
    expectOneMessage(run.stderr, /is not a Snowflake identifier/);
    expect(run.calls('snow')).toEqual([]);
    expect(run.calls('sam')).toEqual([]);
  });

  it('prints the command for --dry-run after checking the stack, quoted so that sh gives sam the same arguments', async () => {
    const linker = project({ sam: {} });
    linker.write('samconfig.toml', SAMCONFIG);

    cloudformation.stack('trust-link-demo', pendingStack('gateway'));
    const dry = await linker.run(['--dry-run'], { input: fixture('api-snowsql.txt') });
    const dryCalls = dry.calls('sam');
    const pasted = linker.shell(dry.stdout);
    cloudformation.stack('trust-link-demo', pendingStack('gateway'), linkedStack('gateway'));
    const real = await linker.run([], { input: fixture('api-snowsql.txt') });

    expect(dry.status).toBe(0);
    expect(dryCalls).toEqual([]);
    expect(dry.stdout).toBe(
      `sam deploy --parameter-overrides 'Stage="prod"' 'AllowedPrefix="https://a.example/x y"' 'SnowflakeIamUserArn="${USER_ARN}"' 'SnowflakeExternalId="${EXTERNAL_ID}"'\n`,
    );
    expect(pasted('sam')).toEqual(real.calls('sam'));
    expect(real.calls('sam')).toHaveLength(1);
  });

  describe('where it deploys', () => {
    it('refuses storage values against the gateway stack before sam runs, naming both stacks', async () => {
      cloudformation.stack('snowflake-trust-link', pendingStack('gateway'));
      const linker = project({ sam: {} });
      linker.write('samconfig.toml', SHIPPED_SAMCONFIG);

      const run = await linker.run(['--type', 'storage', '--stack-name', 'snowflake-trust-link'], {
        input: fixture('storage-snowsql.txt'),
      });

      expect(run.status).toBe(1);
      expectOneMessage(
        run.stderr,
        "link: Stack snowflake-trust-link is the gateway stack (it has output ApiAwsRoleArn), not the storage example's stack.",
      );
      expect(run.calls('sam')).toEqual([]);
    });

    it("links the storage stack with its own template, not samconfig's gateway stack", async () => {
      cloudformation.stack('snowflake-stage', pendingStack('storage'), linkedStack('storage'));
      const linker = project({ sam: {} });
      linker.write('samconfig.toml', SHIPPED_SAMCONFIG);

      const run = await linker.run(['--type', 'storage'], { input: fixture('storage-snowsql.txt') });

      expect(run.status).toBe(0);
      expect(cloudformation.described).toEqual(['snowflake-stage', 'snowflake-stage']);
      expect(run.calls('sam')).toEqual([
        [
          'deploy',
          '--template-file',
          'examples/storage-integration.yaml',
          '--stack-name',
          'snowflake-stage',
          '--parameter-overrides',
          ...LINKED,
        ],
      ]);
      expect(run.stdout).toContain('link: stack snowflake-stage is linked.');
    });

    it("takes the storage stack and its parameter_overrides from examples/samconfig.toml, never from the root's", async () => {
      cloudformation.stack('my-stage', pendingStack('storage'), linkedStack('storage'));
      const linker = project({ sam: {} });
      linker.write('samconfig.toml', `${SHIPPED_SAMCONFIG}parameter_overrides = "ApiEndpointType=PRIVATE"\n`);
      linker.write(
        'examples/samconfig.toml',
        '[default.global.parameters]\nstack_name = "my-stage"\n[default.deploy.parameters]\nparameter_overrides = "StagePrefix=data/"\n',
      );

      const run = await linker.run(['--type', 'storage'], { input: fixture('storage-snowsql.txt') });

      expect(run.status).toBe(0);
      expect(cloudformation.described).toEqual(['my-stage', 'my-stage']);
      expect(run.calls('sam')).toEqual([
        [
          'deploy',
          '--template-file',
          'examples/storage-integration.yaml',
          '--stack-name',
          'my-stage',
          '--parameter-overrides',
          'StagePrefix=data/',
          ...LINKED,
        ],
      ]);
      expect(JSON.stringify(run.calls('sam'))).not.toContain('ApiEndpointType');
    });

    it('refuses a --config-env that examples/samconfig.toml lacks, even when the root samconfig has it', async () => {
      cloudformation.stack('snowflake-stage', pendingStack('storage'));
      const linker = project({ sam: {} });
      linker.write(
        'samconfig.toml',
        `${SHIPPED_SAMCONFIG}[prod.deploy.parameters]\nstack_name = "gw-prod"\n`,
      );

      const run = await linker.run(['--type', 'storage', '--config-env', 'prod'], {
        input: fixture('storage-snowsql.txt'),
      });

      expect(run.status).toBe(1);
      expectOneMessage(
        run.stderr,
        /--config-env prod: no such environment in examples\/samconfig\.toml \(it has default\)/,
      );
      expect(run.calls('sam')).toEqual([]);
    });

    it('refuses a --template-file that is not the storage example before reading the stack', async () => {
      cloudformation.stack('snowflake-stage', pendingStack('storage'));
      const linker = project({ sam: {} });

      const run = await linker.run(['--type', 'storage', '--template-file', 'template.yaml'], {
        input: fixture('storage-snowsql.txt'),
        env: { INIT_CWD: linker.dir },
      });

      expect(run.status).toBe(1);
      expectOneMessage(
        run.stderr,
        /template\.yaml is the template of the gateway stack \(it has output ApiAwsRoleArn\), but a storage integration/,
      );
      expect(cloudformation.described).toEqual([]);
      expect(run.calls('sam')).toEqual([]);
    });

    it('refuses a stack that links another role than the integration names, naming both', async () => {
      const otherRole = 'arn:aws:iam::001234567890:role/other-role';
      cloudformation.stack('demo', pendingStack('gateway', otherRole));
      const linker = project({ sam: {} });

      const run = await linker.run(['--stack-name', 'demo'], { input: fixture('api-snow.json') });

      expect(run.status).toBe(1);
      expectOneMessage(
        run.stderr,
        `link: The integration's API_AWS_ROLE_ARN is ${FIXTURE_ROLE_ARN}, but stack demo links ${otherRole} (output ApiAwsRoleArn)`,
      );
      expect(run.calls('sam')).toEqual([]);
    });

    it('says a stack that does not exist does not exist, and where it looked', async () => {
      const linker = project({ sam: {} });

      const run = await linker.run(['--stack-name', 'demo'], { input: fixture('api-snow.json') });

      expect(run.status).toBe(1);
      expectOneMessage(run.stderr, /Stack demo does not exist in eu-west-1\. Deploy the gateway stack/);
      expect(run.calls('sam')).toEqual([]);
    });
  });

  describe("a user's own template", () => {
    const NESTED = readFileSync(join(PROJECT_ROOT, 'examples/nested-provider.yaml'), 'utf8');
    const OWN = readFileSync(join(PROJECT_ROOT, 'test/fixtures/templates/own-link.yaml'), 'utf8');
    const OWN_NAMES = [
      '--user-arn-parameter',
      'IntegrationUser',
      '--external-id-parameter',
      'IntegrationIds',
    ];

    /** A stack of examples/nested-provider.yaml: its role in output SnowflakeRoleArn, no status output. */
    function nestedStack(userArn = '', ids = '', status = 'CREATE_COMPLETE'): FakeStackState {
      return {
        status,
        lastUpdated: userArn === '' ? undefined : '2026-02-02T10:00:00.000Z',
        parameters: { SnowflakeIamUserArn: userArn, SnowflakeExternalId: ids },
        outputs: { SnowflakeRoleArn: FIXTURE_ROLE_ARN },
      };
    }

    /** A stack of own-link.yaml: the role a parameter, the values under the user's names, no outputs. */
    function ownStack(userArn = '', ids = '', status = 'CREATE_COMPLETE'): FakeStackState {
      return {
        status,
        lastUpdated: userArn === '' ? undefined : '2026-02-02T10:00:00.000Z',
        parameters: { ExistingRoleArn: FIXTURE_ROLE_ARN, IntegrationUser: userArn, IntegrationIds: ids },
      };
    }

    it('links a template nesting the provider, read back from its status and parameters', async () => {
      cloudformation.stack('my-gw', nestedStack(), nestedStack(USER_ARN, EXTERNAL_ID, 'UPDATE_COMPLETE'));
      const linker = project({ sam: {} });
      const template = linker.write('gateway.yaml', NESTED);

      const run = await linker.run(['--template-file', 'gateway.yaml', '--stack-name', 'my-gw'], {
        input: fixture('api-snow.json'),
        env: { INIT_CWD: linker.dir },
      });

      expect(run.status).toBe(0);
      expect(run.stdout).toContain(
        'link: stack my-gw is linked. Its parameters SnowflakeIamUserArn and SnowflakeExternalId hold these values (UPDATE_COMPLETE; the template has no SnowflakeTrustLinkStatus output)',
      );
      expect(run.calls('sam')).toEqual([
        ['deploy', '--template-file', template, '--stack-name', 'my-gw', '--parameter-overrides', ...LINKED],
      ]);
    });

    it('reports a nested-provider stack that rolled back as not linked, and exits 4', async () => {
      cloudformation.stack(
        'my-gw',
        nestedStack(),
        nestedStack(USER_ARN, EXTERNAL_ID, 'UPDATE_ROLLBACK_COMPLETE'),
      );
      const linker = project({ sam: {} });
      linker.write('gateway.yaml', NESTED);

      const run = await linker.run(['--template-file', 'gateway.yaml', '--stack-name', 'my-gw'], {
        input: fixture('api-snow.json'),
        env: { INIT_CWD: linker.dir },
      });

      expect(run.status).toBe(4);
      expect(run.stdout).not.toContain('is linked');
      expectOneMessage(run.stderr, /stack my-gw is UPDATE_ROLLBACK_COMPLETE: the deploy did not hold/);
    });

    it('refuses a nested-provider stack whose role output names another role, before sam runs', async () => {
      const other = {
        ...nestedStack(),
        outputs: { SnowflakeRoleArn: 'arn:aws:iam::001234567890:role/other' },
      };
      cloudformation.stack('my-gw', other);
      const linker = project({ sam: {} });
      linker.write('gateway.yaml', NESTED);

      const run = await linker.run(['--template-file', 'gateway.yaml', '--stack-name', 'my-gw'], {
        input: fixture('api-snow.json'),
        env: { INIT_CWD: linker.dir },
      });

      expect(run.status).toBe(1);
      expectOneMessage(
        run.stderr,
        /but stack my-gw links arn:aws:iam::001234567890:role\/other \(output SnowflakeRoleArn\)/,
      );
      expect(run.calls('sam')).toEqual([]);
    });

    it('deploys the values under the parameter names given, and keeps the old ids read from them', async () => {
      cloudformation.stack('mine', ownStack(USER_ARN, OLD_ID, 'UPDATE_COMPLETE'), {
        ...ownStack(USER_ARN, `${EXTERNAL_ID},${OLD_ID}`, 'UPDATE_COMPLETE'),
        lastUpdated: '2026-03-03T10:00:00.000Z',
      });
      const linker = project({ sam: {} });
      const template = linker.write('own.yaml', OWN);

      const run = await linker.run(
        ['--template-file', 'own.yaml', '--stack-name', 'mine', '--keep-old', ...OWN_NAMES],
        {
          input: fixture('api-snow.json'),
          env: { INIT_CWD: linker.dir },
        },
      );

      expect(run.status).toBe(0);
      expect(run.stdout).toContain('  IntegrationUser=');
      expect(run.stdout).toContain(
        'link: stack mine is linked. Its parameters IntegrationUser and IntegrationIds',
      );
      expect(run.calls('sam')).toEqual([
        [
          'deploy',
          '--template-file',
          template,
          '--stack-name',
          'mine',
          '--parameter-overrides',
          `IntegrationUser="${USER_ARN}"`,
          `IntegrationIds="${EXTERNAL_ID},${OLD_ID}"`,
        ],
      ]);
      expect(JSON.stringify(run.calls('sam'))).not.toContain('SnowflakeExternalId=');
    });

    it('refuses the default names for a link fed by others, naming both, and reads no stack', async () => {
      cloudformation.stack('mine', ownStack());
      const linker = project({ sam: {} });
      linker.write('own.yaml', OWN);

      const run = await linker.run(['--template-file', 'own.yaml', '--stack-name', 'mine'], {
        input: fixture('api-snow.json'),
        env: { INIT_CWD: linker.dir },
      });

      expect(run.status).toBe(1);
      expectOneMessage(
        run.stderr,
        /no Custom::SnowflakeTrustLink takes SnowflakeIamUserArn from parameter SnowflakeIamUserArn .*\(Link takes SnowflakeIamUserArn from IntegrationUser and SnowflakeExternalId from IntegrationIds\)/,
      );
      expect(cloudformation.described).toEqual([]);
      expect(run.calls('sam')).toEqual([]);
    });

    it('checks a user template with --offline and prints the sam command with its parameter names', async () => {
      const linker = project({ sam: {} });
      linker.write('own.yaml', OWN);
      const noAws = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, INIT_CWD: linker.dir };

      const run = await linker.run(
        ['--offline', '--template-file', 'own.yaml', '--stack-name', 'mine', ...OWN_NAMES],
        {
          input: fixture('api-snow.json'),
          env: noAws,
        },
      );

      expect(run.status).toBe(0);
      expect(run.stdout).toBe(
        `sam deploy --template-file ${join(linker.dir, 'own.yaml')} --stack-name mine --parameter-overrides 'IntegrationUser="${USER_ARN}"' 'IntegrationIds="${EXTERNAL_ID}"'\n`,
      );
      expect(cloudformation.described).toEqual([]);
    });
  });

  describe('what it reports after sam deploy', () => {
    it('does not report a declined change set as linked, and exits 3', async () => {
      // sam exits 0 when "n" is answered at its prompt; the stack stays as it was.
      cloudformation.stack('demo', pendingStack('gateway'));
      const linker = project({ sam: { stdout: 'Deploy this changeset? [y/N]: n\n' } });

      const run = await linker.run(['--stack-name', 'demo'], { input: fixture('api-snow.json') });

      expect(run.status).toBe(3);
      expect(run.stdout).not.toContain('is linked');
      expectOneMessage(
        run.stderr,
        /sam deploy executed no change set .*stack demo is unchanged and not linked/,
      );
    });

    it('reports a deploy that rolled back as not linked, and exits 4', async () => {
      const rolledBack = {
        ...pendingStack('gateway'),
        status: 'UPDATE_ROLLBACK_COMPLETE',
        lastUpdated: '2026-02-02T10:00:00.000Z',
      };
      cloudformation.stack('demo', pendingStack('gateway'), rolledBack);
      const linker = project({ sam: {} });

      const run = await linker.run(['--stack-name', 'demo'], { input: fixture('api-snow.json') });

      expect(run.status).toBe(4);
      expect(run.stdout).not.toContain('is linked');
      expectOneMessage(run.stderr, /stack demo is UPDATE_ROLLBACK_COMPLETE: the deploy did not hold/);
    });

    it('says so when the stack already linked these values and nothing changed', async () => {
      cloudformation.stack('demo', linkedStack('gateway'));
      const linker = project({ sam: {} });

      const run = await linker.run(['--stack-name', 'demo'], { input: fixture('api-snow.json') });

      expect(run.status).toBe(0);
      expect(run.stdout).toContain('link: stack demo is linked (it already was; nothing changed).');
    });
  });

  describe('errors that name the real cause', () => {
    it('names an unknown --config-env and lists the environments samconfig has', async () => {
      const linker = project({ sam: {} });
      linker.write('samconfig.toml', SAMCONFIG);

      const run = await linker.run(['--config-env', 'nope'], { input: fixture('api-snow.json') });

      expect(run.status).toBe(1);
      expectOneMessage(
        run.stderr,
        /--config-env nope: no such environment in samconfig.toml \(it has default\)/,
      );
      expect(run.calls('sam')).toEqual([]);
    });

    it('says no AWS credentials were found', async () => {
      const linker = project({ sam: {} });

      const run = await linker.run(['--stack-name', 'demo'], {
        input: fixture('api-snow.json'),
        env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
      });

      expect(run.status).toBe(1);
      expectOneMessage(
        run.stderr,
        /Reading stack demo before deploying: no AWS credentials were found\. Sign in/,
      );
      expect(cloudformation.described).toEqual([]);
      expect(run.calls('sam')).toEqual([]);
    });

    it('checks a DESCRIBE file with --offline without credentials or a region, and reads no stack', async () => {
      const linker = project({ sam: {} });
      linker.write('samconfig.toml', SAMCONFIG);
      const noAws = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_REGION: undefined };

      const run = await linker.run(['--offline', '--from', join(FIXTURES, 'api-snow.json')], { env: noAws });

      expect(run.status).toBe(0);
      expect(run.stdout).toBe(
        `sam deploy --parameter-overrides 'Stage="prod"' 'AllowedPrefix="https://a.example/x y"' 'SnowflakeIamUserArn="${USER_ARN}"' 'SnowflakeExternalId="${EXTERNAL_ID}"'\n`,
      );
      expectOneMessage(
        run.stderr,
        /^link: --offline: stack trust-link-demo was not read, so nothing checked that it links arn:aws:iam::001234567890:role\/myrole/,
      );
      expect(cloudformation.described).toEqual([]);
      expect(run.calls('sam')).toEqual([]);
    });

    it.each([
      ['a DESCRIBE output cut off', [], fixture('api-snow.json').slice(0, 200)],
      [
        'a template of the other kind',
        ['--type', 'storage', '--template-file', 'template.yaml'],
        fixture('storage-snowsql.txt'),
      ],
    ])('still refuses %s with --offline', async (_case, args, input) => {
      const linker = project({ sam: {} });
      const noAws = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, INIT_CWD: linker.dir };

      const run = await linker.run(['--offline', '--stack-name', 'demo', ...args], { input, env: noAws });

      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(cloudformation.described).toEqual([]);
      expect(run.calls('sam')).toEqual([]);
    });

    it('refuses --offline --keep-old without the old ids, which only the stack has', async () => {
      const run = await project({ sam: {} }).run(['--offline', '--keep-old'], {
        input: fixture('api-snow.json'),
      });

      expect(run.status).toBe(2);
      expectOneMessage(
        run.stderr,
        /--keep-old reads the ids to keep from the stack, which --offline does not read/,
      );
    });

    it('prints no AWS SDK Node.js version warning before its messages', async () => {
      cloudformation.stack('demo', pendingStack('gateway', 'arn:aws:iam::001234567890:role/other-role'));
      const linker = project({ sam: {} });

      const run = await linker.run(['--stack-name', 'demo'], {
        input: fixture('api-snow.json'),
        env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined },
      });

      expect(cloudformation.described).toEqual(['demo']);
      expect(run.status).toBe(1);
      expectOneMessage(run.stderr, /but stack demo links arn:aws:iam::001234567890:role\/other-role/);
      expect(run.stderr).not.toMatch(/NodeVersionSupportWarning|will require node/);
    });

    it('says no AWS region is set', async () => {
      const linker = project({ sam: {} });

      const run = await linker.run(['--stack-name', 'demo'], {
        input: fixture('api-snow.json'),
        env: { AWS_REGION: undefined },
      });

      expect(run.status).toBe(1);
      expectOneMessage(run.stderr, /no AWS region is set\. Give --region, set region in samconfig\.toml/);
      expect(run.calls('sam')).toEqual([]);
    });

    it('says which permission is missing when CloudFormation denies access', async () => {
      cloudformation.failWith({
        httpStatus: 403,
        code: 'AccessDenied',
        message: 'User: arn:aws:iam::1:user/x is not authorized to perform: cloudformation:DescribeStacks',
      });
      const linker = project({ sam: {} });

      const run = await linker.run(['--stack-name', 'demo'], { input: fixture('api-snow.json') });

      expect(run.status).toBe(1);
      expectOneMessage(run.stderr, /access denied .* needs cloudformation:DescribeStacks/);
      expect(run.calls('sam')).toEqual([]);
    });
  });

  describe('--keep-old', () => {
    it("links the new id and keeps the deployed one, read from the stack's parameters", async () => {
      const deployed = linkedStack('gateway', [OLD_ID, EXTERNAL_ID]);
      cloudformation.stack('trust-link-demo', deployed, linkedStack('gateway', [EXTERNAL_ID, OLD_ID]));
      const linker = project({ sam: {} });
      linker.write('samconfig.toml', SAMCONFIG);

      const run = await linker.run(['--keep-old'], { input: fixture('api-snow.json') });

      expect(run.status).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.calls('sam')[0]?.at(-1)).toBe(`SnowflakeExternalId="${EXTERNAL_ID},${OLD_ID}"`);
    });

    it('links the new id alone when the stack has none yet', async () => {
      cloudformation.stack('demo', pendingStack('gateway'), linkedStack('gateway'));
      const linker = project({ sam: {} });

      const run = await linker.run(['--keep-old', '--stack-name', 'demo'], {
        input: fixture('api-snow.json'),
      });

      expect(run.status).toBe(0);
      expect(run.stderr).toContain('has no external id yet');
      expect(run.calls('sam')[0]?.at(-1)).toBe(`SnowflakeExternalId="${EXTERNAL_ID}"`);
    });

    it('notes that ids kept for another IAM user will not let that user in', async () => {
      const otherUser = 'arn:aws:iam::999999999999:user/other';
      cloudformation.stack(
        'demo',
        linkedStack('gateway', [OLD_ID], otherUser),
        linkedStack('gateway', [EXTERNAL_ID, OLD_ID]),
      );
      const linker = project({ sam: {} });

      const run = await linker.run(['--keep-old', '--stack-name', 'demo'], {
        input: fixture('api-snow.json'),
      });

      expect(run.status).toBe(0);
      expect(run.stderr).toMatch(
        /now trusts arn:aws:iam::999999999999:user\/other; the ids kept belong to that IAM user/,
      );
      expect(run.calls('sam')[0]?.at(-1)).toBe(`SnowflakeExternalId="${EXTERNAL_ID},${OLD_ID}"`);
    });

    it('keeps the ids given with --old-external-id, dropping repeats', async () => {
      cloudformation.stack('demo', pendingStack('gateway'), linkedStack('gateway', [EXTERNAL_ID, OLD_ID]));
      const linker = project({ sam: {} });

      const run = await linker.run(
        [
          '--stack-name',
          'demo',
          '--old-external-id',
          `${OLD_ID}, ${EXTERNAL_ID}`,
          '--old-external-id',
          OLD_ID,
        ],
        { input: fixture('api-snow.json') },
      );

      expect(run.status).toBe(0);
      expect(run.calls('sam')[0]?.at(-1)).toBe(`SnowflakeExternalId="${EXTERNAL_ID},${OLD_ID}"`);
    });
  });

  it.each([
    ['sam', [], {}],
    ['snow', ['--integration', 'MY_INT'], { sam: {} }],
  ] as const)('says so when %s is not on PATH', async (tool, args, tools) => {
    cloudformation.stack('demo', pendingStack('gateway'));
    const linker = project(tools);

    const run = await linker.run([...args, '--stack-name', 'demo'], { input: fixture('api-snow.json') });

    expect(run.status).toBe(1);
    expectOneMessage(run.stderr, `link: ${tool} is not on PATH`);
  });

  it('fails with sam when sam deploy exits non-zero', async () => {
    cloudformation.stack('demo', pendingStack('gateway'));
    const linker = project({ sam: { exitCode: 3, stderr: 'Error: Failed to create changeset\n' } });

    const run = await linker.run(['--stack-name', 'demo'], { input: fixture('api-snow.json') });

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('link: sam deploy failed (exit 3)');
  });

  it('fails with snow when snow exits non-zero', async () => {
    const linker = project({
      sam: {},
      snow: { stderr: 'Error: Integration MY_INT does not exist\n', exitCode: 1 },
    });

    const run = await linker.run(['--integration', 'MY_INT', '--stack-name', 'demo']);

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
  ])('refuses %s with one message and deploys nothing', async (_case, input, message) => {
    const linker = project({ sam: {} });

    const run = await linker.run(['--stack-name', 'demo'], { input });

    expect(run.status).toBe(1);
    expectOneMessage(run.stderr, message);
    expect(run.calls('sam')).toEqual([]);
  });

  it.each([
    [['--frm', 'x.json'], /Unknown option '--frm'/],
    [['--type', 'notification'], /--type must be api or storage/],
    [['--stack-name'], /argument missing/],
    [['stray'], /Unexpected argument 'stray'/],
    [['--', '-t', 'x.yaml'], /Give --template-file before --/],
  ])('refuses the command line %j with exit 2', async (args, message) => {
    const linker = project({ sam: {} });

    const run = await linker.run(args, { input: fixture('api-snow.json') });

    expect(run.status).toBe(2);
    expectOneMessage(run.stderr, message);
    expect(run.calls('sam')).toEqual([]);
  });

  it('refuses to deploy without a stack name from the options or samconfig', async () => {
    const linker = project({ sam: {} });

    const run = await linker.run([], { input: fixture('api-snow.json') });

    expect(run.status).toBe(1);
    expectOneMessage(run.stderr, /No stack name/);
    expect(run.calls('sam')).toEqual([]);
  });
});
