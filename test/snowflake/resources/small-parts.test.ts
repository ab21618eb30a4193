import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackNameOf } from '../../../handler/framework/framework';
import { SqlApiClient } from '../../../handler/snowflake/client/sql-api';
import { handler } from '../../../handler/snowflake/index';
import { rotatedName } from '../../../handler/snowflake/resources/names';
import {
  digestOf,
  identityDigest,
  integrationPhysicalId,
  isCreator,
  isDigested,
  jsonPhysicalId,
  type Marker,
  madeByOwner,
  markedComment,
  markerOf,
  ownerInWords,
  PhysicalIdTooLongError,
  parseCreatorPart,
  parseIntegrationPhysicalId,
  partHolds,
} from '../../../handler/snowflake/resources/ownership';
import { snowflakeSettings } from '../../../handler/snowflake/resources/session';
import { explainAssumeRole } from '../../../handler/snowflake/resources/verify';
import { lambdaContext } from '../../helpers/lambda-context';
import { type ResponseReceiver, startResponseReceiver } from '../../helpers/response-receiver';
import { STACK_ID } from './lab';

const OWNER = { stackId: STACK_ID, logicalId: 'ApiIntegration' };
let receiver: ResponseReceiver;

beforeAll(async () => {
  receiver = await startResponseReceiver();
});

afterAll(async () => {
  await receiver.close();
});
const FACTS = {
  roleArn: 'arn:aws:iam::123456789012:role/snowflake',
  iamUserArn: 'arn:aws:iam::123456789001:user/abc1-b-self1234',
  externalId: 'XY12345_SFCRole=2_new=',
};

describe('ownership markers and ids', () => {
  it('marks a comment with the stack id, the logical id, the token and the maker, after the user comment', () => {
    const comment = markedComment('echo API', OWNER, 'abcdef012345', { user: 'SVC', role: 'A B/C' });

    expect(comment).toBe(
      `echo API [CloudFormation one-deploy/ApiIntegration abcdef012345 stack=${OWNER.stackId} by=SVC/A%20B%2FC]`,
    );
    expect(markerOf(comment)).toEqual({
      stackName: 'one-deploy',
      stackId: OWNER.stackId,
      logicalId: 'ApiIntegration',
      token: 'abcdef012345',
      creator: { user: 'SVC', role: 'A B/C' },
    });
    expect(madeByOwner(markerOf(comment), OWNER)).toBe(true);
    expect(madeByOwner(markerOf(comment), { ...OWNER, logicalId: 'Other' })).toBe(false);
  });

  it('tells a stack of the same name in another account or region, and a 0.1 marker, from this stack', () => {
    const other = {
      ...OWNER,
      stackId: OWNER.stackId.replace('us-east-1:123456789012', 'eu-west-1:210987654321'),
    };
    const theirs = markerOf(markedComment(undefined, other, 'abcdef012345'));
    const old = markerOf('[CloudFormation one-deploy/ApiIntegration abcdef012345]');

    expect(madeByOwner(theirs, OWNER)).toBe(false);
    expect(madeByOwner(old, OWNER)).toBe(false);
    expect(old).toEqual({ stackName: 'one-deploy', logicalId: 'ApiIntegration', token: 'abcdef012345' });
    expect(ownerInWords(theirs as Marker)).toMatch(
      /stack "one-deploy" in account 210987654321, region eu-west-1/,
    );
  });

  it.each([
    [{ user: 'SVC', role: 'ROLE' }, { user: 'SVC', role: 'ROLE' }, true],
    [{ user: 'SVC', role: 'ROLE' }, { user: 'SVC', role: 'OTHER' }, false],
    [{ digest: identityDigest({ user: 'SVC', role: 'ROLE' }) }, { user: 'SVC', role: 'ROLE' }, true],
    [{ digest: identityDigest({ user: 'SVC', role: 'ROLE' }) }, { user: 'SVX', role: 'ROLE' }, false],
  ] as const)('knows the maker %o from the session %o: %s', (recorded, current, same) => {
    expect(isCreator(recorded, current)).toBe(same);
  });

  it('refuses an id no digest can bring under 1,024 bytes, before anything is written', () => {
    const claim = {
      kind: 'created',
      name: 'I'.repeat(1100),
      token: 'abcdef012345',
      creator: { user: 'U', role: 'R' },
    } as const;

    expect(() => integrationPhysicalId('SnowflakeApiIntegration', claim)).toThrow(PhysicalIdTooLongError);
    expect(() => jsonPhysicalId('P'.repeat(1100), ['a'])).toThrow(/over CloudFormation's 1024/);
  });

  it.each([
    'SnowflakeApiIntegration:adopted+SVC/R:ECHO',
    'SnowflakeApiIntegration:abcdef012345+SVC:ECHO',
    'SnowflakeApiIntegration:abcdef012345+%E0%A4%A/R:ECHO',
    'SnowflakeApiIntegration:abcdef012345+#xyz:ECHO',
  ])('reads no claim from the malformed id %s', (id) => {
    expect(parseIntegrationPhysicalId('SnowflakeApiIntegration', id)).toBeUndefined();
  });

  it.each([
    [{ sha256: 'abc' }, true],
    [{ sha256: 'abc', other: 1 }, false],
    [['abc'], false],
    ['abc', false],
    [null, false],
  ])('tells a digest part from a name: %o', (part, digested) => {
    expect(isDigested(part)).toBe(digested);
    expect(partHolds({ sha256: digestOf('x') }, 'x')).toBe(true);
    expect(partHolds('x', 'x')).toBe(true);
    expect(parseCreatorPart(['U'])).toBeUndefined();
  });

  it('keeps an integration id with long maker names under 1,024 bytes by a digest', () => {
    const claim = {
      kind: 'created',
      name: 'I'.repeat(255),
      token: 'abcdef012345',
      creator: { user: 'é'.repeat(255), role: 'R'.repeat(255) },
    } as const;

    const id = integrationPhysicalId('SnowflakeApiIntegration', claim);

    expect(Buffer.byteLength(id)).toBeLessThanOrEqual(1024);
    expect(parseIntegrationPhysicalId('SnowflakeApiIntegration', id)).toEqual({
      ...claim,
      creator: { digest: identityDigest(claim.creator) },
    });
  });

  it.each([null, '', 'made by hand', '[CloudFormation x/y nothex]'])('finds no marker in %o', (comment) => {
    expect(markerOf(comment)).toBeUndefined();
  });

  it.each([
    [
      { kind: 'created', name: 'ECHO:API', token: 'abcdef012345' },
      'SnowflakeApiIntegration:abcdef012345:ECHO:API',
    ],
    [
      { kind: 'created', name: 'ECHO:API', token: 'abcdef012345', creator: { user: 'SVC', role: 'R:1' } },
      'SnowflakeApiIntegration:abcdef012345+SVC/R%3A1:ECHO:API',
    ],
    [{ kind: 'adopted', name: 'echo api' }, 'SnowflakeApiIntegration:adopted:echo api'],
  ] as const)('writes and reads back the id of %o', (claim, id) => {
    expect(integrationPhysicalId('SnowflakeApiIntegration', claim)).toBe(id);
    expect(parseIntegrationPhysicalId('SnowflakeApiIntegration', id)).toEqual(claim);
  });

  it.each([
    'SnowflakeStorageIntegration:adopted:X',
    'SnowflakeApiIntegration:zz:X',
    'SnowflakeApiIntegration:adopted:',
  ])('reads no API integration from %s', (id) => {
    expect(parseIntegrationPhysicalId('SnowflakeApiIntegration', id)).toBeUndefined();
  });

  it('takes the stack name from its ARN, or the id as it is', () => {
    expect(stackNameOf(STACK_ID)).toBe('one-deploy');
    expect(stackNameOf('local')).toBe('local');
  });
});

describe('rotated names', () => {
  it.each([
    [undefined, 'ECHO_API'],
    ['r2', 'ECHO_API_R2'],
    ['2026-11-29', 'ECHO_API_R'],
  ])('names the integration for Rotation %o', (rotation, prefix) => {
    expect(rotatedName('ECHO_API', rotation).startsWith(prefix)).toBe(true);
  });

  it('gives two different values that are not plain words two different names', () => {
    expect(rotatedName('X', 'a-b')).not.toBe(rotatedName('X', 'a.b'));
  });
});

describe('why Snowflake could not assume the role', () => {
  it.each([
    [{ trustedRoleArn: 'arn:aws:iam::123456789012:role/other' }, /but the trust link edits .*role\/other/],
    [
      { trustedExternalIds: ['XY12345_SFCRole=2_old='] },
      /not the integration's XY12345_SFCRole=2_new=: the integration was re-created/,
    ],
    [
      { trustedRoleArn: FACTS.roleArn, trustedExternalIds: [FACTS.externalId] },
      /IAM has not yet propagated it, or a policy denies it/,
    ],
    [{}, /The usual causes: .*Give TrustedRoleArn and TrustedExternalIds/],
  ])('says which cause it is from %o', (trust, cause) => {
    expect(explainAssumeRole({ ...FACTS, ...trust })).toMatch(cause);
  });
});

describe('the function settings', () => {
  it('connects to the endpoint the lab names, without reaching it before the first statement', async () => {
    const secretsManager = mockClient(SecretsManagerClient);
    secretsManager.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ account: 'myorg-myaccount', user: 'svc', token: 'pat' }),
    });
    const settings = snowflakeSettings({ SNOWFLAKE_ENDPOINT_OVERRIDE: 'http://127.0.0.1:9' });

    const client = await settings.connect(
      { secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:sf-AbCdEf' },
      new AbortController().signal,
    );

    expect(client).toBeInstanceOf(SqlApiClient);
    secretsManager.restore();
  });

  it('refuses a Delete of an integration it made when the properties cannot say how to connect', async () => {
    await handler(
      {
        RequestType: 'Delete',
        ResponseURL: receiver.url,
        StackId: STACK_ID,
        RequestId: 'request-4',
        LogicalResourceId: 'Thing',
        PhysicalResourceId: 'SnowflakeApiIntegration:abcdef012345:ECHO_API',
        ResourceType: 'Custom::SnowflakeApiIntegration',
        ResourceProperties: {},
      },
      lambdaContext(),
    );

    expect(receiver.received.at(-1)?.body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/Connection is required/),
    });
  });

  it('answers a Delete of a 0.1 workload-identity resource FAILED, saying how to move to a secret', async () => {
    await handler(
      {
        RequestType: 'Delete',
        ResponseURL: receiver.url,
        StackId: STACK_ID,
        RequestId: 'request-5',
        LogicalResourceId: 'Thing',
        PhysicalResourceId: 'SnowflakeApiIntegration:abcdef012345:ECHO_API',
        ResourceType: 'Custom::SnowflakeApiIntegration',
        ResourceProperties: {
          Authentication: 'WORKLOAD_IDENTITY',
          SnowflakeAccount: 'MYORG-MYACCOUNT',
          SnowflakeUser: 'SVC',
        },
      },
      lambdaContext(),
    );

    const reason = String(receiver.received.at(-1)?.body.Reason);
    expect(receiver.received.at(-1)?.body).toMatchObject({ Status: 'FAILED' });
    expect(reason).toMatch(/Authentication \(workload identity\) is no longer supported/);
    expect(reason).toMatch(/docs\/snowflake-setup\.md/);
    expect(reason).not.toMatch(/Unknown property/);
  });

  it.each([
    [{}, 120_000],
    [{ SNOWFLAKE_VERIFY_SECONDS: '5' }, 5000],
    [{ SNOWFLAKE_VERIFY_SECONDS: 'soon' }, 120_000],
  ])('waits for Verify as %o says', (env, ms) => {
    expect(snowflakeSettings(env).verifyMs).toBe(ms);
  });
});

describe('the Snowflake function', () => {
  it('serves only the stack SNOWFLAKE_STACK_ID names: a Create from another fails before any connection', async () => {
    process.env.SNOWFLAKE_STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/gateway/guid';
    try {
      await handler(
        {
          RequestType: 'Create',
          ResponseURL: receiver.url,
          StackId: STACK_ID,
          RequestId: 'request-9',
          LogicalResourceId: 'ApiIntegration',
          ResourceType: 'Custom::SnowflakeApiIntegration',
          ResourceProperties: {
            Connection: 'snowflake/connection',
            IntegrationName: 'echo_api',
            ApiProvider: 'aws_api_gateway',
            RoleArn: 'arn:aws:iam::123456789012:role/snowflake',
            AllowedPrefixes: ['https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/'],
          },
        },
        lambdaContext(),
      );
    } finally {
      delete process.env.SNOWFLAKE_STACK_ID;
    }

    expect(receiver.received.at(-1)?.body).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'SnowflakeCreateFailed:request-9',
      Reason:
        'This Snowflake function belongs to stack "gateway" and creates objects for that stack only; stack "one-deploy" uses its ServiceToken. Deploy the Snowflake function in stack "one-deploy" itself (as examples/storage-integration.yaml does) and use its ServiceToken.',
    });
  });

  it('answers FAILED naming the types it serves for any other', async () => {
    await handler(
      {
        RequestType: 'Create',
        ResponseURL: receiver.url,
        StackId: STACK_ID,
        RequestId: 'request-1',
        LogicalResourceId: 'Thing',
        ResourceType: 'Custom::SnowflakeWarehouse',
        ResourceProperties: {},
      },
      lambdaContext(),
    );

    expect(receiver.received.at(-1)?.body).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'SnowflakeCreateFailed:request-1',
      Reason: expect.stringMatching(/serves Custom::SnowflakeApiIntegration.*not Custom::SnowflakeWarehouse/),
    });
  });

  it.each([
    [
      'Custom::SnowflakeApiIntegration',
      'Create',
      /Custom::SnowflakeApiIntegration: .*IntegrationName is required/,
    ],
    [
      'Custom::SnowflakeStorageIntegration',
      'Update',
      /Custom::SnowflakeStorageIntegration: .*AllowedLocations is required/,
    ],
    [
      'Custom::SnowflakeExternalFunction',
      'Create',
      /Custom::SnowflakeExternalFunction: .*FunctionName is required/,
    ],
    [
      'Custom::SnowflakeExternalFunction',
      'Update',
      /Custom::SnowflakeExternalFunction: .*FunctionName is required/,
    ],
    ['Custom::SnowflakeStage', 'Create', /Custom::SnowflakeStage: .*StageName is required/],
    ['Custom::SnowflakeStage', 'Update', /Custom::SnowflakeStage: .*StageName is required/],
  ])('sends %s %s requests to its lifecycle', async (resourceType, requestType, reason) => {
    await handler(
      {
        RequestType: requestType,
        ResponseURL: receiver.url,
        StackId: STACK_ID,
        RequestId: 'request-2',
        LogicalResourceId: 'Thing',
        PhysicalResourceId: 'SnowflakeStorageIntegration:adopted:X',
        ResourceType: resourceType,
        ResourceProperties: { Connection: 'snowflake/connection' },
        OldResourceProperties: {},
      },
      lambdaContext(),
    );

    expect(receiver.received.at(-1)?.body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(reason),
    });
  });

  it.each([
    ['Custom::SnowflakeApiIntegration', 'SnowflakeCreateFailed:request-3'],
    ['Custom::SnowflakeStorageIntegration', 'SnowflakeStorageIntegration:adopted:X'],
    ['Custom::SnowflakeExternalFunction', 'SnowflakeCreateFailed:request-3'],
    ['Custom::SnowflakeStage', 'SnowflakeCreateFailed:request-3'],
  ])(
    'deletes a %s whose id %s names nothing it made without reaching Snowflake',
    async (resourceType, physicalId) => {
      await handler(
        {
          RequestType: 'Delete',
          ResponseURL: receiver.url,
          StackId: STACK_ID,
          RequestId: 'request-3',
          LogicalResourceId: 'Thing',
          PhysicalResourceId: physicalId,
          ResourceType: resourceType,
          ResourceProperties: {},
        },
        lambdaContext(),
      );

      expect(receiver.received.at(-1)?.body).toMatchObject({
        Status: 'SUCCESS',
        PhysicalResourceId: physicalId,
      });
    },
  );
});
