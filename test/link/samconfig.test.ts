import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { SamConfigError } from '../../scripts/link/errors';
import { samDeploySettings } from '../../scripts/link/samconfig';
import { readSamConfig } from '../../scripts/link/samconfig-file';

// As `sam deploy --guided` writes it.
const GUIDED = `# More information about the configuration file can be found here:
# https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html
version = 0.1

[default]
[default.global.parameters]
stack_name = "trust-link"

[default.build.parameters]
cached = true
parallel = true

[default.deploy.parameters]
capabilities = "CAPABILITY_IAM"
confirm_changeset = true
resolve_s3 = true
s3_prefix = "trust-link"
region = "eu-west-1"
parameter_overrides = "Stage=\\"prod\\" SnowflakeIamUserArn=\\"\\" SnowflakeExternalId=\\"\\""
image_repositories = []

[prod.deploy.parameters]
stack_name = 'trust-link-prod'   # literal string
profile = "ops"
parameter_overrides = [
  "Stage=prod",  # one pair per entry
  'Note="a b"',
]
`;

describe('samDeploySettings', () => {
  it('takes global parameters and lets deploy parameters override them', () => {
    expect(samDeploySettings(parseToml(GUIDED), 'default', 'samconfig.toml')).toEqual({
      stackName: 'trust-link',
      region: 'eu-west-1',
      profile: undefined,
      parameterOverrides: ['Stage="prod" SnowflakeIamUserArn="" SnowflakeExternalId=""'],
    });
  });

  it('reads the environment asked for', () => {
    expect(samDeploySettings(parseToml(GUIDED), 'prod', 'samconfig.toml')).toEqual({
      stackName: 'trust-link-prod',
      region: undefined,
      profile: 'ops',
      parameterOverrides: ['Stage=prod', 'Note="a b"'],
    });
  });

  it('has nothing for an environment the file does not have', () => {
    expect(samDeploySettings(parseToml(GUIDED), 'staging', 'samconfig.toml')).toEqual({
      stackName: undefined,
      region: undefined,
      profile: undefined,
      parameterOverrides: [],
    });
  });

  it.each([
    [
      '[default.deploy.parameters]\nparameter_overrides = true',
      /parameter_overrides must be a string or a list/,
    ],
    ['[default.deploy.parameters]\nstack_name = ["a"]', /stack_name .* must be a string/],
  ])('refuses %j', (text, message) => {
    expect(() => samDeploySettings(parseToml(text), 'default', 'samconfig.toml')).toThrow(message);
  });
});

describe('readSamConfig', () => {
  function projectWith(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'link-samconfig-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  it('reads samconfig.toml before samconfig.yaml, as sam does', () => {
    const dir = projectWith({
      'samconfig.toml': '[default.deploy.parameters]\nstack_name = "from-toml"\n',
      'samconfig.yaml': 'default:\n  deploy:\n    parameters:\n      stack_name: from-yaml\n',
    });

    expect(readSamConfig(dir, undefined).stackName).toBe('from-toml');
  });

  it('reads samconfig.yaml when there is no samconfig.toml', () => {
    const dir = projectWith({
      'samconfig.yaml':
        'default:\n  deploy:\n    parameters:\n      stack_name: from-yaml\n      parameter_overrides:\n        - Stage=dev\n',
    });

    expect(readSamConfig(dir, undefined)).toMatchObject({
      stackName: 'from-yaml',
      parameterOverrides: ['Stage=dev'],
    });
  });

  it('has no settings when there is no samconfig at all', () => {
    expect(readSamConfig(projectWith({}), undefined)).toEqual({ parameterOverrides: [] });
  });

  it('refuses a --config-file that does not exist', () => {
    expect(() => readSamConfig(projectWith({}), 'missing.toml')).toThrow(
      '--config-file missing.toml does not exist.',
    );
  });

  it('reads the environment given with --config-env, and its template_file', () => {
    const dir = projectWith({
      'samconfig.toml': '[stage.deploy.parameters]\nstack_name = "s"\ntemplate_file = "t.yaml"\n',
    });

    expect(readSamConfig(dir, undefined, 'stage')).toMatchObject({ stackName: 's', templateFile: 't.yaml' });
  });

  it('refuses a --config-env the file does not have, listing those it has', () => {
    const dir = projectWith({ 'samconfig.toml': GUIDED });

    expect(() => readSamConfig(dir, undefined, 'nope')).toThrow(
      /--config-env nope: no such environment in \S*samconfig\.toml \(it has default, prod\)\./,
    );
  });

  it('refuses a --config-env when there is no samconfig at all', () => {
    expect(() => readSamConfig(projectWith({}), undefined, 'prod')).toThrow(
      /--config-env prod: there is no samconfig.toml \(or .yaml\)/,
    );
  });

  it('refuses a samconfig it cannot read, saying where', () => {
    const dir = projectWith({ 'samconfig.toml': '[default.deploy.parameters]\nstack_name = "open\n' });

    expect(() => readSamConfig(dir, undefined)).toThrow(SamConfigError);
    expect(() => readSamConfig(dir, undefined)).toThrow(
      /samconfig.toml cannot be read: Invalid TOML document/,
    );
  });
});

describe("the project's samconfig files", () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  type SamConfig = { default?: { deploy?: { parameters?: Record<string, unknown> } } };
  const read = (path: string) => parseToml(readFileSync(join(root, path), 'utf8')) as SamConfig;
  const deploySettings = (path: string) => read(path).default?.deploy?.parameters ?? {};

  it("gives the storage example, deployed from its own folder's samconfig, the root's deploy settings", () => {
    const shared = ['capabilities', 'resolve_s3', 'confirm_changeset', 'fail_on_empty_changeset'];
    const pick = (settings: Record<string, unknown>) =>
      Object.fromEntries(shared.map((key) => [key, settings[key]]));

    expect(pick(deploySettings('examples/samconfig.toml'))).toEqual(pick(deploySettings('samconfig.toml')));
    expect(deploySettings('examples/samconfig.toml')).toMatchObject({
      capabilities: 'CAPABILITY_IAM',
      resolve_s3: true,
      confirm_changeset: true,
    });
  });

  it("names the storage stack in the example's samconfig, never the gateway's", () => {
    const stackOf = (path: string) => samDeploySettings(read(path), 'default', path).stackName;

    expect(stackOf('examples/samconfig.toml')).toBe('snowflake-stage');
    expect(stackOf('samconfig.toml')).toBe('snowflake-trust-link');
  });
});
