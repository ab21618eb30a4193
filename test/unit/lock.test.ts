import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LockUnavailableError } from '../../handler/trust-link/errors';
import { GRANT_PROPAGATION_MS, leaseRole, RENEW_EVERY_MS } from '../../handler/trust-link/lock';

const dynamodb = mockClient(DynamoDBClient);
const busy = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const denied = () => Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
const LATE_WRITE_MS = 1000;
const options = (signal = new AbortController().signal, until = Date.now() + 600_000) => ({
  signal,
  holder: 'me',
  until,
  lateWriteMs: LATE_WRITE_MS,
});
/** The lease's end as a request set it (':until'), for the nth UpdateItem. */
function untilSent(nth: number): number {
  return Number(
    dynamodb.commandCalls(UpdateItemCommand)[nth - 1]?.args[0].input.ExpressionAttributeValues?.[':until']?.N,
  );
}

beforeEach(() => {
  dynamodb.reset();
  process.env.TRUST_LINK_LOCK_TABLE = 'locks';
});
afterEach(() => {
  delete process.env.TRUST_LINK_LOCK_TABLE;
  vi.useRealTimers();
});

describe('leaseRole', () => {
  it('takes the lease of the role, by its name in lower case, on condition that no one else holds it', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});

    const lease = await leaseRole('SnowFlake', options());

    expect(lease.previous).toBeUndefined();
    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'locks',
      Key: { LockId: { S: 'role/snowflake' } },
      ConditionExpression:
        '(attribute_not_exists(#holder) OR #holder = :holder OR #until < :now) AND ' +
        '(attribute_not_exists(#hold) OR #hold < :now OR #holdBy = :holder)',
      ExpressionAttributeNames: {
        '#holder': 'Holder',
        '#until': 'LeaseUntil',
        '#hold': 'HoldUntil',
        '#holdBy': 'HoldBy',
      },
      ReturnValues: 'ALL_OLD',
    });
  });

  it('hands over what the previous holder left', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: { State: { S: 'digest' }, StateAt: { N: '42' } } });

    const lease = await leaseRole('snowflake', options());

    expect(lease.previous).toEqual({ state: 'digest', at: 42 });
  });

  it('waits while another invocation holds the lease, and through throttling', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .rejectsOnce(busy())
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
      .resolves({});

    await leaseRole('snowflake', options());

    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 3);
  });

  it('stops waiting with the deadline', async () => {
    dynamodb.on(UpdateItemCommand).rejects(busy());
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('deadline')), 300);

    await expect(leaseRole('snowflake', options(controller.signal))).rejects.toThrow('deadline');
  });

  it('says what to do when the lock table does not exist', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));

    const failure = leaseRole('snowflake', options());

    await expect(failure).rejects.toBeInstanceOf(LockUnavailableError);
    await expect(failure).rejects.toThrow('does not exist');
  });

  it('waits through AccessDenied while IAM propagates the grant, then takes the lease', async () => {
    dynamodb.on(UpdateItemCommand).rejectsOnce(denied()).rejectsOnce(denied()).resolves({});

    await expect(leaseRole('snowflake', options())).resolves.toBeDefined();

    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 3);
  });

  it('takes AccessDenied for a missing grant once IAM has had its time, and says which', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    dynamodb.on(UpdateItemCommand).rejects(denied());

    const failure = leaseRole('snowflake', options());
    const settled = expect(failure).rejects.toThrow(
      `denied for ${GRANT_PROPAGATION_MS / 1000} s, longer than IAM takes to propagate a grant: the link function's role needs dynamodb:UpdateItem`,
    );
    await vi.advanceTimersByTimeAsync(GRANT_PROPAGATION_MS + 2000);

    await settled;
    expect(dynamodb.commandCalls(UpdateItemCommand).length).toBeGreaterThan(5);
  });

  it('refuses to run without a lock table, naming the setting and what to deploy, and sends nothing', async () => {
    delete process.env.TRUST_LINK_LOCK_TABLE;

    const failure = leaseRole('snowflake', options());

    await expect(failure).rejects.toBeInstanceOf(LockUnavailableError);
    await expect(failure).rejects.toThrow(
      /TRUST_LINK_LOCK_TABLE is not set.*LinkLockTable.*dynamodb:UpdateItem/,
    );
    expect(dynamodb).not.toHaveReceivedCommand(UpdateItemCommand);
  });

  it('takes the lease for the late-write window and two renewals, never past its last moment', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    const before = Date.now();

    const short = await leaseRole('snowflake', options());
    const capped = await leaseRole('other', options(new AbortController().signal, before + 1500));
    await Promise.all([short.release(), capped.release()]);

    expect(untilSent(1) - before).toBeGreaterThanOrEqual(LATE_WRITE_MS + 2 * RENEW_EVERY_MS);
    expect(untilSent(1) - before).toBeLessThan(LATE_WRITE_MS + 2 * RENEW_EVERY_MS + 1000);
    expect(untilSent(2)).toBe(before + 1500);
  });
});

describe('heartbeat', () => {
  it('renews the lease while held, only if it still holds it, and stops once it is released', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    dynamodb.on(UpdateItemCommand).resolves({});
    const lease = await leaseRole('snowflake', options());

    await vi.advanceTimersByTimeAsync(2 * RENEW_EVERY_MS + 100);
    await lease.release();
    await vi.advanceTimersByTimeAsync(3 * RENEW_EVERY_MS);

    const expressions = dynamodb
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input.UpdateExpression);
    expect(expressions).toEqual([
      'SET #holder = :holder, #until = :until',
      'SET #until = :until',
      'SET #until = :until',
      'REMOVE #holder, #until',
    ]);
    expect(dynamodb).toHaveReceivedNthCommandWith(UpdateItemCommand, 2, {
      ConditionExpression: '#holder = :holder',
      ExpressionAttributeNames: { '#holder': 'Holder', '#until': 'LeaseUntil' },
    });
    expect(untilSent(3)).toBeGreaterThan(untilSent(2));
  });

  it('stops renewing when the invocation reaches its deadline', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    dynamodb.on(UpdateItemCommand).resolves({});
    const controller = new AbortController();
    await leaseRole('snowflake', options(controller.signal));

    controller.abort(new Error('deadline'));
    await vi.advanceTimersByTimeAsync(3 * RENEW_EVERY_MS);

    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
  });

  it('lets a write go while the lease outlasts it by the late-write window', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    const lease = await leaseRole('snowflake', options());

    await lease.cover();

    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    await lease.release();
  });

  it('renews before a write that the lease would not outlast, and refuses it once another holder took the lease', async () => {
    dynamodb.on(UpdateItemCommand).resolvesOnce({}).rejects(busy());
    const lease = await leaseRole('snowflake', options());
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * RENEW_EVERY_MS + 500 });

    const write = lease.cover();

    await expect(write).rejects.toBeInstanceOf(LockUnavailableError);
    await expect(write).rejects.toThrow('Lost the lease on role "snowflake"');
    expect(dynamodb).toHaveReceivedNthCommandWith(UpdateItemCommand, 2, {
      UpdateExpression: 'SET #until = :until',
    });
    vi.useRealTimers();
    await lease.release();
  });
});

describe('release', () => {
  it('records the state it leaves and gives the lease up, only if it still holds it', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    const lease = await leaseRole('snowflake', options());

    await lease.release('digest');

    expect(dynamodb).toHaveReceivedNthCommandWith(UpdateItemCommand, 2, {
      UpdateExpression: 'SET #state = :state, #at = :at REMOVE #holder, #until',
      ConditionExpression: '#holder = :holder',
      ExpressionAttributeNames: {
        '#holder': 'Holder',
        '#until': 'LeaseUntil',
        '#state': 'State',
        '#at': 'StateAt',
      },
    });
  });

  it('holds the role for others until a write that went unanswered can no longer land', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    const lease = await leaseRole('snowflake', options());

    await lease.release(undefined, 5000);

    expect(dynamodb).toHaveReceivedNthCommandWith(UpdateItemCommand, 2, {
      UpdateExpression: 'SET #hold = :hold, #holdBy = :holder REMOVE #holder, #until',
      ExpressionAttributeNames: {
        '#holder': 'Holder',
        '#until': 'LeaseUntil',
        '#hold': 'HoldUntil',
        '#holdBy': 'HoldBy',
      },
      ExpressionAttributeValues: { ':holder': { S: 'me' }, ':hold': { N: '5000' } },
    });
  });

  it('gives the lease up without recording when nothing was written', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    const lease = await leaseRole('snowflake', options());

    await lease.release();

    expect(dynamodb).toHaveReceivedNthCommandWith(UpdateItemCommand, 2, {
      UpdateExpression: 'REMOVE #holder, #until',
      ExpressionAttributeNames: { '#holder': 'Holder', '#until': 'LeaseUntil' },
      ExpressionAttributeValues: { ':holder': { S: 'me' } },
    });
  });

  it('sends a release again when it is lost, until it lands', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .resolvesOnce({})
      .rejectsOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .rejectsOnce(Object.assign(new Error('internal'), { name: 'InternalServerError' }))
      .resolves({});
    const lease = await leaseRole('snowflake', options());

    await lease.release('digest');

    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 4);
    expect(dynamodb).toHaveReceivedNthCommandWith(UpdateItemCommand, 4, {
      UpdateExpression: 'SET #state = :state, #at = :at REMOVE #holder, #until',
    });
  });

  it('gives a release up after three attempts without failing: the short term ends the lease', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .resolvesOnce({})
      .rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const lease = await leaseRole('snowflake', options());

    await expect(lease.release('digest')).resolves.toBeUndefined();

    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 4);
  });

  it('does not fail when the lease expired and another took it', async () => {
    dynamodb.on(UpdateItemCommand).resolvesOnce({}).rejects(busy());
    const lease = await leaseRole('snowflake', options());

    await expect(lease.release('digest')).resolves.toBeUndefined();
  });
});
