// Read-modify-write of one role's trust policy that survives other writers: after each write it waits
// a jittered moment, reads back, and writes again until the policy says what the edit wants.

import { IamRefusedError, LinkNotConfirmedError } from './errors';
import { type RoleTrust, readRoleTrust, writeRoleTrust } from './iam';
import { sleep } from './retry';
import { parseTrustPolicy, samePolicy, serializeTrustPolicy, type TrustPolicy } from './trust-policy';

export interface Converged {
  role: RoleTrust;
  /** The trust policy in force, as read back. */
  policy: TrustPolicy;
  writes: number;
}

export interface ConvergeOptions {
  signal: AbortSignal;
  /** Upper bound of the wait between a write and its read-back. */
  settleMs: number;
  /** Called before each write, so that the caller knows something may have changed. */
  onWrite?: () => void;
}

/** Writes at most this often before concluding that another writer keeps undoing the edit. */
export const MAX_WRITES = 5;

/**
 * Applies edit to the role's trust policy until a read shows the edit in force. Makes no write when the
 * policy already says it. Returns undefined when the role does not exist.
 */
export async function converge(
  roleName: string,
  edit: (policy: TrustPolicy, role: RoleTrust) => TrustPolicy,
  options: ConvergeOptions,
): Promise<Converged | undefined> {
  for (let writes = 0; ; writes++) {
    const role = await readRoleTrust(roleName, options.signal);
    if (!role) return undefined;
    const policy = parsePolicyOf(role);
    const wanted = edit(policy, role);
    if (samePolicy(policy, wanted)) return { role, policy, writes };
    if (writes === MAX_WRITES) {
      throw new LinkNotConfirmedError(
        `Wrote the trust policy of role "${roleName}" ${writes} times, and each time another writer replaced it. ` +
          'Someone else is editing this trust policy at the same time: retry once they are done.',
      );
    }
    options.onWrite?.();
    if (!(await writeRoleTrust(roleName, serializeTrustPolicy(wanted), options.signal))) return undefined;
    // A concurrent writer may be between its read and its write: give it time to land before checking.
    await sleep(options.settleMs / 2 + Math.random() * (options.settleMs / 2), options.signal);
  }
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
