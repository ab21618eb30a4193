// Read-modify-write of one role's trust policy that survives other writers: after each write it waits
// a jittered moment, reads back, and writes again until the policy says what the edit wants.

import { IamRefusedError, LinkNotConfirmedError } from './errors';
import { IAM_RETRY, type RoleTrust, readRoleTrust, writeRoleTrust } from './iam';
import { jitteredDelay, sleep } from './retry';
import { parseTrustPolicy, samePolicy, serializeTrustPolicy, type TrustPolicy } from './trust-policy';

export interface Converged {
  role: RoleTrust;
  /** The trust policy in force, as read back. */
  policy: TrustPolicy;
  writes: number;
}

/** A write is sent, then lands, or is refused by IAM (so it changed nothing); a timeout or a 5xx is neither. */
export type WriteEvent = 'sent' | 'landed' | 'refused';

export interface ConvergeOptions {
  signal: AbortSignal;
  /** Upper bound of the wait between a write and its read-back. */
  settleMs: number;
  /** Told of each write as it is sent, lands, or is refused: so the caller knows whether anything may have changed. */
  onWrite?: (event: WriteEvent) => void;
}

/** Writes at most this often before concluding that another writer keeps undoing the edit. */
export const MAX_WRITES = 5;

/**
 * Applies edit to the role's trust policy until a read shows the edit in force. Makes no write when the
 * policy already says it. A write that fails in a way worth retrying is not re-sent: the loop reads and
 * merges again, since another writer may have changed the policy meanwhile. Returns undefined when the
 * role does not exist.
 */
export async function converge(
  roleName: string,
  edit: (policy: TrustPolicy, role: RoleTrust) => TrustPolicy,
  options: ConvergeOptions,
): Promise<Converged | undefined> {
  let failedWrite: IamRefusedError | undefined;
  for (let writes = 0; ; writes++) {
    const role = await readRoleTrust(roleName, options.signal);
    if (!role) return undefined;
    const policy = parsePolicyOf(role);
    const wanted = edit(policy, role);
    if (samePolicy(policy, wanted)) return { role, policy, writes };
    if (writes === MAX_WRITES) throw failedWrite ?? notConfirmed(roleName, writes);
    // Told before sending: if the deadline answers while the write is in flight, it may still land.
    options.onWrite?.('sent');
    try {
      const landed = await writeRoleTrust(roleName, serializeTrustPolicy(wanted), options.signal);
      options.onWrite?.(landed ? 'landed' : 'refused');
      if (!landed) return undefined;
      failedWrite = undefined;
    } catch (error) {
      if (error instanceof IamRefusedError && error.changedNothing) options.onWrite?.('refused');
      if (!(error instanceof IamRefusedError && error.retryable)) throw error;
      failedWrite = error;
      await sleep(jitteredDelay(writes, IAM_RETRY), options.signal);
      continue;
    }
    // A concurrent writer may be between its read and its write: give it time to land before checking.
    if (options.settleMs > 0) await sleep(settleDelay(options.settleMs), options.signal);
  }
}

// Half the bound at least: the window must outlast another writer's read-to-write gap.
function settleDelay(settleMs: number): number {
  return settleMs / 2 + Math.random() * (settleMs / 2);
}

function notConfirmed(roleName: string, writes: number): LinkNotConfirmedError {
  return new LinkNotConfirmedError(
    `Wrote the trust policy of role "${roleName}" ${writes} times, and each time another writer replaced it. ` +
      'Someone else is editing this trust policy at the same time: retry once they are done.',
  );
}

function parsePolicyOf(role: RoleTrust): TrustPolicy {
  try {
    return parseTrustPolicy(role.document);
  } catch (error) {
    throw new IamRefusedError(`The trust policy of role "${role.roleName}" is not a JSON policy document.`, {
      cause: error,
    });
  }
}
