import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { releaseLeaseInput, renewLeaseInput, takeLeaseInput } from '../../handler/trust-link/lease-requests';
import { applyUpdate, DynamoDbStandIn, ExpressionError, meetsCondition } from '../../lab/dynamodb';

let dynamodb: DynamoDbStandIn;
let client: DynamoDBClient;
const TABLE = 'locks';
const key = { LockId: { S: 'role/snowflake' } };

beforeAll(async () => {
  dynamodb = await DynamoDbStandIn.start();
  client = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLAB', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
});
beforeEach(() => {
  dynamodb.clearFaults();
  dynamodb.deleteTable(TABLE);
  dynamodb.createTable(TABLE, 'LockId');
});
afterAll(async () => {
  client.destroy();
  await dynamodb.close();
});

// The link's own lease requests, against the stand-in.
const take = (holder: string, until: number, now = Date.now()) =>
  client.send(
    new UpdateItemCommand(takeLeaseInput({ table: TABLE, roleName: 'Snowflake', holder, until, now })),
  );

describe('DynamoDB stand-in, through the real @aws-sdk/client-dynamodb', () => {
  it('takes a lease once, refuses a second holder and lets the same holder take it again', async () => {
    const first = await take('a', Date.now() + 60_000);
    const again = await take('a', Date.now() + 60_000);
    const second = take('b', Date.now() + 60_000);

    expect(first.Attributes).toBeUndefined();
    expect(again.Attributes?.Holder).toEqual({ S: 'a' });
    await expect(second).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(dynamodb.items(TABLE)).toEqual([
      { LockId: { S: 'role/snowflake' }, Holder: { S: 'a' }, LeaseUntil: { N: expect.any(String) } },
    ]);
  });

  it('gives an expired lease to the next holder, with the old item', async () => {
    await take('a', 1000);

    const taken = await take('b', Date.now() + 60_000);

    expect(taken.Attributes?.Holder).toEqual({ S: 'a' });
    expect(dynamodb.items(TABLE)[0]?.Holder).toEqual({ S: 'b' });
  });

  it('removes attributes and sets others in one update, on condition', async () => {
    await take('a', Date.now() + 60_000);

    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: key,
        UpdateExpression: 'SET #state = :state REMOVE #holder, LeaseUntil',
        ConditionExpression: '#holder = :holder',
        ExpressionAttributeNames: { '#holder': 'Holder', '#state': 'State' },
        ExpressionAttributeValues: { ':holder': { S: 'a' }, ':state': { S: 'digest' } },
      }),
    );
    const { Item } = await client.send(new GetItemCommand({ TableName: TABLE, Key: key }));

    expect(Item).toEqual({ LockId: { S: 'role/snowflake' }, State: { S: 'digest' } });
  });

  it('puts and deletes items, and refuses a put whose condition fails', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key, N: { N: '1' } } }));
    const refused = client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { ...key, N: { N: '2' } },
        ConditionExpression: 'attribute_not_exists(LockId)',
      }),
    );
    await expect(refused).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: key }));

    expect(dynamodb.items(TABLE)).toEqual([]);
  });

  it('answers ResourceNotFoundException for a table that does not exist', async () => {
    const call = client.send(new GetItemCommand({ TableName: 'absent', Key: key }));

    await expect(call).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('throttles on demand, and the SDK names the error', async () => {
    dynamodb.throttle(1);

    await expect(client.send(new GetItemCommand({ TableName: TABLE, Key: key }))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    expect((await client.send(new GetItemCommand({ TableName: TABLE, Key: key }))).Item).toBeUndefined();
  });

  it('renews a lease for its holder only', async () => {
    await take('a', Date.now() + 1000);
    const renew = (holder: string, until: number) =>
      client.send(
        new UpdateItemCommand(
          renewLeaseInput({ table: TABLE, roleName: 'snowflake', holder, until, now: 0 }),
        ),
      );

    await renew('a', 123_456_789_000);
    const stranger = renew('b', 1);

    await expect(stranger).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(dynamodb.items(TABLE)[0]?.LeaseUntil).toEqual({ N: '123456789000' });
  });

  it('denies every call for a while, as DynamoDB does a caller whose grant has not arrived, then serves again', async () => {
    dynamodb.denyAccess(150);

    const denied = take('a', Date.now() + 60_000);

    await expect(denied).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(dynamodb.items(TABLE)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(take('a', Date.now() + 60_000)).resolves.toBeDefined();
  });

  it('grants every lease while its conditions are ignored, for a control that runs links unserialized', async () => {
    await take('a', Date.now() + 60_000);
    dynamodb.ignoreConditions();

    const second = await take('b', Date.now() + 60_000);
    dynamodb.ignoreConditions(false);

    expect(second.Attributes?.Holder).toEqual({ S: 'a' });
    await expect(take('c', Date.now() + 60_000)).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('drops the matching requests unapplied, and answers the others', async () => {
    await take('a', Date.now() + 60_000);
    dynamodb.dropRequests(
      1,
      (operation, input) => operation === 'UpdateItem' && String(input.UpdateExpression).includes('REMOVE'),
    );
    const release = () =>
      client.send(
        new UpdateItemCommand(
          releaseLeaseInput({ table: TABLE, roleName: 'snowflake', holder: 'a', now: Date.now() }),
        ),
      );

    await expect(release()).rejects.toMatchObject({ code: 'ECONNRESET' });
    const heldAfterDrop = dynamodb.items(TABLE)[0]?.Holder;
    await release();

    expect(heldAfterDrop).toEqual({ S: 'a' });
    expect(dynamodb.items(TABLE)[0]?.Holder).toBeUndefined();
    expect(dynamodb.calls.at(-2)?.error).toBe('Dropped');
  });
});

describe('expressions', () => {
  const placeholders = { names: { '#a': 'A' }, values: { ':one': { N: '1' }, ':x': { S: 'x' } } };

  it.each([
    ['#a = :one', { A: { N: '1.0' } }, true],
    ['#a <> :one', { A: { N: '1' } }, false],
    ['#a < :one OR #a >= :one', { A: { N: '5' } }, true],
    ['#a <= :one AND NOT (#a > :one)', { A: { N: '1' } }, true],
    ['#a = :x', { A: { N: '1' } }, false],
    ['attribute_exists(#a)', {}, false],
    ['attribute_not_exists(#a) AND B = :x', { B: { S: 'x' } }, true],
  ])('%s on %j is %s', (expression, item, expected) => {
    expect(meetsCondition(expression, item, placeholders)).toBe(expected);
  });

  it.each([
    ['an undefined name', '#b = :one'],
    ['an undefined value', '#a = :two'],
    ['a trailing token', '#a = :one :one'],
    ['an unknown operator', '#a ~ :one'],
  ])('refuses %s', (_case, expression) => {
    expect(() => meetsCondition(expression, {}, placeholders)).toThrow(ExpressionError);
  });

  it('refuses an update clause it does not know', () => {
    expect(() => applyUpdate('ADD #a :one', {}, placeholders)).toThrow(ExpressionError);
  });
});
