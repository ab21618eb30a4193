// The package binary, built as `npm run build` builds it, packed as `npm pack cli` packs it, installed into
// a folder of its own and run by this machine's node alone: no tsx, no repository node_modules.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeProject, FIXTURE_ROLE_ARN, FIXTURES, fixture, PROJECT_ROOT } from './cli-harness';
import { DescribeStacksServer } from './describe-stacks-server';

const USER_ARN = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const OWN_TEMPLATE = readFileSync(join(PROJECT_ROOT, 'test/fixtures/templates/own-link.yaml'), 'utf8');
const OWN_NAMES = ['--user-arn-parameter', 'IntegrationUser', '--external-id-parameter', 'IntegrationIds'];

let installDir: string;
let binary: string;
let cloudformation: DescribeStacksServer;

/** Runs a command to its end; fails the test with its output when it fails. */
function mustRun(command: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  expect(result.status, `${command} ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

// cli/ as the build leaves it, in a scratch copy; packed, then installed without the registry (it has no dependencies).
beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'stl-bin-'));
  const packageDir = join(work, 'cli');
  installDir = join(work, 'app');
  mkdirSync(packageDir);
  mkdirSync(installDir);
  for (const file of ['package.json', 'README.md'])
    copyFileSync(join(PROJECT_ROOT, 'cli', file), join(packageDir, file));
  mustRun(
    process.execPath,
    [join(PROJECT_ROOT, 'scripts/build-cli.mjs'), join(packageDir, 'snowflake-trust-link.mjs')],
    work,
  );
  mustRun('npm', ['pack', '--silent', '--pack-destination', installDir], packageDir);
  const tarball = readdirSync(installDir).find((name) => name.endsWith('.tgz')) ?? '';
  mustRun(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--no-save', `./${tarball}`],
    installDir,
  );
  binary = realpathSync(join(installDir, 'node_modules/.bin/snowflake-trust-link'));
  cloudformation = await DescribeStacksServer.start();
}, 120_000);

afterAll(() => cloudformation.close());

beforeEach(() => cloudformation.reset());

/** A scratch folder outside the repository, the binary run in it with node; no tsx, no NODE_OPTIONS. */
function installed(): FakeProject {
  return new FakeProject({ sam: {} }, cloudformation.url, [binary]);
}

describe('the snowflake-trust-link binary', () => {
  it("installs as the package's bin, at the repository's version, and npm run build writes it", () => {
    const root = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
    const installed = JSON.parse(
      readFileSync(join(installDir, 'node_modules/snowflake-trust-link-cli/package.json'), 'utf8'),
    );
    const build = readFileSync(join(PROJECT_ROOT, 'scripts/build.mjs'), 'utf8');

    expect(installed.version).toBe(root.version);
    expect(installed.dependencies).toBeUndefined();
    expect(root.bin).toEqual({ 'snowflake-trust-link': 'cli/snowflake-trust-link.mjs' });
    expect(binary).toBe(
      realpathSync(join(installDir, 'node_modules/snowflake-trust-link-cli/snowflake-trust-link.mjs')),
    );
    expect(readdirSync(join(installDir, 'node_modules/snowflake-trust-link-cli')).sort()).toEqual([
      'LICENSE',
      'README.md',
      'package.json',
      'snowflake-trust-link.mjs',
    ]);
    expect(build).toMatch(/await buildCli\(\);/);
    expect(readFileSync(binary, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('runs as npx snowflake-trust-link where it is installed', () => {
    const help = mustRun('npx', ['--offline', '--no', 'snowflake-trust-link', 'link', '--help'], installDir);

    expect(help).toContain('or: npx snowflake-trust-link link [options]');
  });

  it('lists its commands for --help, and refuses an unknown one with exit 2', async () => {
    const help = await installed().run(['--help']);
    const unknown = await installed().run(['deploy']);

    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: snowflake-trust-link <command>[\s\S]*link[\s\S]*status/);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('snowflake-trust-link: unknown command "deploy": use link or status.\n');
  });

  it.each([
    ['link', 'npx snowflake-trust-link link [options]'],
    ['status', 'Usage: npm run status'],
  ])('prints the options of %s', async (command, text) => {
    const run = await installed().run([command, '--help']);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain(text);
  });

  it("checks a DESCRIBE fixture against a user's template with --offline, without AWS", async () => {
    const user = installed();
    const template = user.write('own.yaml', OWN_TEMPLATE);
    const args = [
      'link',
      '--offline',
      '--from',
      join(FIXTURES, 'api-snow.json'),
      '--template-file',
      'own.yaml',
    ];

    const run = await user.run([...args, '--stack-name', 'mine', ...OWN_NAMES], {
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_REGION: undefined },
    });

    expect(run.stderr).toMatch(/^link: --offline: stack mine was not read/);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      `sam deploy --template-file ${template} --stack-name mine --parameter-overrides 'IntegrationUser="${USER_ARN}"' 'IntegrationIds="${EXTERNAL_ID}"'\n`,
    );
    expect(cloudformation.described).toEqual([]);
    expect(run.calls('sam')).toEqual([]);
  });

  it('keeps the exit codes: a cut DESCRIBE output is refused with 1, a wrong option with 2', async () => {
    const cut = await installed().run(['link', '--offline', '--stack-name', 'mine'], {
      input: fixture('api-snowsql-cut.txt'),
    });
    const wrong = await installed().run(['link', '--frm', 'x.json']);

    expect(cut.status).toBe(1);
    expect(cut.stderr).toMatch(/^link: .*cut off at the bottom/);
    expect(wrong.status).toBe(2);
  });

  it('reads the stack with its bundled AWS SDK, deploys with sam, and reads the link back', async () => {
    const pending = {
      status: 'CREATE_COMPLETE',
      parameters: { ExistingRoleArn: FIXTURE_ROLE_ARN, IntegrationUser: '', IntegrationIds: '' },
    };
    const linked = {
      status: 'UPDATE_COMPLETE',
      lastUpdated: '2026-02-02T10:00:00.000Z',
      parameters: {
        ExistingRoleArn: FIXTURE_ROLE_ARN,
        IntegrationUser: USER_ARN,
        IntegrationIds: EXTERNAL_ID,
      },
    };
    cloudformation.stack('mine', pending, linked);
    const user = installed();
    user.write('own.yaml', OWN_TEMPLATE);

    const run = await user.run(
      ['link', '--template-file', 'own.yaml', '--stack-name', 'mine', ...OWN_NAMES],
      {
        input: fixture('api-snow.json'),
      },
    );

    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(cloudformation.described).toEqual(['mine', 'mine']);
    expect(run.calls('sam')).toHaveLength(1);
    expect(run.stdout).toContain('link: stack mine is linked.');
  });
});
