// The DynamoDB requests of the lease on a role, as pure functions: what lock.ts sends, and what the lab's
// stand-in and `npm run check:stand-ins` check against moto. No I/O here.

import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';

const NAMES = {
  '#holder': 'Holder',
  '#until': 'LeaseUntil',
  '#state': 'State',
  '#at': 'StateAt',
  '#hold': 'HoldUntil',
  '#holdBy': 'HoldBy',
};
// Free, or its own already, and not held for a write of another invocation that may still land.
const TAKE_CONDITION =
  '(attribute_not_exists(#holder) OR #holder = :holder OR #until < :now) AND ' +
  '(attribute_not_exists(#hold) OR #hold < :now OR #holdBy = :holder)';

/** Who takes or gives up the lease on which role, and when (ms since the epoch). */
export interface LeaseRequest {
  table: string;
  roleName: string;
  holder: string;
  now: number;
}

/** Takes the lease until `until`, returning the item as it was (what the previous holder left). */
export function takeLeaseInput(request: LeaseRequest & { until: number }): UpdateItemCommandInput {
  return {
    TableName: request.table,
    Key: leaseKey(request.roleName),
    UpdateExpression: 'SET #holder = :holder, #until = :until',
    ConditionExpression: TAKE_CONDITION,
    ExpressionAttributeNames: namesIn(TAKE_CONDITION),
    ExpressionAttributeValues: {
      ':holder': { S: request.holder },
      ':until': { N: String(request.until) },
      ':now': { N: String(request.now) },
    },
    ReturnValues: 'ALL_OLD',
  };
}

/** Moves the lease's end to `until`, if this holder still has it: the heartbeat of a lease held for long. */
export function renewLeaseInput(request: LeaseRequest & { until: number }): UpdateItemCommandInput {
  return {
    TableName: request.table,
    Key: leaseKey(request.roleName),
    UpdateExpression: 'SET #until = :until',
    ConditionExpression: '#holder = :holder',
    ExpressionAttributeNames: namesIn('#until #holder'),
    ExpressionAttributeValues: { ':holder': { S: request.holder }, ':until': { N: String(request.until) } },
  };
}

/**
 * Gives the lease up, if this holder still has it. A state is recorded for the next holder, null clears the
 * record, and `holdUntil` keeps other holders out until then (a write that may still land).
 */
export function releaseLeaseInput(
  request: LeaseRequest & { state?: string | null; holdUntil?: number },
): UpdateItemCommandInput {
  const { state, holdUntil } = request;
  const recorded = typeof state === 'string';
  const sets = [
    ...(recorded ? ['#state = :state', '#at = :at'] : []),
    ...(holdUntil === undefined ? [] : ['#hold = :hold', '#holdBy = :holder']),
  ];
  const removes = ['#holder', '#until', ...(state === null ? ['#state', '#at'] : [])];
  const update = `${sets.length > 0 ? `SET ${sets.join(', ')} ` : ''}REMOVE ${removes.join(', ')}`;
  return {
    TableName: request.table,
    Key: leaseKey(request.roleName),
    UpdateExpression: update,
    ConditionExpression: '#holder = :holder',
    ExpressionAttributeNames: namesIn(`${update} #holder`),
    ExpressionAttributeValues: {
      ':holder': { S: request.holder },
      ...(recorded ? { ':state': { S: state }, ':at': { N: String(request.now) } } : {}),
      ...(holdUntil === undefined ? {} : { ':hold': { N: String(holdUntil) } }),
    },
  };
}

// IAM role names are unique without regard to case.
function leaseKey(roleName: string) {
  return { LockId: { S: `role/${roleName.toLowerCase()}` } };
}

// DynamoDB refuses a name placeholder the expressions do not use.
function namesIn(expressions: string): Record<string, string> {
  const used = new Set(expressions.match(/#\w+/g));
  return Object.fromEntries(Object.entries(NAMES).filter(([placeholder]) => used.has(placeholder)));
}
