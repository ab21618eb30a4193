// A user's own gateway stack (examples/nested-provider.yaml) nesting the link provider
// (providers/trust-link-provider.yaml), deployed by the lab's CloudFormation with the built bundle:
// create, rotate, rename, unlink, delete; the role's trust and the link's records checked after each.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, loadTemplate, type Stack, type Template } from '../../lab';
import { SNOWFLAKE_USER } from '../helpers/trust';
import {
  EXTERNAL_ID,
  expectLinked,
  expectUnlinked,
  NEW_EXTERNAL_ID,
  nestedStackOf,
  requestLines,
  startProviderLab,
} from './provider-lab';

let lab: Lab;
let stack: Stack;
let template: Template;
let roleName: string;
let serviceToken: string;

beforeAll(async () => {
  lab = await startProviderLab({ templateDir: 'examples' });
  template = loadTemplate('examples/nested-provider.yaml');
  stack = lab.cfn.stack('gateway');
});

afterEach(async () => {
  await lab.cfn.settled();
  expect(lab.cfn.violations).toEqual([]);
});

afterAll(async () => {
  await lab?.close();
});

/** The user's template with the link under another logical id. */
function renamed(from: string, to: string): Template {
  const changed = structuredClone(template);
  const { [from]: link, ...others } = changed.Resources;
  changed.Resources = { ...others, [to]: link as Template['Resources'][string] };
  return changed;
}

describe('the link provider nested in a user’s own stack', () => {
  it('creates the provider and the link; the link’s request carries the user’s stack id', async () => {
    const result = await stack.create(template, {
      SnowflakeIamUserArn: SNOWFLAKE_USER,
      SnowflakeExternalId: EXTERNAL_ID,
    });

    expect(result.status).toBe('CREATE_COMPLETE');
    roleName = stack.resource('MyRole')?.physicalId ?? '';
    serviceToken = String(stack.resource('MyLink')?.properties.ServiceToken);
    const provider = nestedStackOf(lab, stack, 'TrustLinkProvider');
    expect(serviceToken).toBe(provider.resource('TrustLinkFunction')?.attributes.Arn);
    expect(requestLines(result.requests)).toEqual(['Create MyLink SUCCESS']);
    expect(result.requests[0]?.event.StackId).toBe(stack.stackId);
    expectLinked(lab, roleName, [EXTERNAL_ID], ['gateway/MyLink']);
  });

  it('gives the provider’s function only the listed role, its own table and the user’s stack id', () => {
    const provider = nestedStackOf(lab, stack, 'TrustLinkProvider');
    const role = provider.resource('TrustLinkFunctionRole')?.properties;
    const [policy] = (role?.Policies ?? []) as Array<{ PolicyDocument: { Statement: unknown[] } }>;
    expect(policy?.PolicyDocument.Statement).toEqual([
      {
        Sid: 'LinkListedRolesTrust',
        Effect: 'Allow',
        Action: ['iam:GetRole', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole'],
        Resource: [stack.resource('MyRole')?.attributes.Arn],
      },
      {
        Sid: 'TakeLeasesOnRoles',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: provider.resource('LinkLockTable')?.attributes.Arn,
      },
    ]);
    const environment = provider.resource('TrustLinkFunction')?.properties.Environment;
    const variables = (environment as { Variables?: object } | undefined)?.Variables;
    expect(variables).toEqual({
      TRUST_LINK_LOCK_TABLE: provider.resource('LinkLockTable')?.physicalId,
      TRUST_LINK_STACK_ID: stack.stackId,
    });
  });

  it('rotates the external id in place: an Update, the same link, the new id only', async () => {
    const result = await stack.update({ parameters: { SnowflakeExternalId: NEW_EXTERNAL_ID } });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Update MyLink SUCCESS']);
    expect(result.events.filter((e) => e.logicalResourceId === 'TrustLinkProvider')).toEqual([]);
    expectLinked(lab, roleName, [NEW_EXTERNAL_ID], ['gateway/MyLink']);
  });

  it('keeps the link through a rename: the new resource shares it, the old one’s Delete takes only its record', async () => {
    const result = await stack.update({ template: renamed('MyLink', 'GatewayLink') });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Create GatewayLink SUCCESS', 'Delete MyLink SUCCESS']);
    expect(stack.resource('GatewayLink')?.properties.ServiceToken).toBe(serviceToken);
    expectLinked(lab, roleName, [NEW_EXTERNAL_ID], ['gateway/GatewayLink']);
  });

  it('refuses another stack that borrows the provider’s ServiceToken, and changes nothing', async () => {
    const intruder = lab.cfn.stack('intruder');
    const before = lab.iam.trustPolicyText(roleName);

    const result = await intruder.create({
      Resources: {
        Borrowed: {
          Type: 'Custom::SnowflakeTrustLink',
          Properties: {
            ServiceToken: serviceToken,
            ServiceTimeout: 300,
            RoleArn: stack.resource('MyRole')?.attributes.Arn,
            SnowflakeIamUserArn: SNOWFLAKE_USER,
            SnowflakeExternalId: 'INTRUDER_SFCRole=2_abc',
          },
        },
      },
    });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.requests[0]?.reason).toContain("links only that stack's roles");
    expect(lab.iam.trustPolicyText(roleName)).toBe(before);
    expectLinked(lab, roleName, [NEW_EXTERNAL_ID], ['gateway/GatewayLink']);
  });

  it('unlinks when the values are emptied: the placeholder back, no record left', async () => {
    const result = await stack.update({
      template: renamed('MyLink', 'GatewayLink'),
      parameters: { SnowflakeIamUserArn: '', SnowflakeExternalId: '' },
    });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Delete GatewayLink SUCCESS']);
    expectUnlinked(lab, roleName);
  });

  it('deletes the stack and everything the provider brought: its role, its table, its function’s stack', async () => {
    await stack.update({
      template: renamed('MyLink', 'GatewayLink'),
      parameters: { SnowflakeIamUserArn: SNOWFLAKE_USER, SnowflakeExternalId: EXTERNAL_ID },
    });
    const provider = nestedStackOf(lab, stack, 'TrustLinkProvider');
    const functionRole = provider.resource('TrustLinkFunctionRole')?.physicalId ?? '';
    const table = provider.resource('LinkLockTable')?.physicalId ?? '';
    expectLinked(lab, roleName, [EXTERNAL_ID], ['gateway/GatewayLink']);
    const from = lab.iam.calls.length;

    const result = await stack.delete();

    expect(result.status).toBe('DELETE_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Delete GatewayLink SUCCESS']);
    // The link's Delete wrote the role back and took its record before the role itself was deleted.
    const actions = lab.iam.calls
      .slice(from)
      .filter((c) => c.roleName === roleName)
      .map((c) => c.action);
    expect(actions).toEqual(expect.arrayContaining(['UpdateAssumeRolePolicy', 'UntagRole']));
    expect(actions.at(-1)).toBe('DeleteRole');
    expect(lab.iam.role(roleName)).toBeUndefined();
    expect(lab.iam.role(functionRole)).toBeUndefined();
    expect(lab.dynamodb.hasTable(table)).toBe(false);
    expect(provider.resource('TrustLinkFunction')).toBeUndefined();
  });
});
