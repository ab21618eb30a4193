// The one module that talks to DynamoDB: a lease on one role, so that the links this function makes never
// run their read-modify-write of one trust policy at the same time. IAM has no compare-and-set; a
// conditional write in DynamoDB does. The lease also carries a digest of the role as its last holder left
// it, so that the next holder can tell a read that lags behind (IAM is eventually consistent) from a fresh one.

import { DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_CONFIG, awsErrorCode, isRetryableAwsError } from '../framework/aws';
import { log } from '../framework/log';
import { jitteredDelay, type RetryPolicy, sleep } from '../framework/retry';
import { LockUnavailableError } from './errors';
import { releaseLeaseInput, takeLeaseInput } from './lease-requests';

/** What the previous holder left: a digest of the role's trust policy and tags, and when it wrote it. */
export interface LeftState {
  state: string;
  at: number;
}

/** A lease held on one role. */
export interface RoleLease {
  /** What the previous holder left, if a holder ever wrote. */
  previous?: LeftState;
  /**
   * Ends the lease; with a state, records it for the next holder; with null, clears the record (the role
   * holds what no digest says). With `holdUntil`, no other invocation may
   * take the lease before then (a write that went unanswered may still land); a later release of the same
   * invocation (an undo) never shortens that hold. A lease that expired meanwhile is left alone.
   */
  release(state?: string | null, holdUntil?: number): Promise<void>;
}

export interface LeaseOptions {
  signal: AbortSignal;
  /** Unique to one invocation: the same invocation may take its own lease again (an undo after a failure). */
  holder: string;
  /** When the lease ends by itself (ms since the epoch), should its holder never release it. */
  until: number;
}

// Waits between attempts to take a lease someone else holds: short, since a link holds it for seconds.
const WAIT: RetryPolicy = { attempts: Number.POSITIVE_INFINITY, baseMs: 100, maxMs: 1000 };
// DynamoDB's own names for "slow down" and "try again", besides throttling, 5xx and the network.
const DYNAMODB_RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
]);

let client: DynamoDBClient | undefined;

function dynamodb(): DynamoDBClient {
  client ??= new DynamoDBClient({
    ...AWS_CLIENT_CONFIG,
    ...(process.env.AWS_REGION ? {} : { region: 'us-east-1' }),
  });
  return client;
}

/** The table TRUST_LINK_LOCK_TABLE names, or undefined when the function runs without one. */
export function lockTable(): string | undefined {
  return process.env.TRUST_LINK_LOCK_TABLE || undefined;
}

/**
 * Takes the lease on a role, waiting while another invocation holds it (until the signal aborts). Without a
 * lock table, links are not serialized: the lease is a no-op, and the log says so.
 */
export async function leaseRole(roleName: string, options: LeaseOptions): Promise<RoleLease> {
  const table = lockTable();
  if (!table) {
    log('warn', 'TRUST_LINK_LOCK_TABLE is not set: links on one role are not serialized', { roleName });
    return { release: async () => {} };
  }
  for (let waits = 0; ; waits++) {
    try {
      const { Attributes } = await dynamodb().send(
        new UpdateItemCommand(takeLeaseInput({ table, roleName, ...options, now: Date.now() })),
        { abortSignal: options.signal },
      );
      const previous = leftStateOf(Attributes);
      return {
        ...(previous ? { previous } : {}),
        release: (state, holdUntil) =>
          releaseLease(
            releaseLeaseInput({ table, roleName, holder: options.holder, state, holdUntil, now: Date.now() }),
          ),
      };
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      if (!isBusy(error) && !isRetryable(error)) throw explainLockFailure(table, error);
      if (waits === 0) log('info', 'Another link holds the role: waiting for it', { roleName });
      await sleep(jitteredDelay(Math.min(waits, 4), WAIT), options.signal);
    }
  }
}

async function releaseLease(input: UpdateItemCommandInput): Promise<void> {
  try {
    await dynamodb().send(new UpdateItemCommand(input));
  } catch (error) {
    // The lease ends by itself; a holder that cannot release it only makes the next one wait.
    log('warn', 'Could not release the lease on the role', { error: nameOf(error) });
  }
}

function leftStateOf(
  attributes: Record<string, { S?: string; N?: string }> | undefined,
): LeftState | undefined {
  const state = attributes?.State?.S;
  const at = Number(attributes?.StateAt?.N);
  return state !== undefined && Number.isFinite(at) ? { state, at } : undefined;
}

function isRetryable(error: unknown): boolean {
  return isRetryableAwsError(error) || DYNAMODB_RETRYABLE.has(awsErrorCode(error));
}

function isBusy(error: unknown): boolean {
  return nameOf(error) === 'ConditionalCheckFailedException';
}

function explainLockFailure(table: string, error: unknown): LockUnavailableError {
  const name = nameOf(error);
  const said = error instanceof Error ? error.message : String(error);
  const advice =
    name === 'ResourceNotFoundException'
      ? `the lock table "${table}" does not exist: deploy the stack's LinkLockTable, or set TRUST_LINK_LOCK_TABLE to its name`
      : name === 'AccessDeniedException'
        ? `the link function's role needs dynamodb:UpdateItem on the lock table "${table}"`
        : 'retry the stack operation';
  return new LockUnavailableError(
    `Could not take the lease on the role in DynamoDB (${name}: ${said}): ${advice}.`,
    {
      cause: error,
    },
  );
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : 'Unknown';
}
