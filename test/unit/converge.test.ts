import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetRoleCommand, UntagRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { converge, roleStateDigest } from '../../handler/trust-link/converge';
import { LockUnavailableError } from '../../handler/trust-link/errors';
import { parseTrustPolicy, type TrustPolicy } from '../../handler/trust-link/trust-policy';
import { ACCOUNT_ROOT, type FakeIam, fakeIam, getRoleAnswer, iamMock, policyOf } from '../helpers/fake-iam';
import { dynamodbMock as dynamodb, fakeLockTable } from '../helpers/fake-lock';

const placeholder = { Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT }, Action: 'sts:AssumeRole' };
const ops = { Sid: 'Ops', ...placeholder, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } };
const trust = (...statements: Record<string, unknown>[]): TrustPolicy => ({
  Version: '2012-10-17',
  Statement: statements,
});
const addOps = (policy: TrustPolicy) => ({
  policy: policy.Statement.some((s) => s.Sid === 'Ops')
    ? policy
    : { ...policy, Statement: [...policy.Statement, ops] },
});
const options = (maxReadLagMs: number) => ({
  signal: new AbortController().signal,
  settleMs: 0,
  maxReadLagMs,
  lateWriteMs: 1000,
  lease: { holder: 'me', until: Date.now() + 60_000 },
});

let iam: FakeIam;

/** GetRole answers as IAM did before the last write, for the next `reads` reads after it. */
function lagBehindWrites(reads: number): void {
  let stale = 0;
  let before = iam.roles.get('snowflake') ?? '';
  iamMock.on(UpdateAssumeRolePolicyCommand).callsFake(({ PolicyDocument }) => {
    before = iam.roles.get('snowflake') ?? '';
    iam.roles.set('snowflake', PolicyDocument);
    stale = reads;
    return {};
  });
  iamMock.on(GetRoleCommand).callsFake(() => {
    const answer = getRoleAnswer(iam, 'snowflake');
    if (stale-- > 0)
      return { Role: { ...answer.Role, AssumeRolePolicyDocument: encodeURIComponent(before) } };
    return answer;
  });
}

beforeEach(() => {
  fakeLockTable();
  iam = fakeIam({ snowflake: trust(placeholder) });
});
afterEach(() => {
  delete process.env.TRUST_LINK_LOCK_TABLE;
});

describe('converge', () => {
  it('reads again until IAM shows its write, instead of writing again from a read that lags', async () => {
    lagBehindWrites(2);

    const converged = await converge('snowflake', addOps, options(5000));

    expect(converged?.writes).toBe(1);
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAssumeRolePolicyCommand, 1);
    expect(iamMock).toHaveReceivedCommandTimes(GetRoleCommand, 4);
    expect(policyOf(iam, 'snowflake')).toEqual(trust(placeholder, ops));
  });

  it('waits for what the previous holder of the lease wrote before it reads the role to edit', async () => {
    const previous = trust(placeholder, ops);
    dynamodb.on(UpdateItemCommand).resolves({
      Attributes: { State: { S: roleStateDigest(previous, []) }, StateAt: { N: String(Date.now()) } },
    });
    let reads = 0;
    iamMock.on(GetRoleCommand).callsFake(() => {
      reads += 1;
      // The first two reads still lag behind the previous holder's write.
      if (reads === 3) iam.roles.set('snowflake', JSON.stringify(previous));
      return getRoleAnswer(iam, 'snowflake');
    });

    await converge('snowflake', (policy) => ({ policy }), options(5000));

    expect(reads).toBe(3);
    expect(iamMock).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
  });

  it('takes a difference that outlasts the lag bound for another writer, and merges with it', async () => {
    let writes = 0;
    iamMock.on(UpdateAssumeRolePolicyCommand).callsFake(({ PolicyDocument }) => {
      writes += 1;
      // Another writer replaces the first write with its own document.
      const theirs = parseTrustPolicy(PolicyDocument);
      iam.roles.set(
        'snowflake',
        JSON.stringify(writes === 1 ? trust(placeholder, { ...ops, Sid: 'Theirs' }) : theirs),
      );
      return {};
    });

    const converged = await converge('snowflake', addOps, options(50));

    expect(converged?.writes).toBe(2);
    expect(policyOf(iam, 'snowflake')).toEqual(trust(placeholder, { ...ops, Sid: 'Theirs' }, ops));
  });

  it('sends no write that its lease would not outlast by the late-write window', async () => {
    // The lease may not last past this invocation's end, which is closer than the late-write window (1 s).
    const ending = { ...options(5000), lease: { holder: 'me', until: Date.now() + 500 } };

    const converging = converge('snowflake', addOps, ending);

    await expect(converging).rejects.toBeInstanceOf(LockUnavailableError);
    expect(iamMock).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
    expect(policyOf(iam, 'snowflake')).toEqual(trust(placeholder));
  });

  it('records the state it left in the lease for the next holder', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});

    await converge('snowflake', addOps, options(5000));

    expect(dynamodb).toHaveReceivedNthCommandWith(UpdateItemCommand, 2, {
      ExpressionAttributeValues: expect.objectContaining({
        ':state': { S: roleStateDigest(trust(placeholder, ops), []) },
      }),
    });
  });

  it("leaves the previous holder's record as it was when it writes nothing", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});

    await converge('snowflake', (policy) => ({ policy }), options(5000));

    expect(dynamodb).toHaveReceivedNthCommandWith(UpdateItemCommand, 2, {
      UpdateExpression: 'REMOVE #holder, #until',
    });
  });

  const refusedLink = (policy: TrustPolicy) => ({
    policy: policy.Statement.some((st) => st.Sid === 'Unknown')
      ? policy
      : {
          ...policy,
          Statement: [
            ...policy.Statement,
            { ...ops, Sid: 'Unknown', Principal: { AWS: 'arn:aws:iam::123456789001:user/unknown' } },
          ],
        },
    tags: [
      { key: 'SnowflakeTrustLink:mine', value: 'new' },
      { key: 'SnowflakeTrustLink:added', value: 'x' },
    ],
  });

  it("puts the records of a round IAM refused back as they were, and leaves the lease's record alone", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    iam.tags.get('snowflake')?.set('SnowflakeTrustLink:mine', 'old');

    await expect(converge('snowflake', refusedLink, options(5000))).rejects.toThrow('Invalid principal');

    expect([...(iam.tags.get('snowflake') ?? [])]).toEqual([['SnowflakeTrustLink:mine', 'old']]);
    expect(dynamodb).toHaveReceivedNthCommandWith(UpdateItemCommand, 2, {
      UpdateExpression: 'REMOVE #holder, #until',
    });
  });

  it("clears the lease's record when a round landed in part and could not be put back", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    iamMock.on(UntagRoleCommand).rejects(Object.assign(new Error('busy'), { name: 'ServiceFailure' }));

    await expect(converge('snowflake', refusedLink, options(5000))).rejects.toThrow('Invalid principal');

    expect(dynamodb).toHaveReceivedNthCommandWith(UpdateItemCommand, 2, {
      UpdateExpression: 'REMOVE #holder, #until, #state, #at',
    });
  });
});
