// The construct library's behaviour as users rely on it, read from the synthesized template with
// aws-cdk-lib/assertions: one provider per stack granted only what the stack's resources name, the wiring
// of the one-deploy flow, and the functions' limits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnCondition, CfnParameter, type CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../cdk/scripts/assets';
import { SnowflakeConnection, SnowflakeStorageIntegration, SnowflakeTrustLink } from '../../cdk/src';
import { checkEventAge } from '../../scripts/template-check/event-age';
import {
  EXTERNAL_ID,
  newApp,
  oneDeployStack,
  prepareBundles,
  SECRET_ARN,
  snowflakeRole,
  twoStepLink,
  USER_ARN,
} from './stacks';

beforeAll(prepareBundles);

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

function only<T>(record: Record<string, T>): [string, T] {
  const entries = Object.entries(record);
  expect(entries).toHaveLength(1);
  return entries[0] as [string, T];
}

type PolicyDocument = { Statement: Array<Record<string, unknown>> };

/** Every statement of the role's own (inline) policies. */
function inlineStatementsOfRole(template: Template, roleId: string): Array<Record<string, unknown>> {
  const role = template.toJSON().Resources[roleId];
  const policies = (role.Properties.Policies ?? []) as Array<{ PolicyDocument: PolicyDocument }>;
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

/** Every statement of the role's inline policies and of the policies attached to it. */
function statementsOfRole(template: Template, roleId: string): Array<Record<string, unknown>> {
  return [
    ...inlineStatementsOfRole(template, roleId),
    ...Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((policy) => (policy.Properties.PolicyDocument as PolicyDocument).Statement),
  ];
}

function roleOfFunction(template: Template, functionId: string): string {
  const fn = template.toJSON().Resources[functionId];
  return fn.Properties.Role['Fn::GetAtt'][0];
}

function functionIdFor(template: Template, customType: string): string {
  const [resource] = Object.values(resourcesOf(template, customType));
  if (resource === undefined) throw new Error(`No ${customType} in the template.`);
  return (resource.Properties.ServiceToken as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

describe('SnowflakeTrustLink', () => {
  it('links the role with the values given, through a custom resource with a 300 s ServiceTimeout', () => {
    const stack = new Stack(newApp(), 'Two');
    const role = snowflakeRole(stack);
    twoStepLink(stack, role);

    Template.fromStack(stack).hasResourceProperties('Custom::SnowflakeTrustLink', {
      ServiceTimeout: '300',
      RoleArn: { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] },
      SnowflakeIamUserArn: USER_ARN,
      SnowflakeExternalId: [EXTERNAL_ID],
      StatementSid: Match.absent(),
    });
  });

  it('makes one link function per stack however many links, granted exactly the roles they name', () => {
    const stack = new Stack(newApp(), 'Many');
    const first = snowflakeRole(stack, 'First');
    const second = snowflakeRole(stack, 'Second');
    const unlinked = snowflakeRole(stack, 'Unlinked');
    twoStepLink(stack, first, 'A');
    twoStepLink(stack, second, 'B');
    new SnowflakeTrustLink(stack, 'C', {
      role: first,
      iamUserArn: USER_ARN,
      externalIds: ['other'],
      statementSid: 'Storage',
    });
    const template = Template.fromStack(stack);

    const functionId = functionIdFor(template, 'Custom::SnowflakeTrustLink');
    expect(Object.keys(resourcesOf(template, 'AWS::Lambda::Function'))).toEqual([functionId]);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    const tokens = Object.values(resourcesOf(template, 'Custom::SnowflakeTrustLink')).map(
      (link) => link.Properties.ServiceToken,
    );
    expect(new Set(tokens.map((t) => JSON.stringify(t))).size).toBe(1);
    const iamStatement = inlineStatementsOfRole(template, roleOfFunction(template, functionId)).find(
      (s) => s.Sid === 'LinkSnowflakeRoleTrust',
    );
    const arnOf = (role: iam.Role) => ({
      'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'],
    });
    expect(iamStatement?.Action).toEqual([
      'iam:GetRole',
      'iam:UpdateAssumeRolePolicy',
      'iam:TagRole',
      'iam:UntagRole',
    ]);
    expect(iamStatement?.Resource).toEqual([arnOf(first), arnOf(second)]);
    expect(JSON.stringify(iamStatement)).not.toContain(JSON.stringify(arnOf(unlinked)));
  });

  it('serves its own stack only: the function knows its stack id and its lock table, and each stack has its own', () => {
    const app = newApp();
    const one = new Stack(app, 'One');
    const two = new Stack(app, 'Two');
    twoStepLink(one, snowflakeRole(one));
    twoStepLink(two, snowflakeRole(two));

    for (const stack of [one, two]) {
      const template = Template.fromStack(stack);
      const [tableId] = only(resourcesOf(template, 'AWS::DynamoDB::Table'));
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            TRUST_LINK_STACK_ID: { Ref: 'AWS::StackId' },
            TRUST_LINK_LOCK_TABLE: { Ref: tableId },
          },
        },
      });
      const functionId = functionIdFor(template, 'Custom::SnowflakeTrustLink');
      // On the role itself, as template.yaml has it: granted as early as the role exists (issue 14, item 7).
      expect(inlineStatementsOfRole(template, roleOfFunction(template, functionId))).toContainEqual({
        Sid: 'TakeLeasesOnRoles',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      });
    }
  });

  it('takes its values from parameters, made only once both are given (the two-step flow of docs/cdk.md)', () => {
    const stack = new Stack(newApp(), 'Params');
    const role = snowflakeRole(stack);
    const userArn = new CfnParameter(stack, 'SnowflakeIamUserArn', { default: '' });
    const externalIds = new CfnParameter(stack, 'SnowflakeExternalId', { default: '' });
    const ready = new CfnCondition(stack, 'LinkReady', {
      expression: Fn.conditionNot(
        Fn.conditionOr(
          Fn.conditionEquals(userArn.valueAsString, ''),
          Fn.conditionEquals(externalIds.valueAsString, ''),
        ),
      ),
    });
    const link = new SnowflakeTrustLink(stack, 'Link', {
      role,
      iamUserArn: userArn.valueAsString,
      externalIds: Fn.split(',', externalIds.valueAsString),
    });
    (link.node.findChild('Resource').node.defaultChild as CfnResource).cfnOptions.condition = ready;

    Template.fromStack(stack).hasResource('Custom::SnowflakeTrustLink', {
      Condition: 'LinkReady',
      Properties: {
        SnowflakeIamUserArn: { Ref: 'SnowflakeIamUserArn' },
        SnowflakeExternalId: { 'Fn::Split': [',', { Ref: 'SnowflakeExternalId' }] },
      },
    });
  });

  it('refuses an empty list of external ids at synthesis', () => {
    const stack = new Stack(newApp(), 'Empty');
    expect(
      () =>
        new SnowflakeTrustLink(stack, 'Link', {
          role: snowflakeRole(stack),
          iamUserArn: USER_ARN,
          externalIds: [],
        }),
    ).toThrow(/externalIds needs at least one external id/);
  });
});

describe('the functions', () => {
  it('never retry an event, drop one older than 60 s, and finish within the resources ServiceTimeout', () => {
    const { stack } = oneDeployStack(newApp());
    const template = Template.fromStack(stack);

    const configs = resourcesOf(template, 'AWS::Lambda::EventInvokeConfig');
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    expect(Object.keys(configs)).toHaveLength(2);
    for (const config of Object.values(configs)) {
      expect(config.Properties).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
      const fn = functions[(config.Properties.FunctionName as { Ref: string }).Ref];
      expect(fn?.Properties.Runtime).toBe('nodejs22.x');
      // A late event plus a whole run still answers before CloudFormation gives up on the resource.
      expect(60 + Number(fn?.Properties.Timeout)).toBeLessThan(300);
    }
    for (const type of [
      'Custom::SnowflakeTrustLink',
      'Custom::SnowflakeTrustLinkRevocation',
      'Custom::SnowflakeApiIntegration',
      'Custom::SnowflakeExternalFunction',
    ]) {
      template.hasResourceProperties(type, { ServiceTimeout: '300' });
    }
  });

  it("pass the project's event-age check: every custom resource's ServiceTimeout outlasts age + Timeout", () => {
    const { stack } = oneDeployStack(newApp());
    const template = Template.fromStack(stack).toJSON();
    const customResources = Object.values(template.Resources as Resources).filter((r) =>
      r.Type.startsWith('Custom::'),
    );

    expect(customResources).toHaveLength(4);
    expect(checkEventAge(template)).toEqual([]);
    // The control: without its EventInvokeConfig a function's events could wait six hours.
    for (const [id, resource] of Object.entries(template.Resources as Resources)) {
      if (resource.Type === 'AWS::Lambda::EventInvokeConfig') delete template.Resources[id];
    }
    expect(checkEventAge(template).map((p) => p.message)).toEqual(
      Array(4).fill('is missing: give it a number'),
    );
  });

  it('run the bundles npm run build wrote to dist/, staged as they are', () => {
    const app = newApp();
    const { stack } = oneDeployStack(app);
    const assembly = app.synth();
    const template = Template.fromStack(stack);

    const staged = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map((fn) => {
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      return digestOf(join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`));
    });
    expect(staged.sort()).toEqual([digestOf('dist/trust-link'), digestOf('dist/snowflake')].sort());
  });

  it('keep their logs in a log group of their own that outlives the stack', () => {
    const { stack } = oneDeployStack(newApp());
    const template = Template.fromStack(stack);

    const groups = template.findResources('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 30 },
    });
    expect(Object.keys(groups)).toHaveLength(2);
    for (const [id, fn] of Object.entries(resourcesOf(template, 'AWS::Lambda::Function'))) {
      expect(Object.keys(groups)).toContain(
        (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref,
      );
      expect(statementsOfRole(template, roleOfFunction(template, id))).toContainEqual(
        expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
      );
    }
  });
});

describe('SnowflakeApiIntegration and SnowflakeExternalFunction: one deploy', () => {
  it('links the role from what the integration answers, trusting every external id in use', () => {
    const { stack, integration } = oneDeployStack(newApp());
    const template = Template.fromStack(stack);
    const [integrationId] = only(resourcesOf(template, 'Custom::SnowflakeApiIntegration'));

    template.hasResourceProperties('Custom::SnowflakeApiIntegration', {
      Connection: SECRET_ARN,
      IntegrationName: 'echo_api',
      ApiProvider: 'aws_api_gateway',
      AllowedPrefixes: ['https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/'],
    });
    template.hasResourceProperties('Custom::SnowflakeTrustLink', {
      SnowflakeIamUserArn: { 'Fn::GetAtt': [integrationId, 'IamUserArn'] },
      SnowflakeExternalId: { 'Fn::Split': [',', { 'Fn::GetAtt': [integrationId, 'TrustedExternalIds'] }] },
      CurrentExternalId: { 'Fn::GetAtt': [integrationId, 'ExternalId'] },
    });
    expect(stack.resolve(integration.iamUserArn)).toEqual({ 'Fn::GetAtt': [integrationId, 'IamUserArn'] });
    expect(stack.resolve(integration.externalId)).toEqual({ 'Fn::GetAtt': [integrationId, 'ExternalId'] });
  });

  it('revokes a rotation’s old id in the cleanup: a revocation replaced with the current id, served by the link function', () => {
    const { stack, integration } = oneDeployStack(newApp());
    const template = Template.fromStack(stack);
    const [linkId] = only(resourcesOf(template, 'Custom::SnowflakeTrustLink'));

    const [revocationId, revocation] = only(resourcesOf(template, 'Custom::SnowflakeTrustLinkRevocation'));
    expect(revocation.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [functionIdFor(template, 'Custom::SnowflakeTrustLink'), 'Arn'] },
      ServiceTimeout: '300',
      RoleArn: { 'Fn::GetAtt': [linkId, 'RoleArn'] },
      CurrentExternalId: { 'Fn::GetAtt': [linkId, 'CurrentExternalId'] },
    });
    // Made with the link function's grants, which its Delete in the cleanup needs too.
    const policyId = Object.keys(resourcesOf(template, 'AWS::IAM::Policy')).find((id) =>
      id.startsWith('SnowflakeTrustLinkProvider'),
    );
    expect(revocation.DependsOn).toContain(policyId);
    expect(revocationId.startsWith('Integration')).toBe(true);
    expect(stack.resolve(integration.retiredExternalIds)).toEqual({
      'Fn::GetAtt': [linkId, 'RetiringExternalIds'],
    });
  });

  it('gives a revocation the Sid of its link when the link names one', () => {
    const stack = new Stack(newApp(), 'Sid');
    new SnowflakeStorageIntegration(stack, 'Stage', {
      connection: SnowflakeConnection.fromSecret(
        secretsmanager.Secret.fromSecretCompleteArn(stack, 'Connection', SECRET_ARN),
      ),
      integrationName: 'stage_integration',
      role: snowflakeRole(stack),
      allowedLocations: ['s3://my-bucket/data/'],
      statementSid: 'Storage',
    });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('Custom::SnowflakeTrustLink', { StatementSid: 'Storage' });
    template.hasResourceProperties('Custom::SnowflakeTrustLinkRevocation', { StatementSid: 'Storage' });
  });

  it('creates the external function only once the link is in force, and tells it what the link wrote', () => {
    const { stack, integration } = oneDeployStack(newApp());
    const template = Template.fromStack(stack);
    const linkId = stack.getLogicalId(
      integration.link.node.findChild('Resource').node.defaultChild as iam.CfnRole,
    );

    const [, fn] = only(resourcesOf(template, 'Custom::SnowflakeExternalFunction'));
    // CloudFormation creates a resource after every resource whose attribute it reads.
    expect(fn.Properties).toMatchObject({
      Database: 'ANALYTICS',
      Schema: 'PUBLIC',
      FunctionName: 'echo',
      Arguments: 'value VARIANT',
      Returns: 'VARIANT',
      Verify: "'hello'",
      TrustedRoleArn: { 'Fn::GetAtt': [linkId, 'RoleArn'] },
      TrustedExternalIds: { 'Fn::GetAtt': [linkId, 'ExternalIds'] },
    });
  });

  it('grants the Snowflake function the connection secret read only, and the link function no secret', () => {
    const { stack } = oneDeployStack(newApp());
    const template = Template.fromStack(stack);
    const snowflakeRoleId = roleOfFunction(
      template,
      functionIdFor(template, 'Custom::SnowflakeApiIntegration'),
    );
    const linkRoleId = roleOfFunction(template, functionIdFor(template, 'Custom::SnowflakeTrustLink'));

    const statements = statementsOfRole(template, snowflakeRoleId);
    expect(statements.filter((s) => s.Sid !== undefined)).toEqual([
      {
        Sid: 'ReadSnowflakeConnection',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: SECRET_ARN,
      },
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/"iam:|sts:/);
    expect(JSON.stringify(statementsOfRole(template, linkRoleId))).not.toMatch(/secretsmanager|sts:/);
  });

  it('grants a secret imported by name or partial ARN under its ARN and its ARN with the random suffix', () => {
    const { stack } = oneDeployStack(newApp(), 'Partial', (s) =>
      SnowflakeConnection.fromSecret(secretsmanager.Secret.fromSecretNameV2(s, 'ByName', 'snowflake/conn')),
    );
    const template = Template.fromStack(stack);
    const roleId = roleOfFunction(template, functionIdFor(template, 'Custom::SnowflakeApiIntegration'));

    const read = statementsOfRole(template, roleId).find((s) => s.Sid === 'ReadSnowflakeConnection');
    expect(JSON.stringify(stack.resolve(read?.Resource))).toMatch(
      /secret:snowflake\/conn"\]\]\},\{"Fn::Join":\["",\[.*secret:snowflake\/conn-\?\?\?\?\?\?"\]\]\}\]$/,
    );
  });

  it('decrypts a secret under its own KMS key only through Secrets Manager', () => {
    const { stack } = oneDeployStack(newApp(), 'Encrypted', (s) =>
      SnowflakeConnection.fromSecret(
        new secretsmanager.Secret(s, 'Owned', {
          encryptionKey: new kms.Key(s, 'Key', { enableKeyRotation: true }),
        }),
      ),
    );
    const template = Template.fromStack(stack);
    const roleId = roleOfFunction(template, functionIdFor(template, 'Custom::SnowflakeApiIntegration'));

    expect(statementsOfRole(template, roleId)).toContainEqual(
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Condition: {
          StringEquals: {
            'kms:ViaService': {
              'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
            },
          },
        },
      }),
    );
    expect(
      statementsOfRole(template, roleId).find((s) => s.Sid === 'ReadSnowflakeConnection')?.Resource,
    ).toEqual({
      Ref: stack.getLogicalId(stack.node.findChild('Owned').node.defaultChild as secretsmanager.CfnSecret),
    });
  });

  it('reads two connections of one stack through one statement, so that its Sid stays unique', () => {
    const stack = new Stack(newApp(), 'TwoSecrets');
    const role = snowflakeRole(stack);
    const other = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:snowflake/other-GhIjKl';
    for (const [id, arn] of [
      ['A', SECRET_ARN],
      ['B', other],
    ] as const) {
      new SnowflakeStorageIntegration(stack, id, {
        connection: SnowflakeConnection.fromSecret(
          secretsmanager.Secret.fromSecretCompleteArn(stack, `${id}Secret`, arn),
        ),
        integrationName: `stage_${id}`,
        role,
        allowedLocations: ['s3://my-bucket/data/'],
        statementSid: `Storage${id}`,
      });
    }
    const template = Template.fromStack(stack);
    const roleId = roleOfFunction(template, functionIdFor(template, 'Custom::SnowflakeStorageIntegration'));

    const reads = statementsOfRole(template, roleId).filter((s) => s.Sid === 'ReadSnowflakeConnection');
    expect(reads).toEqual([expect.objectContaining({ Resource: [SECRET_ARN, other] })]);
  });

  it('has no workload identity sign-in: Snowflake documents no SQL API token form for it', () => {
    expect(Object.keys(SnowflakeConnection)).not.toContain('workloadIdentity');
    expect((SnowflakeConnection as unknown as Record<string, unknown>).workloadIdentity).toBeUndefined();
  });

  it('serves its own stack only: the Snowflake function knows its stack id, and each stack has its own', () => {
    const app = newApp();
    const stacks = [oneDeployStack(app, 'One').stack, oneDeployStack(app, 'Two').stack];

    for (const stack of stacks) {
      const template = Template.fromStack(stack);
      const functionId = functionIdFor(template, 'Custom::SnowflakeApiIntegration');
      expect(functionIdFor(template, 'Custom::SnowflakeExternalFunction')).toBe(functionId);
      expect(template.toJSON().Resources[functionId].Properties.Environment).toEqual({
        Variables: { SNOWFLAKE_STACK_ID: { Ref: 'AWS::StackId' } },
      });
    }
  });

  it('creates a storage integration that links its role the same way', () => {
    const stack = new Stack(newApp(), 'Storage');
    const role = snowflakeRole(stack);
    const connection = SnowflakeConnection.fromSecret(
      secretsmanager.Secret.fromSecretCompleteArn(stack, 'Connection', SECRET_ARN),
    );
    const storage = new SnowflakeStorageIntegration(stack, 'Stage', {
      connection,
      integrationName: 'stage_integration',
      role,
      allowedLocations: ['s3://my-bucket/data/'],
      rotation: 'r2',
    });
    const template = Template.fromStack(stack);
    const [storageId] = only(resourcesOf(template, 'Custom::SnowflakeStorageIntegration'));

    template.hasResourceProperties('Custom::SnowflakeStorageIntegration', {
      IntegrationName: 'stage_integration',
      AllowedLocations: ['s3://my-bucket/data/'],
      Rotation: 'r2',
      ApiProvider: Match.absent(),
    });
    template.hasResourceProperties('Custom::SnowflakeTrustLink', {
      SnowflakeIamUserArn: { 'Fn::GetAtt': [storageId, 'IamUserArn'] },
    });
    expect(stack.resolve(storage.externalId)).toEqual({ 'Fn::GetAtt': [storageId, 'ExternalId'] });
  });
});

describe('the package', () => {
  it('declares aws-cdk-lib and constructs as peer dependencies only, and ships the compiled library and bundles', () => {
    const manifest = JSON.parse(readFileSync('cdk/package.json', 'utf8'));

    expect(manifest).toMatchObject({
      name: 'snowflake-trust-link-cdk',
      version: '0.2.0',
      license: 'Apache-2.0',
      main: 'lib/index.js',
      types: 'lib/index.d.ts',
    });
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.files).toEqual(expect.arrayContaining(['assets/trust-link/**', 'assets/snowflake/**']));
  });
});
