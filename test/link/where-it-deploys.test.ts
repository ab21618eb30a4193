import { describe, expect, it } from 'vitest';
import type { StackSelection } from '../../scripts/link/cli-options';
import { deployTarget, samconfigDir } from '../../scripts/link/deploy-target';
import type { DeployedStack } from '../../scripts/link/deployed-stack';
import { StackError } from '../../scripts/link/errors';
import { STACK_KINDS } from '../../scripts/link/stack-kind';
import { checkStackRole, checkTemplateKind } from '../../scripts/link/target-check';
import { readTemplate } from '../../scripts/link/template-file';
import { PROJECT_ROOT } from './cli-harness';

const CWD = '/project';
const NO_FILES = () => false;
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
    const target = deployTarget({}, 'storage', NO_SAMCONFIG, CWD, NO_FILES);

    expect(target).toMatchObject({
      stackName: 'snowflake-stage',
      templatePath: '/project/examples/storage-integration.yaml',
      selection: { stackName: 'snowflake-stage', templateFile: 'examples/storage-integration.yaml' },
    });
  });

  it("takes the storage stack from the example's samconfig, in its default environment or the one chosen", () => {
    const samconfig = { ...NO_SAMCONFIG, stackName: 'my-stage', templateFile: 'ignored.yaml' };

    expect(deployTarget({}, 'storage', samconfig, CWD, NO_FILES)).toMatchObject({
      stackName: 'my-stage',
      templatePath: '/project/examples/storage-integration.yaml',
    });
    expect(deployTarget({ configEnv: 'stage' }, 'storage', samconfig, CWD, NO_FILES).stackName).toBe(
      'my-stage',
    );
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
    expect(samconfigDir(given, kind, CWD)).toBe(dir);
  });
});

describe('checkTemplateKind', () => {
  const gateway = readTemplate(`${PROJECT_ROOT}/template.yaml`);
  const storage = readTemplate(`${PROJECT_ROOT}/examples/storage-integration.yaml`);

  it("accepts each project template for its own stack's kind", () => {
    expect(() => checkTemplateKind(gateway, 'template.yaml', STACK_KINDS.api)).not.toThrow();
    expect(() => checkTemplateKind(storage, 'storage.yaml', STACK_KINDS.storage)).not.toThrow();
  });

  it.each([
    [gateway, STACK_KINDS.storage, /t.yaml is the template of the gateway stack/],
    [storage, STACK_KINDS.api, /t.yaml is the template of the storage example's stack/],
    [{ Resources: {} }, STACK_KINDS.api, /t.yaml is not one of this project's templates/],
  ])('refuses a template of another kind (%#)', (template, kind, message) => {
    expect(() => checkTemplateKind(template, 't.yaml', kind)).toThrow(StackError);
    expect(() => checkTemplateKind(template, 't.yaml', kind)).toThrow(message);
  });

  it('says a missing template file is missing', () => {
    expect(() => readTemplate('/no/such/template.yaml')).toThrow(
      'The template to deploy, /no/such/template.yaml: no such file.',
    );
  });
});

describe('checkStackRole', () => {
  function stack(outputs: Record<string, string>): DeployedStack {
    return {
      name: 'demo',
      status: 'UPDATE_COMPLETE',
      parameters: new Map(),
      outputs: new Map(Object.entries(outputs)),
    };
  }

  it('accepts the stack that links the role the integration names', () => {
    expect(() => checkStackRole(stack({ ApiAwsRoleArn: ROLE }), ROLE, STACK_KINDS.api)).not.toThrow();
  });

  it.each([
    [
      { ApiAwsRoleArn: `${ROLE}2` },
      STACK_KINDS.api,
      /API_AWS_ROLE_ARN is .*role\/myrole, but stack demo links .*role\/myrole2/,
    ],
    [
      { StorageAwsRoleArn: ROLE },
      STACK_KINDS.api,
      /is the storage example's stack .*, not the gateway stack/,
    ],
    [{ Other: 'x' }, STACK_KINDS.storage, /has no StorageAwsRoleArn output \(status UPDATE_COMPLETE\)/],
  ])('refuses the stack with outputs %j', (outputs, kind, message) => {
    expect(() => checkStackRole(stack(outputs), ROLE, kind)).toThrow(message);
  });
});
