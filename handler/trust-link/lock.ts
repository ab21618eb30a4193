// The one module that talks to DynamoDB: a lease on one role, so that the links this function makes never
// run their read-modify-write of one trust policy at the same time. IAM has no compare-and-set; a
// conditional write in DynamoDB does. The lease also carries a digest of the role as its last holder left
// it, so that the next holder can tell a read that lags behind (IAM is eventually consistent) from a fresh one.

import { DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_CONFIG, awsErrorCode, isRetryableAwsError } from '../framework/aws';
import { log } from '../framework/log';
import { jitteredDelay, type RetryPolicy, sleep } from '../framework/retry';
import { LockUnavailableError } from './errors';
import { releaseLeaseInput, renewLeaseInput, takeLeaseInput } from './lease-requests';

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
   * Called before each write: makes sure the lease outlasts the write by the late-write window, so that no
   * other invocation can read the role before a write of this one lands, even if this one dies meanwhile.
   * Renews the lease at once if needed; throws LockUnavailableError if it is no longer held.
   */
  cover(): Promise<void>;
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
  /** The latest the lease may ever end (ms since the epoch): renewals never go past it. */
  until: number;
  /** How long a write that went unanswered may still land (TRUST_LINK_LATE_WRITE_MS). */
  lateWriteMs: number;
}

// Waits between attempts to take a lease someone else holds: short, since a link holds it for seconds.
const WAIT: RetryPolicy = { attempts: Number.POSITIVE_INFINITY, baseMs: 100, maxMs: 1000 };
// The lease is renewed this often while held, and lasts the late-write window and two renewals more: a
// holder that dies (or whose release is lost) keeps the role seconds, not its whole deadline, and one lost
// renewal still leaves a write in flight covered for the late-write window.
export const RENEW_EVERY_MS = 2000;
const TERM_BEYOND_LATE_WRITE_MS = 2 * RENEW_EVERY_MS;
// IAM is eventually consistent: the table grant may not have reached DynamoDB when the first link runs
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency,
// which names no bound). Past this, a denial is taken for a missing grant.
export const GRANT_PROPAGATION_MS = 30_000;
// The release is retried, each attempt cut short: a lost release would keep the role for a term.
const RELEASE_RETRY: RetryPolicy = { attempts: 3, baseMs: 200, maxMs: 1000 };
const RELEASE_ATTEMPT_MS = 2000;
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

/** The table TRUST_LINK_LOCK_TABLE names, or undefined when the function was deployed without one. */
export function lockTable(): string | undefined {
  return process.env.TRUST_LINK_LOCK_TABLE || undefined;
}

/**
 * Takes the lease on a role, waiting while another invocation holds it (until the signal aborts), and
 * renews it while held. A function deployed without its lock table is refused: unserialized links on one
 * role lose each other's statements, and wait out IAM's read lag in turn until their deadline.
 */
export async function leaseRole(roleName: string, options: LeaseOptions): Promise<RoleLease> {
  const table = lockTable();
  if (!table) throw missingTable();
  const term = options.lateWriteMs + TERM_BEYOND_LATE_WRITE_MS;
  const endFrom = (now: number) => Math.min(now + term, options.until);
  let deniedSince: number | undefined;
  for (let waits = 0; ; waits++) {
    try {
      const now = Date.now();
      const until = endFrom(now);
      const { Attributes } = await dynamodb().send(
        new UpdateItemCommand(takeLeaseInput({ table, roleName, holder: options.holder, until, now })),
        { abortSignal: options.signal },
      );
      return heldLease({ table, roleName, options, until, endFrom, previous: leftStateOf(Attributes) });
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      const denied = awsErrorCode(error) === 'AccessDeniedException';
      if (denied) deniedSince ??= Date.now();
      const propagating = denied && Date.now() - (deniedSince ?? 0) < GRANT_PROPAGATION_MS;
      if (!isBusy(error) && !isRetryable(error) && !propagating) throw explainLockFailure(table, error);
      if (waits === 0) log('info', 'Waiting for the lease on the role', { roleName, error: nameOf(error) });
      await sleep(jitteredDelay(Math.min(waits, 4), WAIT), options.signal);
    }
  }
}

interface Held {
  table: string;
  roleName: string;
  options: LeaseOptions;
  /** The end of the lease as taken. */
  until: number;
  endFrom: (now: number) => number;
  previous: LeftState | undefined;
}

// The lease as held: a heartbeat moves its end while the work goes on, and stops with the release, the
// signal (an invocation answered at its deadline may be frozen, then thawed by the next one), or its loss.
function heldLease({ table, roleName, options, until, endFrom, previous }: Held): RoleLease {
  const { holder, lateWriteMs, signal } = options;
  let heldUntil = until;
  let lost = false;
  let renewing: Promise<void> | undefined;
  const renewOnce = async (): Promise<void> => {
    const next = endFrom(Date.now());
    if (next <= heldUntil) return;
    try {
      const input = renewLeaseInput({ table, roleName, holder, until: next, now: Date.now() });
      await dynamodb().send(new UpdateItemCommand(input), { abortSignal: signal });
      heldUntil = next;
    } catch (error) {
      // Another holder took it: this one expired while its renewals failed. Anything else: the next beat.
      if (isBusy(error)) lost = true;
      else log('warn', 'Could not renew the lease on the role', { roleName, error: nameOf(error) });
    }
  };
  // One renewal at a time: the heartbeat and a write's cover share the one in flight.
  const renew = (): Promise<void> => {
    renewing ??= renewOnce().finally(() => {
      renewing = undefined;
    });
    return renewing;
  };
  const heartbeat = setInterval(() => {
    if (signal.aborted) clearInterval(heartbeat);
    else void renew();
  }, RENEW_EVERY_MS);
  heartbeat.unref();
  return {
    ...(previous ? { previous } : {}),
    async cover() {
      if (!lost && heldUntil - Date.now() < lateWriteMs + RENEW_EVERY_MS) await renew();
      if (lost || heldUntil - Date.now() < lateWriteMs) throw lapsed(roleName);
    },
    async release(state, holdUntil) {
      clearInterval(heartbeat);
      await releaseLease(
        () => releaseLeaseInput({ table, roleName, holder, state, holdUntil, now: Date.now() }),
        roleName,
      );
    },
  };
}

// Retried, since a lost release keeps the role for a term; a lease another holder took is already given up.
async function releaseLease(input: () => UpdateItemCommandInput, roleName: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await dynamodb().send(new UpdateItemCommand(input()), {
        abortSignal: AbortSignal.timeout(RELEASE_ATTEMPT_MS),
      });
      return;
    } catch (error) {
      if (isBusy(error)) return;
      if (attempt >= RELEASE_RETRY.attempts) {
        log('warn', 'Could not release the lease on the role: it ends by itself within seconds', {
          roleName,
          error: nameOf(error),
        });
        return;
      }
      await sleep(jitteredDelay(attempt - 1, RELEASE_RETRY));
    }
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

function missingTable(): LockUnavailableError {
  return new LockUnavailableError(
    "This link function has no lock table: TRUST_LINK_LOCK_TABLE is not set. Links on one role take turns through a lease in DynamoDB; without it they lose each other's statements. " +
      "Deploy the function with its LinkLockTable as template.yaml and examples/storage-integration.yaml do: an AWS::DynamoDB::Table with the partition key LockId (String), dynamodb:UpdateItem on it in the function role's policy, and TRUST_LINK_LOCK_TABLE set to its name.",
  );
}

function lapsed(roleName: string): LockUnavailableError {
  return new LockUnavailableError(
    `Lost the lease on role "${roleName}": DynamoDB did not renew it in time, so another link may be editing the role. Nothing more was written: retry the stack operation.`,
  );
}

function explainLockFailure(table: string, error: unknown): LockUnavailableError {
  const name = nameOf(error);
  const said = error instanceof Error ? error.message : String(error);
  const advice =
    name === 'ResourceNotFoundException'
      ? `the lock table "${table}" does not exist: deploy the stack's LinkLockTable, or set TRUST_LINK_LOCK_TABLE to its name`
      : name === 'AccessDeniedException'
        ? `denied for ${GRANT_PROPAGATION_MS / 1000} s, longer than IAM takes to propagate a grant: the link function's role needs dynamodb:UpdateItem on the lock table "${table}"`
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
