import { describe, expect, it } from 'vitest';
import type { StackSelection } from '../../scripts/link/cli-options';
import { deployTarget, samconfigDir } from '../../scripts/link/deploy-target';
import type { DeployedStack } from '../../scripts/link/deployed-stack';
import { StackError } from '../../scripts/link/errors';
import { DEFAULT_PARAMETERS } from '../../scripts/link/link-contract';
import { STACK_KINDS } from '../../scripts/link/stack-kind';
import { checkStackRole, checkTemplate } from '../../scripts/link/target-check';
import { readTemplate } from '../../scripts/link/template-file';
import { PROJECT_ROOT } from './cli-harness';

const CWD = '/project';
const NO_FILES = () => false;
const EXAMPLE_HERE = (path: string) => path === '/project/examples/storage-integration.yaml';
const NO_SAMCONFIG = { parameterOverrides: [] };
const ROLE = 'arn:aws:iam::001234567890:role/myrole';

describe('deployTarget', () => {
  it("deploys an API integration to samconfig's stack, from the template sam finds itself", () => {
    const exists = (path: string) => path === '/project/template.yaml';

    const target = deployTarget({}, 'api', { ...NO_SAMCONFIG, stackName: 'gw' }, CWD, exists);

    expect(target).toMatchObject({ stackName: 'gw', templatePath: '/project/template.yaml', selection: {} });
  });

  it('reads the template sam built, as sam deploy would', () => {
    const exists = () => true;

    const target = deployTarget({ stackName: 'gw' }, 'api', NO_SAMCONFIG, CWD, exists);

    expect(target.templatePath).toBe('/project/.aws-sam/build/template.yaml');
  });

  it("reads samconfig's template_file for an API integration", () => {
    const samconfig = { ...NO_SAMCONFIG, stackName: 'gw', templateFile: 'other.yaml' };

    expect(deployTarget({}, 'api', samconfig, CWD, NO_FILES).templatePath).toBe('/project/other.yaml');
  });

  it('refuses an API integration when there is no template to read', () => {
    expect(() => deployTarget({ stackName: 'gw' }, 'api', NO_SAMCONFIG, CWD, NO_FILES)).toThrow(
      /No template.yaml in \/project/,
    );
  });

  it("deploys a storage integration to the storage example's stack, always naming its template to sam", () => {
    const target = deployTarget({}, 'storage', NO_SAMCONFIG, CWD, EXAMPLE_HERE);

    expect(target).toMatchObject({
      stackName: 'snowflake-stage',
      templatePath: '/project/examples/storage-integration.yaml',
      selection: { stackName: 'snowflake-stage', templateFile: 'examples/storage-integration.yaml' },
    });
  });

  it("takes the storage stack from the example's samconfig, in its default environment or the one chosen", () => {
    const samconfig = { ...NO_SAMCONFIG, stackName: 'my-stage', templateFile: 'ignored.yaml' };

    expect(deployTarget({}, 'storage', samconfig, CWD, EXAMPLE_HERE)).toMatchObject({
      stackName: 'my-stage',
      templatePath: '/project/examples/storage-integration.yaml',
    });
    expect(deployTarget({ configEnv: 'stage' }, 'storage', samconfig, CWD, EXAMPLE_HERE).stackName).toBe(
      'my-stage',
    );
  });

  it("deploys a storage integration where sam would in a project without the storage example (a user's)", () => {
    const exists = (path: string) => path === '/project/template.yaml';

    const target = deployTarget({}, 'storage', { ...NO_SAMCONFIG, stackName: 'data' }, CWD, exists);

    expect(target).toMatchObject({
      kind: STACK_KINDS.storage,
      stackName: 'data',
      templatePath: '/project/template.yaml',
      selection: {},
    });
    expect(samconfigDir({}, 'storage', CWD, exists)).toBe('/project');
  });

  it('takes the stack and template given over every default', () => {
    const given = { stackName: 'mine', templateFile: '/elsewhere/t.yaml' };

    const target = deployTarget(given, 'storage', NO_SAMCONFIG, CWD, NO_FILES);

    expect(target).toMatchObject({ stackName: 'mine', templatePath: '/elsewhere/t.yaml' });
  });
});

describe('samconfigDir: the samconfig sam deploy reads', () => {
  it.each<[string, StackSelection, 'api' | 'storage', string]>([
    ['an API integration, no template given: the folder sam runs in', {}, 'api', '/project'],
    ["a storage integration: the example's folder, next to its template", {}, 'storage', '/project/examples'],
    ['a template given: its folder', { templateFile: '/elsewhere/t.yaml' }, 'api', '/elsewhere'],
    [
      'a built template given: the build folder',
      { templateFile: '/project/.aws-sam/build/template.yaml' },
      'storage',
      '/project/.aws-sam/build',
    ],
  ])('is, for %s', (_case, given, kind, dir) => {
    expect(samconfigDir(given, kind, CWD, EXAMPLE_HERE)).toBe(dir);
  });
});

const DEFAULTS = { parameters: DEFAULT_PARAMETERS };
const USER_NAMES = { parameters: { userArn: 'IntegrationUser', externalId: 'IntegrationIds' } };

describe("checkTemplate: this project's templates", () => {
  const gateway = readTemplate(`${PROJECT_ROOT}/template.yaml`);
  const storage = readTemplate(`${PROJECT_ROOT}/examples/storage-integration.yaml`);

  it("accepts each project template for its own stack's kind, its role in the kind's output", () => {
    expect(checkTemplate(gateway, 'template.yaml', STACK_KINDS.api, DEFAULTS, ROLE)).toMatchObject({
      role: { kind: 'output', output: 'ApiAwsRoleArn' },
      statusOutput: 'SnowflakeTrustLinkStatus',
      links: ['SnowflakeTrustLink'],
      projectKind: STACK_KINDS.api,
    });
    expect(checkTemplate(storage, 'storage.yaml', STACK_KINDS.storage, DEFAULTS, ROLE)).toMatchObject({
      role: { kind: 'output', output: 'StorageAwsRoleArn' },
      projectKind: STACK_KINDS.storage,
    });
  });

  it.each([
    [gateway, STACK_KINDS.storage, /t.yaml is the template of the gateway stack/],
    [storage, STACK_KINDS.api, /t.yaml is the template of the storage example's stack/],
  ])('refuses a template of the other kind (%#)', (template, kind, message) => {
    expect(() => checkTemplate(template, 't.yaml', kind, DEFAULTS, ROLE)).toThrow(StackError);
    expect(() => checkTemplate(template, 't.yaml', kind, DEFAULTS, ROLE)).toThrow(message);
  });

  it('says a missing template file is missing', () => {
    expect(() => readTemplate('/no/such/template.yaml')).toThrow(
      'The template to deploy, /no/such/template.yaml: no such file.',
    );
  });
});

describe("checkTemplate: a user's template", () => {
  const nested = readTemplate(`${PROJECT_ROOT}/examples/nested-provider.yaml`);
  const own = readTemplate(`${PROJECT_ROOT}/test/fixtures/templates/own-link.yaml`);

  it("finds the role of a template nesting the provider in the output whose value is its link's RoleArn", () => {
    expect(checkTemplate(nested, 'n.yaml', STACK_KINDS.api, DEFAULTS, ROLE)).toEqual({
      parameters: DEFAULT_PARAMETERS,
      links: ['MyLink'],
      role: { kind: 'output', output: 'SnowflakeRoleArn' },
      statusOutput: undefined,
      projectKind: undefined,
    });
  });

  it('takes a role given as a parameter, under the parameter names given', () => {
    expect(checkTemplate(own, 'own.yaml', STACK_KINDS.api, USER_NAMES, ROLE)).toMatchObject({
      parameters: USER_NAMES.parameters,
      role: { kind: 'parameter', parameter: 'ExistingRoleArn' },
      statusOutput: undefined,
    });
  });

  it('refuses default names the link is not fed by, naming the parameters it is fed by', () => {
    expect(() => checkTemplate(own, 'own.yaml', STACK_KINDS.api, DEFAULTS, ROLE)).toThrow(
      'own.yaml: no Custom::SnowflakeTrustLink takes SnowflakeIamUserArn from parameter SnowflakeIamUserArn and ' +
        'SnowflakeExternalId from parameter SnowflakeExternalId (Link takes SnowflakeIamUserArn from IntegrationUser ' +
        'and SnowflakeExternalId from IntegrationIds). Give --user-arn-parameter and --external-id-parameter',
    );
  });

  it('takes --role-output over what the template says, and refuses an output the template lacks', () => {
    const options = { ...DEFAULTS, roleOutput: 'SnowflakeRoleArn' };

    expect(checkTemplate(nested, 'n.yaml', STACK_KINDS.api, options, ROLE).role).toEqual({
      kind: 'output',
      output: 'SnowflakeRoleArn',
    });
    expect(() =>
      checkTemplate(nested, 'n.yaml', STACK_KINDS.api, { ...DEFAULTS, roleOutput: 'RoleArn' }, ROLE),
    ).toThrow('--role-output RoleArn: n.yaml declares no such output (it has SnowflakeRoleArn).');
  });

  const link = (properties: Record<string, unknown>) => ({
    Type: 'Custom::SnowflakeTrustLink',
    Properties: properties,
  });
  const fed = {
    SnowflakeIamUserArn: { Ref: 'SnowflakeIamUserArn' },
    SnowflakeExternalId: { Ref: 'SnowflakeExternalId' },
  };
  const params = { SnowflakeIamUserArn: {}, SnowflakeExternalId: {} };

  it.each([
    ['no link at all', { Resources: {} }, /t.yaml has no Custom::SnowflakeTrustLink resource/],
    [
      'a link whose role no output names',
      { Parameters: params, Resources: { L: link({ ...fed, RoleArn: { 'Fn::GetAtt': ['R', 'Arn'] } }) } },
      /t.yaml: L's RoleArn is \{"Fn::GetAtt":\["R","Arn"\]\}, and no output has that value.* give --role-output NAME/,
    ],
    [
      'the parameters undeclared',
      { Parameters: { SnowflakeIamUserArn: {} }, Resources: { L: link({ ...fed, RoleArn: ROLE }) } },
      /t.yaml declares no parameter SnowflakeExternalId: sam deploy passes the values as parameters/,
    ],
    [
      "an ARN written in the template that is not the integration's",
      { Parameters: params, Resources: { L: link({ ...fed, RoleArn: `${ROLE}2` }) } },
      /API_AWS_ROLE_ARN is .*role\/myrole, but t.yaml links .*role\/myrole2 \(the link's RoleArn in the template\)/,
    ],
  ])('refuses %s, naming what is missing', (_case, template, message) => {
    expect(() => checkTemplate(template, 't.yaml', STACK_KINDS.api, DEFAULTS, ROLE)).toThrow(StackError);
    expect(() => checkTemplate(template, 't.yaml', STACK_KINDS.api, DEFAULTS, ROLE)).toThrow(message);
  });

  it('matches !GetAtt R.Arn in an output to Fn::GetAtt [R, Arn] in the link', () => {
    const template = {
      Parameters: params,
      Resources: { L: link({ ...fed, RoleArn: { 'Fn::GetAtt': ['R', 'Arn'] } }) },
      Outputs: { Other: { Value: 'x' }, TheRole: { Value: { 'Fn::GetAtt': 'R.Arn' } } },
    };

    expect(checkTemplate(template, 't.yaml', STACK_KINDS.api, DEFAULTS, ROLE).role).toEqual({
      kind: 'output',
      output: 'TheRole',
    });
  });
});

describe('checkStackRole', () => {
  function stack(outputs: Record<string, string>, parameters: Record<string, string> = {}): DeployedStack {
    return {
      name: 'demo',
      status: 'UPDATE_COMPLETE',
      parameters: new Map(Object.entries(parameters)),
      outputs: new Map(Object.entries(outputs)),
    };
  }
  const gateway = { parameters: DEFAULT_PARAMETERS, links: ['SnowflakeTrustLink'] };
  const API = {
    ...gateway,
    role: { kind: 'output', output: 'ApiAwsRoleArn' },
    projectKind: STACK_KINDS.api,
  } as const;
  const STORAGE = {
    ...gateway,
    role: { kind: 'output', output: 'StorageAwsRoleArn' },
    projectKind: STACK_KINDS.storage,
  } as const;

  it('accepts the stack that links the role the integration names', () => {
    expect(() => checkStackRole(stack({ ApiAwsRoleArn: ROLE }), ROLE, API, STACK_KINDS.api)).not.toThrow();
  });

  it.each([
    [
      { ApiAwsRoleArn: `${ROLE}2` },
      API,
      STACK_KINDS.api,
      /API_AWS_ROLE_ARN is .*role\/myrole, but stack demo links .*role\/myrole2 \(output ApiAwsRoleArn\)/,
    ],
    [
      { StorageAwsRoleArn: ROLE },
      API,
      STACK_KINDS.api,
      /is the storage example's stack .*, not the gateway stack/,
    ],
    [
      { Other: 'x' },
      STORAGE,
      STACK_KINDS.storage,
      /has no StorageAwsRoleArn output \(status UPDATE_COMPLETE\)/,
    ],
  ])('refuses the stack with outputs %j', (outputs, contract, kind, message) => {
    expect(() => checkStackRole(stack(outputs), ROLE, contract, kind)).toThrow(message);
  });

  it("reads a user's stack's role from the parameter its template names, and names what the stack lacks", () => {
    const own = { ...gateway, role: { kind: 'parameter', parameter: 'ExistingRoleArn' } } as const;
    const nested = { ...gateway, role: { kind: 'output', output: 'SnowflakeRoleArn' } } as const;

    expect(() =>
      checkStackRole(stack({}, { ExistingRoleArn: ROLE }), ROLE, own, STACK_KINDS.api),
    ).not.toThrow();
    expect(() =>
      checkStackRole(stack({}, { ExistingRoleArn: `${ROLE}2` }), ROLE, own, STACK_KINDS.api),
    ).toThrow(/but stack demo links .*myrole2 \(parameter ExistingRoleArn\)/);
    expect(() => checkStackRole(stack({ ApiAwsRoleArn: ROLE }), ROLE, nested, STACK_KINDS.api)).toThrow(
      /^Stack demo has no output SnowflakeRoleArn \(status UPDATE_COMPLETE\), which the template's link names its role by/,
    );
  });
});
