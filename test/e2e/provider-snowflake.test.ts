// A user's own stack with both providers nested (examples/nested-snowflake-provider.yaml): one deploy
// creates the API integration, the link fed by it and the external function, proven by a call; a rotation
// revokes the old external id at its cleanup; the delete removes all of it. Snowflake's catalog and the
// role's trust checked after each.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { identifier, sql, stringLiteral } from '../../handler/snowflake/client/sql';
import type { SqlApiClient } from '../../handler/snowflake/client/sql-api';
import { type Lab, mayAssumeRole, type Stack, type Template } from '../../lab';
import { startOneDeployLab } from './one-deploy-lab';
import { nestedStackOf, recordOwners, requestLines } from './provider-lab';

const BUNDLES = ['dist/snowflake/index.mjs', 'dist/trust-link/index.mjs', 'dist/echo/index.mjs'];

let lab: Lab;
let template: Template;
let secretArn: string;
let client: SqlApiClient;

beforeAll(async () => {
  ({ lab, template, secretArn, client } = await startOneDeployLab({
    templatePath: 'examples/nested-snowflake-provider.yaml',
    templateDir: 'examples',
    bundles: BUNDLES,
    secretName: 'snowflake/gateway',
  }));
});

afterEach(async () => {
  await lab.cfn.settled();
  expect(lab.cfn.violations).toEqual([]);
});

afterAll(async () => {
  await lab?.close();
});

/** Whether Snowflake's IAM user may assume the stack's role with this external id, as STS would decide. */
function snowflakeMayAssume(stack: Stack, externalId: string | undefined): boolean {
  const roleName = stack.resource('MyRole')?.physicalId ?? '';
  return mayAssumeRole(lab.iam, {
    principalArn: lab.snowflake.iamUserArn,
    roleArn: lab.iam.role(roleName)?.arn ?? '',
    externalId: externalId ?? '',
  }).allowed;
}

function catalog(): { integrations: string[]; functions: string[][] } {
  return {
    integrations: lab.snowflake.integrations().map((i) => i.name),
    functions: lab.snowflake.functions().map((f) => [f.name, f.integration]),
  };
}

describe('both providers nested in a user’s own stack', () => {
  it('creates the integration, the link and the external function in one deploy, and deletes them all', async () => {
    const stack = lab.cfn.stack('echo-gateway');

    const created = await stack.create(template, {
      SnowflakeConnection: secretArn,
      SnowflakeDatabase: 'LAB',
    });

    expect(created.events.filter((e) => e.reason).map((e) => `${e.logicalResourceId}: ${e.reason}`)).toEqual(
      [],
    );
    expect(created.status).toBe('CREATE_COMPLETE');
    expect(requestLines(created.requests)).toEqual([
      'Create MyIntegration SUCCESS',
      'Create MyLink SUCCESS',
      'Create MyLinkRevocation SUCCESS',
      'Create MyExternalFunction SUCCESS',
    ]);
    expect(created.requests.every((r) => r.event.StackId === stack.stackId)).toBe(true);
    expect(catalog()).toEqual({ integrations: ['MY_ECHO_API'], functions: [['ECHO', 'MY_ECHO_API']] });
    const roleName = stack.resource('MyRole')?.physicalId ?? '';
    const trusted = JSON.stringify(lab.iam.trustPolicy(roleName));
    expect(trusted).toContain(lab.snowflake.integration('MY_ECHO_API')?.externalId);
    expect(recordOwners(lab, roleName)).toEqual(['echo-gateway/MyLink']);
    expect(stack.outputs().ExternalFunction).toMatch(/answered "hello" at deploy time$/);
    const answer = await client.execute(
      sql`SELECT "LAB"."PUBLIC".${identifier('ECHO')}(${stringLiteral('hi')})`,
    );
    expect(answer.rows[0]?.[0]).toBe('"hi"');
    // The Snowflake function may read that one secret, by either form of its ARN, and nothing else.
    const provider = nestedStackOf(lab, stack, 'SnowflakeProvider');
    const [policy] = (provider.resource('SnowflakeFunctionRole')?.properties.Policies ?? []) as Array<{
      PolicyDocument: { Statement: unknown[] };
    }>;
    expect(policy?.PolicyDocument.Statement).toEqual([
      {
        Sid: 'ReadSnowflakeConnection',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [secretArn, `${secretArn}-??????`],
      },
    ]);

    // Unlinked before the role goes: the link's Delete runs while the role is there.
    const from = lab.iam.calls.length;
    const deleted = await stack.delete();

    expect(deleted.status).toBe('DELETE_COMPLETE');
    expect(requestLines(deleted.requests)).toEqual([
      'Delete MyExternalFunction SUCCESS',
      'Delete MyLinkRevocation SUCCESS',
      'Delete MyLink SUCCESS',
      'Delete MyIntegration SUCCESS',
    ]);
    expect(catalog()).toEqual({ integrations: [], functions: [] });
    const actions = lab.iam.calls
      .slice(from)
      .filter((c) => c.roleName === roleName)
      .map((c) => c.action);
    expect(actions).toEqual(expect.arrayContaining(['UpdateAssumeRolePolicy', 'UntagRole']));
    expect(actions.at(-1)).toBe('DeleteRole');
    expect(lab.iam.role(roleName)).toBeUndefined();
  });

  it('rotates the external id: the function moves to the new integration and the cleanup revokes the old id', async () => {
    const stack = lab.cfn.stack('echo-rotation');
    await stack.create(template, { SnowflakeConnection: secretArn, SnowflakeDatabase: 'LAB' });
    const first = lab.snowflake.integration('MY_ECHO_API')?.externalId;
    expect(snowflakeMayAssume(stack, first)).toBe(true);

    const rotated = await stack.update({ parameters: { Rotation: 'r2' } });

    expect(rotated.events.filter((e) => e.reason).map((e) => `${e.logicalResourceId}: ${e.reason}`)).toEqual(
      [],
    );
    expect(rotated.status).toBe('UPDATE_COMPLETE');
    const second = lab.snowflake.integration('MY_ECHO_API_R2')?.externalId;
    expect(second).toBeDefined();
    expect(catalog()).toEqual({ integrations: ['MY_ECHO_API_R2'], functions: [['ECHO', 'MY_ECHO_API_R2']] });
    // The old revocation's Delete in the cleanup took the old id back: any integration of the account could
    // present it again (STORAGE_AWS_EXTERNAL_ID).
    expect(requestLines(rotated.requests).filter((line) => line.includes('MyLinkRevocation'))).toEqual([
      'Update MyLinkRevocation SUCCESS',
      'Delete MyLinkRevocation SUCCESS',
    ]);
    expect(snowflakeMayAssume(stack, first)).toBe(false);
    expect(snowflakeMayAssume(stack, second)).toBe(true);
    expect(stack.outputs().RetiredExternalIds).toBe(first);
    const answer = await client.execute(
      sql`SELECT "LAB"."PUBLIC".${identifier('ECHO')}(${stringLiteral('after')})`,
    );
    expect(answer.rows[0]?.[0]).toBe('"after"');

    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [], functions: [] });
  });

  it('serves only the stack that nests it: another stack borrowing its ServiceToken makes nothing in Snowflake', async () => {
    const stack = lab.cfn.stack('echo-owner');
    await stack.create(template, { SnowflakeConnection: secretArn, SnowflakeDatabase: 'LAB' });
    const provider = nestedStackOf(lab, stack, 'SnowflakeProvider');
    const environment = provider.resource('SnowflakeFunction')?.properties.Environment as
      | { Variables?: object }
      | undefined;
    expect(environment?.Variables).toEqual({ SNOWFLAKE_STACK_ID: stack.stackId });
    const before = catalog();

    const borrowed = await lab.cfn.stack('borrower').create({
      Resources: {
        Borrowed: {
          Type: 'Custom::SnowflakeApiIntegration',
          Properties: {
            ServiceToken: stack.resource('MyIntegration')?.properties.ServiceToken,
            ServiceTimeout: 300,
            Connection: secretArn,
            IntegrationName: 'borrowed_api',
            ApiProvider: 'aws_api_gateway',
            RoleArn: stack.resource('MyRole')?.attributes.Arn,
            AllowedPrefixes: ['https://example.execute-api.us-east-1.amazonaws.com/prod/'],
          },
        },
      },
    });

    expect(borrowed.status).toBe('ROLLBACK_COMPLETE');
    expect(borrowed.requests[0]?.reason).toContain('creates objects for that stack only');
    expect(catalog()).toEqual(before);
    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [], functions: [] });
  });
});
