// Checks the lab's IAM and DynamoDB stand-ins against moto, an emulator nobody here wrote: the same calls
// through the real SDK clients to both, and the answers compared. Covers what the link relies on beyond
// the trust policy: role tags, and the conditional writes of the lease.
//   npm run check:stand-ins -- --moto http://127.0.0.1:5000   (a running `moto_server`)
import { parseArgs } from 'node:util';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { releaseLeaseInput, renewLeaseInput, takeLeaseInput } from '../handler/trust-link/lease-requests';
import { DynamoDbStandIn, IamStandIn } from '../lab';

const { values } = parseArgs({ options: { moto: { type: 'string', default: 'http://127.0.0.1:5000' } } });
const credentials = { accessKeyId: 'AKIDCHECK', secretAccessKey: 'check-secret' };
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' },
  ],
});

type Step = [name: string, run: () => Promise<unknown>];

// Where moto does not model what IAM does, and why the lab keeps IAM's rule.
const MOTO_DOES_NOT_MODEL: Record<string, string> = {
  'a key starting with aws:': 'IAM reserves the aws: prefix (Tagging IAM resources); moto 5 accepts it',
  'a 51st tag': 'IAM allows 50 tags a role, counting those it has; moto 5 counts only the tags of one call',
};

/** Each step's outcome: what the answer holds that the link reads, or the error's name. */
async function outcomes(steps: Step[]): Promise<Record<string, unknown>> {
  const seen: Record<string, unknown> = {};
  for (const [name, run] of steps) {
    try {
      seen[name] = await run();
    } catch (error) {
      seen[name] = { error: error instanceof Error ? error.name : String(error) };
    }
  }
  return seen;
}

function iamSteps(endpoint: string, roleName: string): Step[] {
  const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  const tags = async () => (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.Tags ?? [];
  const tag = (Tags: Array<{ Key: string; Value: string }>) =>
    iam.send(new TagRoleCommand({ RoleName: roleName, Tags })).then(() => 'ok');
  return [
    [
      'create the role',
      () =>
        iam
          .send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: TRUST }))
          .then(() => 'ok'),
    ],
    [
      'tag it twice, overwriting one key',
      async () => {
        await tag([
          { Key: 'SnowflakeTrustLink:a', Value: 'Sid 0123 x/y' },
          { Key: 'SnowflakeTrustLink:b', Value: '' },
        ]);
        await tag([{ Key: 'SnowflakeTrustLink:a', Value: 'again' }]);
        return tags();
      },
    ],
    [
      'untag one key and one it does not have',
      async () => {
        await iam.send(
          new UntagRoleCommand({ RoleName: roleName, TagKeys: ['SnowflakeTrustLink:b', 'absent'] }),
        );
        return tags();
      },
    ],
    ['a key starting with aws:', () => tag([{ Key: 'aws:owner', Value: 'x' }])],
    ['a value over 256 characters', () => tag([{ Key: 'k', Value: 'v'.repeat(257) }])],
    ['a 51st tag', () => tag(Array.from({ length: 50 }, (_, n) => ({ Key: `k${n}`, Value: '' })))],
    [
      'the trust policy is untouched by tags',
      async () => {
        await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: TRUST }));
        const document = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role
          ?.AssumeRolePolicyDocument;
        return JSON.parse(decodeURIComponent(document ?? ''));
      },
    ],
    [
      'tag a role that does not exist',
      () =>
        iam
          .send(new TagRoleCommand({ RoleName: `${roleName}-absent`, Tags: [{ Key: 'k', Value: 'v' }] }))
          .then(() => 'ok'),
    ],
  ];
}

// The lease's own requests (handler/trust-link/lease-requests.ts), so that moto checks what the link sends.
function leaseSteps(endpoint: string, table: string): Step[] {
  const dynamodb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  const key = { LockId: { S: 'role/snowflake' } };
  const lease = { table, roleName: 'Snowflake', now: 1000 };
  const take = (holder: string, until: number) =>
    dynamodb
      .send(new UpdateItemCommand(takeLeaseInput({ ...lease, holder, until })))
      .then((answer) => answer.Attributes ?? {});
  const release = (holder: string, holdUntil?: number) =>
    dynamodb
      .send(
        new UpdateItemCommand(
          releaseLeaseInput({ ...lease, holder, state: 'digest', ...(holdUntil ? { holdUntil } : {}) }),
        ),
      )
      .then(() => 'ok');
  const renew = (holder: string, until: number) =>
    dynamodb.send(new UpdateItemCommand(renewLeaseInput({ ...lease, holder, until }))).then(() => 'ok');
  const clear = (holder: string) =>
    dynamodb
      .send(new UpdateItemCommand(releaseLeaseInput({ ...lease, holder, state: null })))
      .then(() => 'ok');
  return [
    ['a first holder takes the lease', () => take('a', 5000)],
    ['a second holder is refused', () => take('b', 5000)],
    ['the first takes it again', () => take('a', 6000)],
    ['the holder renews it', () => renew('a', 7000)],
    ['a holder that does not hold it cannot renew it', () => renew('b', 8000)],
    ['a holder that does not hold it cannot release it', () => release('b')],
    ['the holder releases it, recording the state', () => release('a')],
    ['the next holder gets the state left', () => take('b', 5000)],
    [
      'an expired lease goes to another holder',
      async () => {
        await take('b', 500);
        return take('c', 5000);
      },
    ],
    [
      'a release that holds the role for a write that may land',
      async () => {
        await take('c', 5000);
        return release('c', 9000);
      },
    ],
    ['another holder is refused while the hold lasts', () => take('d', 5000)],
    ['the holder of the hold takes it again', () => take('c', 5000)],
    [
      'a release that clears the recorded state',
      async () => {
        await take('c', 5000);
        return clear('c');
      },
    ],
    [
      'the item as it stands',
      async () => (await dynamodb.send(new GetItemCommand({ TableName: table, Key: key }))).Item,
    ],
    [
      'a table that does not exist',
      () => dynamodb.send(new GetItemCommand({ TableName: `${table}-absent`, Key: key })),
    ],
  ];
}

async function main(): Promise<void> {
  const moto = values.moto;
  const [iam, dynamodb] = await Promise.all([IamStandIn.start(), DynamoDbStandIn.start()]);
  const table = `check-${Date.now()}`;
  try {
    dynamodb.createTable(table, 'LockId');
    await new DynamoDBClient({ endpoint: moto, region: 'us-east-1', credentials }).send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'LockId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'LockId', KeyType: 'HASH' }],
      }),
    );
    const roleName = `check-${Date.now()}`;
    const lab = await outcomes([
      ...iamSteps(iam.endpoint, roleName),
      ...leaseSteps(dynamodb.endpoint, table),
    ]);
    const reference = await outcomes([...iamSteps(moto, roleName), ...leaseSteps(moto, table)]);
    let differences = 0;
    for (const step of Object.keys(lab)) {
      const [ours, theirs] = [JSON.stringify(lab[step]), JSON.stringify(reference[step])];
      const known = MOTO_DOES_NOT_MODEL[step];
      if (ours !== theirs && !known) differences += 1;
      const verdict = ours === theirs ? 'same' : known ? 'known' : 'DIFFERENT';
      const detail =
        ours === theirs ? '' : `\n    lab:  ${ours}\n    moto: ${theirs}${known ? `\n    (${known})` : ''}`;
      console.log(`${verdict.padEnd(9)} ${step}${detail}`);
    }
    console.log(`\n${differences} unexplained difference(s) in ${Object.keys(lab).length} steps.`);
    process.exitCode = differences === 0 ? 0 : 1;
  } finally {
    await Promise.all([iam.close(), dynamodb.close()]);
  }
}

// The SDK's Node 20 notice (future releases need 22) says nothing about this pinned version: keep CI's log to the check.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
void main();
