import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockUnavailableError } from '../../handler/trust-link/errors';
import { leaseRole } from '../../handler/trust-link/lock';

const dynamodb = mockClient(DynamoDBClient);
const busy = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const options = (signal = new AbortController().signal) => ({ signal, holder: 'me', until: 1_000_000 });

beforeEach(() => {
  dynamodb.reset();
  process.env.TRUST_LINK_LOCK_TABLE = 'locks';
});
afterEach(() => {
  delete process.env.TRUST_LINK_LOCK_TABLE;
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

  it.each([
    [
      new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }),
      'does not exist',
    ],
    [
      Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }),
      'needs dynamodb:UpdateItem',
    ],
  ])('says what to do when DynamoDB refuses: %s', async (error, advice) => {
    dynamodb.on(UpdateItemCommand).rejects(error);

    const failure = leaseRole('snowflake', options());

    await expect(failure).rejects.toBeInstanceOf(LockUnavailableError);
    await expect(failure).rejects.toThrow(advice);
  });

  it('runs without a lease, and says so, when the function has no lock table', async () => {
    delete process.env.TRUST_LINK_LOCK_TABLE;

    const lease = await leaseRole('snowflake', options());
    await lease.release('digest');

    expect(dynamodb).not.toHaveReceivedCommand(UpdateItemCommand);
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

  it('does not fail when the lease expired and another took it', async () => {
    dynamodb.on(UpdateItemCommand).resolvesOnce({}).rejects(busy());
    const lease = await leaseRole('snowflake', options());

    await expect(lease.release('digest')).resolves.toBeUndefined();
  });
});
