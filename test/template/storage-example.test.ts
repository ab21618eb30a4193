import { describe, expect, it } from 'vitest';
import type { Json } from '../../scripts/template-check/template';
import { conditionHolds, evaluate } from './evaluate';
import { LINK_VALUES, propertiesOf, resourceOf, storageTemplate } from './fixtures';

const template = storageTemplate;
const VALUES = {
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::StackName': 'snowflake-stage',
  StageBucket: 'snowflake-stage-stagebucket-1a2b3c',
  'StageBucket.Arn': 'arn:aws:s3:::snowflake-stage-stagebucket-1a2b3c',
  SnowflakeStorageRole: 'snowflake-stage-SnowflakeStorageRole-Z9y8',
  'SnowflakeStorageRole.Arn': 'arn:aws:iam::123456789012:role/snowflake-stage-SnowflakeStorageRole-Z9y8',
  'SnowflakeTrustLink.ExternalIds': LINK_VALUES.SnowflakeExternalId,
  'TrustLinkFunction.Arn': 'arn:aws:lambda:eu-west-1:123456789012:function:snowflake-stage-link',
  'LinkLockTable.Arn': 'arn:aws:dynamodb:eu-west-1:123456789012:table/snowflake-stage-LinkLockTable-K7',
};

describe('examples/storage-integration.yaml', () => {
  it('lets the storage role read only the stage prefix of its bucket', () => {
    const policies = evaluate(
      propertiesOf(template, 'SnowflakeStorageRole').Policies,
      template,
      VALUES,
    ) as Json[];
    const statements = policies.flatMap((p) => (p.PolicyDocument as { Statement: Json[] }).Statement);

    expect(statements.map(({ Action, Resource }) => ({ Action, Resource }))).toEqual([
      {
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: `${VALUES['StageBucket.Arn']}/snowflake/*`,
      },
      { Action: 's3:ListBucket', Resource: VALUES['StageBucket.Arn'] },
      { Action: 's3:GetBucketLocation', Resource: VALUES['StageBucket.Arn'] },
    ]);
    expect(statements[1]?.Condition).toEqual({ StringLike: { 's3:prefix': 'snowflake/*' } });
  });

  it('starts the storage role with the placeholder statement the link replaces', () => {
    const trust = evaluate(
      propertiesOf(template, 'SnowflakeStorageRole').AssumeRolePolicyDocument,
      template,
      VALUES,
    );

    expect(trust).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'SnowflakeTrustLink',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: 'sts:AssumeRole',
        },
      ],
    });
  });

  it('runs a link function of its own, which may edit the storage role only and serves this stack only', () => {
    const policies = evaluate(
      propertiesOf(template, 'TrustLinkFunctionRole').Policies,
      template,
      VALUES,
    ) as Json[];
    const fn = propertiesOf(template, 'TrustLinkFunction');

    expect(policies.flatMap((p) => (p.PolicyDocument as { Statement: Json[] }).Statement)).toEqual([
      {
        Sid: 'LinkStorageRoleTrust',
        Effect: 'Allow',
        Action: ['iam:GetRole', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole'],
        Resource: VALUES['SnowflakeStorageRole.Arn'],
      },
      {
        Sid: 'TakeLeasesOnRoles',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: VALUES['LinkLockTable.Arn'],
      },
    ]);
    expect(fn.CodeUri).toBe('../dist/trust-link/');
    expect(fn.Environment).toEqual({
      Variables: {
        TRUST_LINK_LOCK_TABLE: { Ref: 'LinkLockTable' },
        TRUST_LINK_STACK_ID: { Ref: 'AWS::StackId' },
      },
    });
    expect(fn.EventInvokeConfig).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 180 });
  });

  it('links STORAGE_AWS_IAM_USER_ARN and STORAGE_AWS_EXTERNAL_ID through the same resource, once both are given', () => {
    const link = resourceOf(template, 'SnowflakeTrustLink');

    const properties = evaluate(link.Properties, template, { ...VALUES, ...LINK_VALUES });

    expect(link.Type).toBe('Custom::SnowflakeTrustLink');
    expect(link.DependsOn).toEqual(['TrustLinkLogsPolicy', 'TrustLinkLogGroup']);
    expect(conditionHolds('LinkReady', template, { ...VALUES, ...LINK_VALUES })).toBe(true);
    expect(conditionHolds('LinkReady', template, VALUES)).toBe(false);
    expect(properties).toEqual({
      ServiceToken: VALUES['TrustLinkFunction.Arn'],
      ServiceTimeout: 300,
      RoleArn: VALUES['SnowflakeStorageRole.Arn'],
      SnowflakeIamUserArn: LINK_VALUES.SnowflakeIamUserArn,
      SnowflakeExternalId: [LINK_VALUES.SnowflakeExternalId],
    });
  });

  it('gives the CREATE STORAGE INTEGRATION and CREATE STAGE a person pastes into Snowflake', () => {
    const integration = evaluate(template.Outputs?.CreateStorageIntegrationSql?.Value, template, VALUES);
    const stage = evaluate(template.Outputs?.CreateStageSql?.Value, template, VALUES);

    expect(integration).toBe(
      "CREATE STORAGE INTEGRATION s3_storage_integration TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'S3' ENABLED = TRUE " +
        `STORAGE_AWS_ROLE_ARN = '${VALUES['SnowflakeStorageRole.Arn']}' ` +
        "STORAGE_ALLOWED_LOCATIONS = ('s3://snowflake-stage-stagebucket-1a2b3c/snowflake/'); " +
        'DESC INTEGRATION s3_storage_integration;',
    );
    expect(stage).toBe(
      "CREATE OR REPLACE STAGE snowflake_trust_link_stage URL = 's3://snowflake-stage-stagebucket-1a2b3c/snowflake/' " +
        'STORAGE_INTEGRATION = s3_storage_integration;',
    );
  });

  it('keeps the bucket, and its data, when the stack goes', () => {
    expect(resourceOf(template, 'StageBucket').DeletionPolicy).toBe('Retain');
  });
});
