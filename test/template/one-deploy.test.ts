// template.yaml's one-deploy flow: what SnowflakeConnection adds, and that the two flows stay apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Json } from '../../scripts/template-check/template';
import { conditionHolds, evaluate } from './evaluate';
import {
  LINK_VALUES,
  mainTemplate,
  propertiesOf,
  ROOT,
  resourceOf,
  STACK_VALUES,
  storageTemplate,
} from './fixtures';

const template = mainTemplate;
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:snowflake/connection-AbCdEf';
const SECRET_WITHOUT_SUFFIX = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:snowflake/connection';
const OTHER_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:snowflake/connection-old-XyZ123';
const ONE_DEPLOY = { ...STACK_VALUES, SnowflakeConnection: SECRET, SnowflakeDatabase: 'LAB' };
const ONE_DEPLOY_RESOURCES = [
  'SnowflakeFunctionRole',
  'SnowflakeFunctionLogsPolicy',
  'SnowflakeFunction',
  'SnowflakeFunctionLogGroup',
  'SnowflakeApiIntegration',
  'SnowflakeLink',
  'SnowflakeExternalFunction',
];
const ATTRIBUTES = {
  'SnowflakeApiIntegration.IamUserArn': LINK_VALUES.SnowflakeIamUserArn,
  'SnowflakeApiIntegration.TrustedExternalIds': 'NEW_SFCRole=2_b=,OLD_SFCRole=2_a=',
  'SnowflakeApiIntegration.ExternalId': 'NEW_SFCRole=2_b=',
  'SnowflakeApiIntegration.IntegrationName': 'ECHO_API_INTEGRATION_R2',
  'SnowflakeLink.RoleArn': STACK_VALUES['SnowflakeRole.Arn'],
  'SnowflakeLink.ExternalIds': 'NEW_SFCRole=2_b=,OLD_SFCRole=2_a=',
  'SnowflakeLink.CurrentExternalId': 'NEW_SFCRole=2_b=',
  'SnowflakeFunction.Arn':
    'arn:aws:lambda:eu-west-1:123456789012:function:snowflake-trust-link-SnowflakeFunction-X',
};

function statementsOf(values: Record<string, unknown>): Json[] {
  const policies = evaluate(
    propertiesOf(template, 'SnowflakeFunctionRole').Policies,
    template,
    values,
  ) as Json[];
  return policies.flatMap((policy) => (policy.PolicyDocument as { Statement: Json[] }).Statement);
}

/** Whether a statement's Resource names the ARN, with IAM's wildcards: * any run of characters, ? one. */
function grants(statement: Json | undefined, arn: string): boolean {
  const resources = [statement?.Resource ?? []].flat().map(String);
  return resources.some((resource) => {
    const pattern = resource
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    return new RegExp(`^${pattern}$`).test(arn);
  });
}

describe('template.yaml: one deploy', () => {
  it.each(ONE_DEPLOY_RESOURCES)('declares %s only when SnowflakeConnection is given', (id) => {
    const condition = String(resourceOf(template, id).Condition);

    expect(conditionHolds(condition, template, ONE_DEPLOY)).toBe(true);
    expect(conditionHolds(condition, template, STACK_VALUES)).toBe(false);
  });

  it('keeps the two-step link out of the one-deploy stack, and the one-deploy link out of the two-step one', () => {
    expect(conditionHolds('LinkReady', template, ONE_DEPLOY)).toBe(false);
    expect(conditionHolds('OneDeploy', template, { ...STACK_VALUES, ...LINK_VALUES })).toBe(false);
  });

  it('deploys the Snowflake function from the bundle npm run build writes to dist/snowflake/', () => {
    const buildScript = readFileSync(join(ROOT, 'scripts/build.mjs'), 'utf8');
    const properties = propertiesOf(template, 'SnowflakeFunction');

    expect(properties.CodeUri).toBe('dist/snowflake/');
    expect(properties.Role).toEqual({ 'Fn::GetAtt': ['SnowflakeFunctionRole', 'Arn'] });
    expect(buildScript).toMatch(/const functions = \[[^\]]*'snowflake'/);
    expect(Number(properties.Timeout) * 1.5).toBeLessThanOrEqual(
      Number(propertiesOf(template, 'SnowflakeExternalFunction').ServiceTimeout),
    );
  });

  it('lets the Snowflake function read that one secret, and nothing else', () => {
    expect(statementsOf(ONE_DEPLOY)).toEqual([
      {
        Sid: 'ReadSnowflakeConnection',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [SECRET, `${SECRET}-??????`],
      },
    ]);
  });

  it.each([
    ['its full ARN', SECRET],
    ['its ARN without the random suffix', SECRET_WITHOUT_SUFFIX],
  ])('grants the secret when SnowflakeConnection is %s, and no secret named otherwise', (_given, arn) => {
    const [statement] = statementsOf({ ...ONE_DEPLOY, SnowflakeConnection: arn });

    expect(grants(statement, SECRET)).toBe(true);
    expect(grants(statement, OTHER_SECRET)).toBe(false);
  });

  it('feeds the link from the integration: its IAM user, both external ids during a rotation, and the current one', () => {
    const link = evaluate(propertiesOf(template, 'SnowflakeLink'), template, {
      ...ONE_DEPLOY,
      ...ATTRIBUTES,
    });

    expect(link).toEqual({
      ServiceToken: STACK_VALUES['TrustLinkFunction.Arn'],
      ServiceTimeout: 300,
      RoleArn: STACK_VALUES['SnowflakeRole.Arn'],
      SnowflakeIamUserArn: LINK_VALUES.SnowflakeIamUserArn,
      SnowflakeExternalId: ['NEW_SFCRole=2_b=', 'OLD_SFCRole=2_a='],
      CurrentExternalId: 'NEW_SFCRole=2_b=',
    });
  });

  it("revokes through a resource that names the link's role and current id, served by the link function", () => {
    const revocation = evaluate(propertiesOf(template, 'SnowflakeLinkRevocation'), template, {
      ...ONE_DEPLOY,
      ...ATTRIBUTES,
    });

    expect(resourceOf(template, 'SnowflakeLinkRevocation').Type).toBe('Custom::SnowflakeTrustLinkRevocation');
    expect(revocation).toEqual({
      ServiceToken: STACK_VALUES['TrustLinkFunction.Arn'],
      ServiceTimeout: 300,
      RoleArn: STACK_VALUES['SnowflakeRole.Arn'],
      CurrentExternalId: 'NEW_SFCRole=2_b=',
    });
  });

  it('creates the integration with the connection secret, the role, the API prefix and the rotation', () => {
    const values = { ...ONE_DEPLOY, ...ATTRIBUTES, SnowflakeRotation: 'r2' };

    const integration = evaluate(propertiesOf(template, 'SnowflakeApiIntegration'), template, values);

    expect(integration).toEqual({
      ServiceToken: ATTRIBUTES['SnowflakeFunction.Arn'],
      ServiceTimeout: 300,
      Connection: SECRET,
      IntegrationName: 'echo_api_integration',
      ApiProvider: 'aws_api_gateway',
      RoleArn: STACK_VALUES['SnowflakeRole.Arn'],
      AllowedPrefixes: ['https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/'],
      Rotation: 'r2',
    });
  });

  it('verifies the external function with a call through the rotated integration, after the link', () => {
    const fn = evaluate(propertiesOf(template, 'SnowflakeExternalFunction'), template, {
      ...ONE_DEPLOY,
      ...ATTRIBUTES,
    }) as Json;

    expect(fn).toMatchObject({
      Database: 'LAB',
      Schema: 'PUBLIC',
      FunctionName: 'echo',
      IntegrationName: 'ECHO_API_INTEGRATION_R2',
      Url: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/echo',
      Verify: "'hello'",
      TrustedExternalIds: ATTRIBUTES['SnowflakeLink.ExternalIds'],
    });
  });

  it("calls the function through the API's stage (SAM's SnowflakeApi.Stage), so it waits for the stage", () => {
    const fn = evaluate(propertiesOf(template, 'SnowflakeExternalFunction'), template, {
      ...ONE_DEPLOY,
      ...ATTRIBUTES,
      'SnowflakeApi.Stage': 'v2',
    }) as Json;

    expect(fn.Url).toBe('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v2/echo');
    expect(resourceOf(template, 'SnowflakeExternalFunction').DependsOn).not.toContain('SnowflakeApi');
  });

  it.each([
    ['the two-step values too', { ...ONE_DEPLOY, ...LINK_VALUES }, false],
    ['no database', { ...ONE_DEPLOY, SnowflakeDatabase: '' }, false],
    ['a secret and a database', ONE_DEPLOY, true],
  ])('lets a deploy with %s through the rules: %s', (_given, values, passes) => {
    const rules = Object.values(template.Rules ?? {}) as Array<{
      RuleCondition?: unknown;
      Assertions: { Assert: unknown }[];
    }>;

    const result = rules.every(
      (rule) =>
        (rule.RuleCondition !== undefined && evaluate(rule.RuleCondition, template, values) !== true) ||
        rule.Assertions.every(({ Assert }) => evaluate(Assert, template, values) === true),
    );

    expect(result).toBe(passes);
  });
});

describe('examples/storage-integration.yaml: one deploy', () => {
  const example = storageTemplate;
  const values = {
    ...STACK_VALUES,
    SnowflakeConnection: SECRET,
    SnowflakeDatabase: 'LAB',
    StageBucket: 'my-stage-bucket',
    'SnowflakeStorageRole.Arn': 'arn:aws:iam::123456789012:role/stage-SnowflakeStorageRole-X',
    'SnowflakeFunction.Arn': ATTRIBUTES['SnowflakeFunction.Arn'],
    'TrustLinkFunction.Arn': STACK_VALUES['TrustLinkFunction.Arn'],
    'SnowflakeStorageIntegration.IamUserArn': LINK_VALUES.SnowflakeIamUserArn,
    'SnowflakeStorageIntegration.TrustedExternalIds': 'NEW_SFCRole=2_b=',
    'SnowflakeStorageIntegration.ExternalId': 'NEW_SFCRole=2_b=',
    'SnowflakeStorageIntegration.IntegrationName': 'S3_STORAGE_INTEGRATION',
  };

  it.each(['SnowflakeFunction', 'SnowflakeStorageIntegration', 'SnowflakeLink', 'SnowflakeStage'])(
    'declares %s only when SnowflakeConnection is given',
    (id) => {
      const condition = String(resourceOf(example, id).Condition);

      expect(conditionHolds(condition, example, values)).toBe(true);
      expect(conditionHolds(condition, example, STACK_VALUES)).toBe(false);
    },
  );

  it('creates the storage integration on the bucket prefix, and links the storage role from it', () => {
    const integration = evaluate(
      propertiesOf(example, 'SnowflakeStorageIntegration'),
      example,
      values,
    ) as Json;
    const link = evaluate(propertiesOf(example, 'SnowflakeLink'), example, values) as Json;

    expect(integration).toMatchObject({
      Connection: SECRET,
      IntegrationName: 's3_storage_integration',
      AllowedLocations: ['s3://my-stage-bucket/snowflake/'],
    });
    expect(link).toMatchObject({
      RoleArn: values['SnowflakeStorageRole.Arn'],
      SnowflakeIamUserArn: LINK_VALUES.SnowflakeIamUserArn,
      SnowflakeExternalId: ['NEW_SFCRole=2_b='],
      CurrentExternalId: 'NEW_SFCRole=2_b=',
    });
  });

  it('makes the stage after the link, on the same location and the integration it made', () => {
    const stage = evaluate(propertiesOf(example, 'SnowflakeStage'), example, values) as Json;

    expect(resourceOf(example, 'SnowflakeStage').DependsOn).toEqual(['SnowflakeLink']);
    expect(stage).toMatchObject({
      IntegrationName: 'S3_STORAGE_INTEGRATION',
      Url: 's3://my-stage-bucket/snowflake/',
      StageName: 'snowflake_trust_link_stage',
    });
  });

  it.each([
    ['its full ARN', SECRET],
    ['its ARN without the random suffix', SECRET_WITHOUT_SUFFIX],
  ])('grants the secret when SnowflakeConnection is %s, and no secret named otherwise', (_given, arn) => {
    const policies = evaluate(propertiesOf(example, 'SnowflakeFunctionRole').Policies, example, {
      ...values,
      SnowflakeConnection: arn,
    }) as Json[];
    const [statement] = policies.flatMap((p) => (p.PolicyDocument as { Statement: Json[] }).Statement);

    expect(grants(statement, SECRET)).toBe(true);
    expect(grants(statement, OTHER_SECRET)).toBe(false);
  });

  it('deploys its Snowflake function from the same bundle as template.yaml', () => {
    expect(propertiesOf(example, 'SnowflakeFunction').CodeUri).toBe('../dist/snowflake/');
  });
});
