import { GetRoleCommand, TagRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../handler/trust-link/index';
import {
  ACCOUNT_ROOT,
  type FakeIam,
  fakeIam,
  getRoleAnswer,
  iamMock,
  policyOf,
  roleArn,
} from '../helpers/fake-iam';
import { fakeLockTable } from '../helpers/fake-lock';
import { lambdaContext } from '../helpers/lambda-context';
import { type ResponseReceiver, startResponseReceiver } from '../helpers/response-receiver';

const USER = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const NEW_ID = 'MYACCOUNT_SFCRole=2_zYXwvu987/tSrQpOnMlKj=';
const LINK_ID = 'SnowflakeTrustLink:snowflake:SnowflakeTrustLink';
const placeholder = { Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT }, Action: 'sts:AssumeRole' };
const sidPlaceholder = { Sid: 'SnowflakeTrustLink', ...placeholder };
const lambdaTrust = {
  Effect: 'Allow',
  Principal: { Service: 'lambda.amazonaws.com' },
  Action: 'sts:AssumeRole',
};
const props = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:link',
  ServiceTimeout: '300',
  RoleName: 'snowflake',
  SnowflakeIamUserArn: USER,
  SnowflakeExternalId: ID,
};
const linked = (ids: string | string[] = ID, sid = 'SnowflakeTrustLink') => ({
  Sid: sid,
  Effect: 'Allow',
  Principal: { AWS: USER },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'sts:ExternalId': ids } },
});
const trust = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });

let receiver: ResponseReceiver;
let iam: FakeIam;

beforeAll(async () => {
  process.env.TRUST_LINK_SETTLE_MS = '0';
  // The fake IAM reads what was written at once; a write another writer replaced need not be waited for.
  process.env.TRUST_LINK_MAX_READ_LAG_MS = '0';
  receiver = await startResponseReceiver();
});
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.received.length = 0;
  receiver.answers.length = 0;
  iam = fakeIam({ snowflake: trust(sidPlaceholder), other: trust(placeholder) });
  fakeLockTable();
});

function event(requestType: 'Create' | 'Update' | 'Delete', extra: Record<string, unknown> = {}) {
  return {
    RequestType: requestType,
    ServiceToken: props.ServiceToken,
    ResponseURL: receiver.url,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/gateway/guid',
    RequestId: `request-${requestType}`,
    ResourceType: 'Custom::SnowflakeTrustLink',
    LogicalResourceId: 'SnowflakeTrustLink',
    ResourceProperties: props,
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: LINK_ID }),
    ...(requestType === 'Update' ? { OldResourceProperties: props } : {}),
    ...extra,
  };
}

async function invoke(raw: unknown, timeoutMs = 30_000) {
  await handler(raw, lambdaContext(timeoutMs));
  expect(receiver.received).toHaveLength(1);
  return receiver.received[0]?.body ?? {};
}

describe('Create', () => {
  it('links the placeholder role to the seed document of Snowflake step 4', async () => {
    const response = await invoke(event('Create'));

    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: LINK_ID,
      LogicalResourceId: 'SnowflakeTrustLink',
      RequestId: 'request-Create',
    });
    expect(policyOf(iam, 'snowflake')).toEqual(trust(linked()));
    expect(response.Data).toEqual({
      RoleArn: roleArn('snowflake'),
      RoleName: 'snowflake',
      StatementSid: 'SnowflakeTrustLink',
      ExternalIds: ID,
      TrustPolicy: JSON.stringify(trust(linked())),
    });
  });

  it('reads the policy, writes once and reads back once', async () => {
    await invoke(event('Create'));

    expect(iamMock).toHaveReceivedCommandTimes(GetRoleCommand, 2);
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAssumeRolePolicyCommand, 1);
    expect(iamMock).toHaveReceivedCommandWith(UpdateAssumeRolePolicyCommand, {
      RoleName: 'snowflake',
      PolicyDocument: JSON.stringify(trust(linked())),
    });
  });

  it('decodes the URL-encoded document and keeps the statements it does not own', async () => {
    const conditioned = {
      ...lambdaTrust,
      Condition: { StringLike: { 'aws:SourceArn': 'arn:aws:lambda:*:123456789012:function:a b+c/d=e%f' } },
    };
    iam.roles.set('snowflake', JSON.stringify(trust(conditioned, sidPlaceholder)));

    await invoke(event('Create'));

    expect(policyOf(iam, 'snowflake')).toEqual(trust(conditioned, linked()));
  });

  it('links several external ids in one condition', async () => {
    await invoke(event('Create', { ResourceProperties: { ...props, SnowflakeExternalId: [ID, NEW_ID] } }));

    expect(policyOf(iam, 'snowflake')).toEqual(trust(linked([ID, NEW_ID])));
  });

  it('makes no write when the policy already holds the link', async () => {
    iam.roles.set('snowflake', JSON.stringify(trust(linked())));

    const response = await invoke(event('Create'));

    expect(response.Status).toBe('SUCCESS');
    expect(iamMock).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
  });

  it('refuses a Sid that another link holds, and writes nothing', async () => {
    const storageLink = linked('STORAGE_SFCRole=4_y');
    iam.roles.set('snowflake', JSON.stringify(trust(storageLink)));

    const response = await invoke(event('Create'));

    expect(response).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'SnowflakeTrustLink-CreateFailed:request-Create',
    });
    expect(response.Reason).toContain(
      'StatementSid "SnowflakeTrustLink" is already taken in the trust policy of role "snowflake"',
    );
    expect(response.Reason).toContain('STORAGE_SFCRole=4_y');
    expect(iamMock).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
  });

  it('links a role given by an ARN with a path', async () => {
    iam.arns.set('snowflake', 'arn:aws:iam::123456789012:role/ext/snowflake');
    iam.roles.set('snowflake', JSON.stringify(trust(linked())));
    const { RoleName: _, ...byArn } = props;

    const response = await invoke(
      event('Create', {
        ResourceProperties: { ...byArn, RoleArn: 'arn:aws:iam::123456789012:role/ext/snowflake' },
      }),
    );

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: LINK_ID });
  });
});

describe('Update', () => {
  it('rotates the external id in place and keeps the physical id', async () => {
    iam.roles.set('snowflake', JSON.stringify(trust(lambdaTrust, linked())));

    const response = await invoke(
      event('Update', { ResourceProperties: { ...props, SnowflakeExternalId: NEW_ID } }),
    );

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: LINK_ID });
    expect(policyOf(iam, 'snowflake')).toEqual(trust(lambdaTrust, linked(NEW_ID)));
  });

  it('makes no write on a no-op update', async () => {
    await invoke(event('Create'));
    receiver.received.length = 0;
    iamMock.resetHistory();

    const response = await invoke(event('Update'));

    expect(response.Status).toBe('SUCCESS');
    expect(iamMock).toHaveReceivedCommandTimes(GetRoleCommand, 1);
    expect(iamMock).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
    expect(iamMock).not.toHaveReceivedCommand(TagRoleCommand);
  });

  it('records a link made before ownership was recorded on its first update, and leaves its policy alone', async () => {
    iam.roles.set('snowflake', JSON.stringify(trust(linked())));

    const response = await invoke(event('Update'));

    expect(response.Status).toBe('SUCCESS');
    expect(iamMock).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
    expect(iamMock).toHaveReceivedCommandTimes(TagRoleCommand, 1);
    expect([...(iam.tags.get('snowflake')?.values() ?? [])]).toEqual([
      expect.stringMatching(/^SnowflakeTrustLink [0-9a-f]{12} [0-9a-f]{16} gateway\/SnowflakeTrustLink$/),
    ]);
  });

  it.each([
    ['another role', { RoleName: 'other' }, 'SnowflakeTrustLink:other:SnowflakeTrustLink', 'other'],
    ['another Sid', { StatementSid: 'Analytics' }, 'SnowflakeTrustLink:snowflake:Analytics', 'snowflake'],
  ])('answers a new physical id when it moves to %s', async (_, change, newId, role) => {
    iam.roles.set('snowflake', JSON.stringify(trust(linked())));

    const response = await invoke(event('Update', { ResourceProperties: { ...props, ...change } }));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: newId });
    expect(JSON.stringify(policyOf(iam, role))).toContain(ID);
  });

  it('keeps the physical id when only the case of the role name changes, so CloudFormation deletes nothing', async () => {
    iam.roles.set('snowflake', JSON.stringify(trust(linked())));
    iamMock.on(GetRoleCommand, { RoleName: 'SnowFlake' }).callsFake(() => getRoleAnswer(iam, 'snowflake'));
    iamMock.on(TagRoleCommand, { RoleName: 'SnowFlake' }).callsFake(({ Tags }) => {
      for (const { Key, Value } of Tags) iam.tags.get('snowflake')?.set(Key, Value);
      return {};
    });

    const response = await invoke(
      event('Update', { ResourceProperties: { ...props, RoleName: 'SnowFlake' } }),
    );

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: LINK_ID });
  });

  it('answers FAILED with the unchanged physical id and writes nothing when the new properties are bad', async () => {
    iam.roles.set('snowflake', JSON.stringify(trust(linked())));
    const before = iam.roles.get('snowflake');

    const response = await invoke(
      event('Update', {
        ResourceProperties: { ...props, SnowflakeIamUserArn: 'arn:aws:iam::1234567898012:user/x' },
      }),
    );

    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: LINK_ID });
    expect(response.Reason).toContain('an AWS account id has 12 digits');
    expect(iam.roles.get('snowflake')).toBe(before);
    expect(iamMock).not.toHaveReceivedCommand(GetRoleCommand);
  });

  it('restores the old link on the rollback that follows a failed update', async () => {
    iam.roles.set('snowflake', JSON.stringify(trust(linked())));
    const before = iam.roles.get('snowflake');
    const failing = { ...props, SnowflakeIamUserArn: 'arn:aws:iam::123456789001:user/unknown' };

    const failed = await invoke(event('Update', { ResourceProperties: failing }));
    receiver.received.length = 0;
    const rollback = await invoke(
      event('Update', { ResourceProperties: props, OldResourceProperties: failing }),
    );

    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: LINK_ID });
    expect(rollback).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: LINK_ID });
    expect(iam.roles.get('snowflake')).toBe(before);
  });

  it('fails a move it could not confirm, and keeps its record for the rollback', async () => {
    // Another writer drops the link each time.
    iam.interceptWrite = (roleName, document) =>
      roleName === 'other' ? JSON.stringify(trust(placeholder)) : document;

    const response = await invoke(event('Update', { ResourceProperties: { ...props, RoleName: 'other' } }));

    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: LINK_ID });
    expect(policyOf(iam, 'other')).toEqual(trust(placeholder));
    expect(iam.tags.get('other')?.size).toBe(1);
  });

  it('removes what a failed move left on the other role when CloudFormation rolls back', async () => {
    iam.roles.set('snowflake', JSON.stringify(trust(linked())));
    const failedMove = { ...props, RoleName: 'other' };
    iam.interceptWrite = (roleName, document) =>
      roleName === 'other' ? JSON.stringify(trust(placeholder)) : document;
    await invoke(event('Update', { ResourceProperties: failedMove }));
    iam.interceptWrite = undefined;
    // The write lands late, after the failed answer: only the record can tell it is this link's.
    iam.roles.set('other', JSON.stringify(trust(lambdaTrust, linked())));
    receiver.received.length = 0;

    const response = await invoke(
      event('Update', { ResourceProperties: props, OldResourceProperties: failedMove }),
    );

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: LINK_ID });
    expect(policyOf(iam, 'other')).toEqual(trust(lambdaTrust));
    expect(iam.tags.get('other')?.size).toBe(0);
    expect(policyOf(iam, 'snowflake')).toEqual(trust(linked()));
  });

  it('leaves a statement under the Sid of a failed move that it did not write', async () => {
    const failedMove = { ...props, RoleName: 'other' };
    const persons = { ...linked('PERSON_SFCRole=1_x'), Sid: 'SnowflakeTrustLink' };
    iam.roles.set('other', JSON.stringify(trust(persons)));

    const response = await invoke(
      event('Update', { ResourceProperties: props, OldResourceProperties: failedMove }),
    );

    expect(response.Status).toBe('SUCCESS');
    expect(policyOf(iam, 'other')).toEqual(trust(persons));
  });
});

describe('Update at the deadline', () => {
  it('still answers when the undo of a failed replacement fails too', async () => {
    let reads = 0;
    iamMock.on(GetRoleCommand, { RoleName: 'other' }).callsFake(() => {
      reads++;
      if (reads > 1)
        throw Object.assign(new Error('bad input'), {
          name: 'InvalidInput',
          $metadata: { httpStatusCode: 400 },
        });
      return {
        Role: {
          RoleName: 'other',
          Arn: roleArn('other'),
          AssumeRolePolicyDocument: encodeURIComponent(iam.roles.get('other') ?? ''),
        },
      };
    });

    const response = await invoke(event('Update', { ResourceProperties: { ...props, RoleName: 'other' } }));

    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: LINK_ID });
    expect(response.Reason).toContain('IAM said InvalidInput');
  });

  it('undoes a replacement link written before the deadline, then answers with the old id', async () => {
    let reads = 0;
    iamMock.on(GetRoleCommand, { RoleName: 'other' }).callsFake(() => {
      reads++;
      if (reads === 2) return new Promise(() => undefined);
      return getRoleAnswer(iam, 'other');
    });

    const response = await invoke(
      event('Update', { ResourceProperties: { ...props, RoleName: 'other' } }),
      3000,
    );

    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: LINK_ID });
    expect(response.Reason).toContain("did not finish within the function's time");
    expect(policyOf(iam, 'other')).toEqual(trust(placeholder));
  });
});

describe('Delete', () => {
  it('removes its statement and keeps the others', async () => {
    iam.roles.set('snowflake', JSON.stringify(trust(lambdaTrust, linked())));

    const response = await invoke(event('Delete'));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: LINK_ID });
    expect(policyOf(iam, 'snowflake')).toEqual(trust(lambdaTrust));
  });

  it('puts the placeholder back where no statement would remain', async () => {
    iam.roles.set('snowflake', JSON.stringify(trust(linked())));

    await invoke(event('Delete'));

    expect(policyOf(iam, 'snowflake')).toEqual(trust(placeholder));
  });

  it('succeeds without a write when the role no longer exists', async () => {
    iam.roles.delete('snowflake');

    const response = await invoke(event('Delete'));

    expect(response.Status).toBe('SUCCESS');
    expect(iamMock).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
  });

  it('succeeds without a write when its statement is already gone', async () => {
    iam.roles.set('snowflake', JSON.stringify(trust(lambdaTrust)));

    const response = await invoke(event('Delete'));

    expect(response.Status).toBe('SUCCESS');
    expect(iamMock).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
  });

  it('touches nothing after a failed create', async () => {
    const failed = await invoke(
      event('Create', { ResourceProperties: { ...props, SnowflakeExternalID: ID } }),
    );
    receiver.received.length = 0;

    const deleted = await invoke(
      event('Delete', {
        PhysicalResourceId: failed.PhysicalResourceId,
        ResourceProperties: { ...props, SnowflakeExternalID: ID },
      }),
    );

    expect(failed.Status).toBe('FAILED');
    expect(failed.PhysicalResourceId).toMatch(/^SnowflakeTrustLink-CreateFailed:/);
    expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: failed.PhysicalResourceId });
    expect(iamMock).not.toHaveReceivedCommand(GetRoleCommand);
  });
});

describe('bad input', () => {
  it.each([
    ['the typo SnowflakeExternalID', { SnowflakeExternalID: ID }, 'Unknown property "SnowflakeExternalID"'],
    [
      'the seed example 13-digit account',
      { SnowflakeIamUserArn: 'arn:aws:iam::1234567898012:user/development/development_user' },
      'an AWS account id has 12 digits',
    ],
    ['an empty external id', { SnowflakeExternalId: '' }, 'SnowflakeExternalId is required'],
    ['a Sid that is not alphanumeric', { StatementSid: 'snowflake_link' }, 'StatementSid "snowflake_link"'],
    [
      'disagreeing RoleName and RoleArn',
      { RoleArn: 'arn:aws:iam::123456789012:role/other' },
      'name different roles',
    ],
  ])('answers FAILED for %s and reads nothing', async (_, change, words) => {
    const before = iam.roles.get('snowflake');

    const response = await invoke(event('Create', { ResourceProperties: { ...props, ...change } }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(words);
    expect(response.PhysicalResourceId).toMatch(/^SnowflakeTrustLink-CreateFailed:request-Create$/);
    expect(iamMock).not.toHaveReceivedAnyCommand();
    expect(iam.roles.get('snowflake')).toBe(before);
  });

  it.each([
    ['a role that does not exist', { RoleName: 'missing' }, 'Role "missing" does not exist in this account'],
    [
      'a RoleArn of another account',
      { RoleName: undefined, RoleArn: 'arn:aws:iam::999999999999:role/snowflake' },
      'does not match the role this account has',
    ],
    [
      'a principal IAM does not know',
      { SnowflakeIamUserArn: 'arn:aws:iam::123456789001:user/unknown' },
      'IAM said MalformedPolicyDocument: Invalid principal in policy',
    ],
  ])('answers FAILED for %s and leaves the policy as it was', async (_, change, words) => {
    const before = iam.roles.get('snowflake');

    const response = await invoke(event('Create', { ResourceProperties: { ...props, ...change } }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(words);
    expect(iam.roles.get('snowflake')).toBe(before);
  });
});

describe('concurrent writers', () => {
  it('merges again when another writer dropped its statement', async () => {
    let dropped = false;
    iam.interceptWrite = (_, document) => {
      if (dropped) return document;
      dropped = true;
      return JSON.stringify(trust(lambdaTrust, linked(NEW_ID, 'OtherLink')));
    };

    const response = await invoke(event('Create'));

    expect(response.Status).toBe('SUCCESS');
    expect(policyOf(iam, 'snowflake')).toEqual(trust(lambdaTrust, linked(NEW_ID, 'OtherLink'), linked()));
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAssumeRolePolicyCommand, 2);
  });

  it('waits at least half the settle time between its write and its read-back', async () => {
    const calls: [string, number][] = [];
    iamMock.on(GetRoleCommand).callsFake(({ RoleName }) => {
      calls.push(['read', Date.now()]);
      return getRoleAnswer(iam, RoleName);
    });
    iamMock.on(UpdateAssumeRolePolicyCommand).callsFake(({ RoleName, PolicyDocument }) => {
      calls.push(['write', Date.now()]);
      iam.roles.set(RoleName, PolicyDocument);
      return {};
    });
    process.env.TRUST_LINK_SETTLE_MS = '200';

    const response = await invoke(event('Create')).finally(() => {
      process.env.TRUST_LINK_SETTLE_MS = '0';
    });

    const [, write, readBack] = calls;
    expect(response.Status).toBe('SUCCESS');
    expect(calls.map(([kind]) => kind)).toEqual(['read', 'write', 'read']);
    expect((readBack?.[1] ?? 0) - (write?.[1] ?? 0)).toBeGreaterThanOrEqual(99);
  });

  it('gives up after a bounded number of writes and lets the Delete undo them', async () => {
    iam.interceptWrite = () => JSON.stringify(trust(lambdaTrust));

    const response = await invoke(event('Create'));

    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: LINK_ID });
    expect(response.Reason).toContain('another writer replaced it');
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAssumeRolePolicyCommand, 5);
  });
});

describe('failed writes', () => {
  it('answers the marker id when IAM refused the only write, so its Delete touches nothing', async () => {
    const response = await invoke(
      event('Create', {
        ResourceProperties: { ...props, SnowflakeIamUserArn: 'arn:aws:iam::123456789001:user/unknown' },
      }),
    );

    expect(response.Status).toBe('FAILED');
    expect(response.PhysicalResourceId).toBe('SnowflakeTrustLink-CreateFailed:request-Create');
  });

  it('answers the link id when an unanswered write came before the refusal: it may still land', async () => {
    iamMock
      .on(UpdateAssumeRolePolicyCommand)
      .rejectsOnce(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }))
      .rejects(
        Object.assign(new Error('Invalid principal in policy'), {
          name: 'MalformedPolicyDocumentException',
          $metadata: { httpStatusCode: 400 },
        }),
      );

    const response = await invoke(event('Create'));

    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: LINK_ID });
  });

  it('reads and merges again after a throttled write instead of re-sending a stale document', async () => {
    const otherWriter = JSON.stringify(trust(lambdaTrust, linked(NEW_ID, 'OtherLink')));
    let throttled = false;
    iamMock.on(UpdateAssumeRolePolicyCommand).callsFake(({ RoleName, PolicyDocument }) => {
      if (!throttled) {
        throttled = true;
        iam.roles.set('snowflake', otherWriter);
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'Throttling',
          $metadata: { httpStatusCode: 400 },
        });
      }
      iam.roles.set(RoleName, PolicyDocument);
      return {};
    });

    const response = await invoke(event('Create'));

    expect(response.Status).toBe('SUCCESS');
    expect(policyOf(iam, 'snowflake')).toEqual(trust(lambdaTrust, linked(NEW_ID, 'OtherLink'), linked()));
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAssumeRolePolicyCommand, 2);
  });

  it('gives up on writes that keep failing with IAM own words, and lets the Delete undo them', async () => {
    iamMock.on(UpdateAssumeRolePolicyCommand).rejects(
      Object.assign(new Error('Internal failure'), {
        name: 'ServiceFailure',
        $metadata: { httpStatusCode: 500 },
      }),
    );

    const response = await invoke(event('Create'));

    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: LINK_ID });
    expect(response.Reason).toContain('IAM said ServiceFailure: Internal failure');
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAssumeRolePolicyCommand, 5);
  });
});

describe('answering CloudFormation', () => {
  it('answers FAILED before the deadline when IAM hangs', async () => {
    iamMock.on(GetRoleCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();

    const response = await invoke(event('Create'), 3000);

    expect(Date.now() - started).toBeLessThan(3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2400);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain("did not finish within the function's time");
    expect(response.PhysicalResourceId).toMatch(/^SnowflakeTrustLink-CreateFailed:/);
  });

  it('links within a one-second function, keeping only a fifth of it in reserve', async () => {
    const response = await invoke(event('Create'), 1000);

    expect(response.Status).toBe('SUCCESS');
  });

  it('answers with the link id when the deadline comes while a write is in flight, so the Delete undoes it', async () => {
    iamMock.on(UpdateAssumeRolePolicyCommand).callsFake(() => new Promise(() => undefined));

    const response = await invoke(event('Create'), 3000);

    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: LINK_ID });
  });

  it.each([
    ['an unknown RequestType', { RequestType: 'Upsert' }, 'Unknown RequestType "Upsert"'],
    ['a missing StackId', { StackId: undefined }, 'lacks StackId'],
    [
      'an Update without PhysicalResourceId',
      { RequestType: 'Update', PhysicalResourceId: undefined },
      'lacks PhysicalResourceId',
    ],
  ])('answers FAILED for %s', async (_, change, words) => {
    const response = await invoke({ ...event('Create'), ...change });

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(words);
  });

  it('answers nothing and does not throw when the event has no ResponseURL', async () => {
    await handler({ RequestType: 'Create' }, lambdaContext());
    await handler('not an event', lambdaContext());

    expect(receiver.received).toHaveLength(0);
  });

  it('explains an unexpected error and points at the log stream', async () => {
    iamMock.on(GetRoleCommand).rejects(new TypeError('boom'));

    const response = await invoke(event('Create'));

    expect(response.Reason).toMatch(/IAM said TypeError: boom/);
  });

  it('refuses a trust policy that is not JSON and writes nothing', async () => {
    iam.roles.set('snowflake', 'not json');

    const response = await invoke(event('Create'));

    expect(response.Reason).toContain('The trust policy of role "snowflake" is not a JSON policy document.');
    expect(iamMock).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
  });

  it('returns normally when the response URL refuses the answer', async () => {
    receiver.answers.push(403);

    await expect(handler(event('Create'), lambdaContext())).resolves.toBeUndefined();
    expect(receiver.received).toHaveLength(1);
  });

  it('logs JSON lines and never the response URL', async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });

    await handler(
      event('Create', { ResourceProperties: { ...props, SnowflakeExternalID: ID } }),
      lambdaContext(),
    );
    write.mockRestore();

    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain('presigned-token');
    }
  });
});

describe('ownership', () => {
  const otherStack = { StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/storage/guid2' };

  it('refuses a link of another stack on a Sid this stack owns, naming the owner, and writes nothing', async () => {
    await invoke(event('Create'));
    const before = iam.roles.get('snowflake');
    receiver.received.length = 0;
    iamMock.resetHistory();

    const response = await invoke(event('Create', otherStack));

    expect(response).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'SnowflakeTrustLink-CreateFailed:request-Create',
    });
    expect(response.Reason).toContain('is linked by another stack (gateway/SnowflakeTrustLink)');
    expect(iam.roles.get('snowflake')).toBe(before);
    expect(iamMock).not.toHaveReceivedCommand(TagRoleCommand);
  });

  it("shares the statement with a renamed resource of the same stack, and the old one's Delete leaves it", async () => {
    await invoke(event('Create'));
    receiver.received.length = 0;
    await invoke(event('Create', { LogicalResourceId: 'Renamed' }));
    receiver.received.length = 0;

    const response = await invoke(event('Delete'));

    expect(response.Status).toBe('SUCCESS');
    expect(policyOf(iam, 'snowflake')).toEqual(trust(linked()));
    expect(iam.tags.get('snowflake')?.size).toBe(1);
  });

  it('takes back the record a failed Create left, on the Delete with its marker, and touches no statement', async () => {
    await invoke(event('Create'));
    const tags = new Map(iam.tags.get('snowflake'));
    iam.roles.set('snowflake', JSON.stringify(trust(sidPlaceholder)));
    receiver.received.length = 0;

    const response = await invoke(
      event('Delete', { PhysicalResourceId: 'SnowflakeTrustLink-CreateFailed:request-Create' }),
    );

    expect(tags.size).toBe(1);
    expect(response.Status).toBe('SUCCESS');
    expect(iam.tags.get('snowflake')?.size).toBe(0);
    expect(policyOf(iam, 'snowflake')).toEqual(trust(sidPlaceholder));
  });

  it("answers the marker's Delete SUCCESS even when it cannot read the role", async () => {
    iamMock.on(GetRoleCommand).rejects(
      Object.assign(new Error('not authorized'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );

    const response = await invoke(
      event('Delete', { PhysicalResourceId: 'SnowflakeTrustLink-CreateFailed:request-Create' }),
    );

    expect(response.Status).toBe('SUCCESS');
  });

  it('refuses a new link asked by a stack it does not serve, and reads nothing', async () => {
    process.env.TRUST_LINK_STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/gateway/guid';
    try {
      const response = await invoke(event('Create', otherStack));

      expect(response.Status).toBe('FAILED');
      expect(response.Reason).toContain('This link function belongs to stack "gateway"');
      expect(response.Reason).toContain('Deploy a link function in stack "storage"');
      expect(iamMock).not.toHaveReceivedCommand(GetRoleCommand);
    } finally {
      delete process.env.TRUST_LINK_STACK_ID;
    }
  });

  it('still updates and deletes a link a stack it does not serve made before', async () => {
    process.env.TRUST_LINK_STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/gateway/guid';
    iam.roles.set('snowflake', JSON.stringify(trust(linked())));
    try {
      const updated = await invoke(
        event('Update', { ...otherStack, ResourceProperties: { ...props, SnowflakeExternalId: NEW_ID } }),
      );
      receiver.received.length = 0;
      const deleted = await invoke(
        event('Delete', { ...otherStack, ResourceProperties: { ...props, SnowflakeExternalId: NEW_ID } }),
      );

      expect([updated.Status, deleted.Status]).toEqual(['SUCCESS', 'SUCCESS']);
      expect(policyOf(iam, 'snowflake')).toEqual(trust(placeholder));
    } finally {
      delete process.env.TRUST_LINK_STACK_ID;
    }
  });
});

describe('rotation with a current id, and its revocation', () => {
  const rotating = { ...props, SnowflakeExternalId: [NEW_ID, ID], CurrentExternalId: NEW_ID };
  const first = { ...props, CurrentExternalId: ID };
  const revocationProps = (currentId: string) => ({
    ServiceToken: props.ServiceToken,
    RoleName: 'snowflake',
    CurrentExternalId: currentId,
  });
  const revocationEvent = (
    requestType: 'Create' | 'Update' | 'Delete',
    currentId: string,
    extra: Record<string, unknown> = {},
  ) =>
    event(requestType, {
      ResourceType: 'Custom::SnowflakeTrustLinkRevocation',
      LogicalResourceId: 'Revocation',
      ResourceProperties: revocationProps(currentId),
      ...extra,
    });

  async function rotated(): Promise<{ oldRevocation: string; newRevocation: string }> {
    await invoke(event('Create', { ResourceProperties: first }));
    receiver.received.length = 0;
    const made = await invoke(revocationEvent('Create', ID));
    receiver.received.length = 0;
    await invoke(event('Update', { ResourceProperties: rotating, OldResourceProperties: first }));
    receiver.received.length = 0;
    const moved = await invoke(
      revocationEvent('Update', NEW_ID, { PhysicalResourceId: made.PhysicalResourceId }),
    );
    receiver.received.length = 0;
    iamMock.resetHistory();
    return {
      oldRevocation: String(made.PhysicalResourceId),
      newRevocation: String(moved.PhysicalResourceId),
    };
  }

  it('trusts the old id beside the new one on the rotating Update, and says it retires', async () => {
    await invoke(event('Create', { ResourceProperties: first }));
    receiver.received.length = 0;

    const response = await invoke(
      event('Update', { ResourceProperties: rotating, OldResourceProperties: first }),
    );

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: LINK_ID });
    expect(response.Data).toMatchObject({
      ExternalIds: `${NEW_ID},${ID}`,
      CurrentExternalId: NEW_ID,
      RetiringExternalIds: ID,
    });
    expect(policyOf(iam, 'snowflake')).toEqual(trust(linked([NEW_ID, ID])));
  });

  it('answers a revocation id that names the current id, without a call to IAM', async () => {
    const response = await invoke(revocationEvent('Create', ID));

    expect(response.PhysicalResourceId).toMatch(
      /^SnowflakeTrustLinkRevocation:snowflake:SnowflakeTrustLink:[0-9a-f]{12}$/,
    );
    expect(response.PhysicalResourceId).not.toContain(ID);
    expect(response.Data).toEqual({ CurrentExternalId: ID });
    expect(iamMock.calls()).toHaveLength(0);
  });

  it('revokes every id but the current one on the Delete of a replaced revocation, keeping the statement owned', async () => {
    const { oldRevocation } = await rotated();

    const response = await invoke(revocationEvent('Delete', ID, { PhysicalResourceId: oldRevocation }));
    receiver.received.length = 0;
    const unlinked = await invoke(event('Delete', { ResourceProperties: rotating }));

    expect(response.Status).toBe('SUCCESS');
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAssumeRolePolicyCommand, 2);
    expect(unlinked.Status).toBe('SUCCESS');
    expect(policyOf(iam, 'snowflake')).toEqual(trust(placeholder));
  });

  it.each([
    [
      'a rollback or the stack delete: its id is still current',
      (ids: { newRevocation: string }) => ids.newRevocation,
    ],
    ['an id that names no revocation', () => 'SnowflakeTrustLink-CreateFailed:request'],
  ])('touches nothing on the Delete of %s', async (_case, idOf) => {
    const ids = await rotated();
    const before = policyOf(iam, 'snowflake');

    const response = await invoke(revocationEvent('Delete', NEW_ID, { PhysicalResourceId: idOf(ids) }));

    expect(response.Status).toBe('SUCCESS');
    expect(iamMock).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
    expect(iamMock).not.toHaveReceivedCommand(TagRoleCommand);
    expect(policyOf(iam, 'snowflake')).toEqual(before);
  });

  it('leaves a statement someone changed since the links wrote it', async () => {
    const { oldRevocation } = await rotated();
    const changed = trust(linked([NEW_ID, ID, 'ADDED_BY_HAND=1']));
    iam.roles.set('snowflake', JSON.stringify(changed));

    const response = await invoke(revocationEvent('Delete', ID, { PhysicalResourceId: oldRevocation }));

    expect(response.Status).toBe('SUCCESS');
    expect(iamMock).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
  });

  it('answers FAILED naming what stays trusted when IAM refuses the revocation', async () => {
    const { oldRevocation } = await rotated();
    iamMock.on(UpdateAssumeRolePolicyCommand).rejects(
      Object.assign(new Error('Cannot exceed quota'), {
        name: 'LimitExceededException',
        $metadata: { httpStatusCode: 409 },
      }),
    );

    const response = await invoke(revocationEvent('Delete', ID, { PhysicalResourceId: oldRevocation }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(
      /^Could not revoke the external id\(s\) a rotation replaced on role "snowflake": .*They stay trusted until the next deploy that updates the link/,
    );
    expect(policyOf(iam, 'snowflake')).toEqual(trust(linked([NEW_ID, ID])));
  });

  it('trusts the current id alone on an Update that keeps it, though its properties list the old one', async () => {
    await rotated();
    const byArn = { ...rotating, RoleName: undefined, RoleArn: roleArn('snowflake') };

    const response = await invoke(
      event('Update', { ResourceProperties: byArn, OldResourceProperties: rotating }),
    );

    expect(response.Data).toMatchObject({ ExternalIds: NEW_ID, RetiringExternalIds: 'none' });
    expect(policyOf(iam, 'snowflake')).toEqual(trust(linked(NEW_ID)));
  });

  it('names the exact untag-role command for the record of a stack that no longer exists', async () => {
    await invoke(event('Create'));
    receiver.received.length = 0;
    const [key] = [...(iam.tags.get('snowflake')?.keys() ?? [])];

    const response = await invoke(
      event('Create', { StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/storage/guid2' }),
    );

    expect(response.Reason).toContain(
      `If that stack no longer exists, it left its record on the role: remove it with aws iam untag-role --role-name 'snowflake' --tag-keys '${key}' and deploy again.`,
    );
  });
});
