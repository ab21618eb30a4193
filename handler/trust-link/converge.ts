// Read-modify-write of one role's trust policy and ownership tags. Links made through this function take
// turns on a role (a lease in DynamoDB), and each reads only once IAM shows what the previous one wrote:
// IAM offers no compare-and-set and its reads may lag, so this is what keeps one link from writing back
// a stale document over another's statement. After its writes, a link reads again until the role says
// what the edit wants; a writer outside this function is met there and merged with, a bounded number of times.

import { createHash } from 'node:crypto';
import { log } from '../framework/log';
import { jitteredDelay, sleep } from '../framework/retry';
import { IamRefusedError, LinkNotConfirmedError } from './errors';
import { IAM_RETRY, type RoleTrust, readRoleTrust, tagRole, untagRole, writeRoleTrust } from './iam';
import { leaseRole } from './lock';
import { type RoleTag, TAG_PREFIX } from './ownership';
import {
  canonicalJson,
  parseTrustPolicy,
  samePolicy,
  serializeTrustPolicy,
  type TrustPolicy,
} from './trust-policy';

export interface Converged {
  role: RoleTrust;
  /** The trust policy in force, as read back. */
  policy: TrustPolicy;
  writes: number;
}

/** What an edit wants the role to say: its trust policy, and the ownership tags to set and to remove. */
export interface WantedRole {
  policy: TrustPolicy;
  tags?: RoleTag[];
  untag?: string[];
}

/** A write is sent, then lands, or is refused by IAM (so it changed nothing); a timeout or a 5xx is neither. */
export type WriteEvent = 'sent' | 'landed' | 'refused';

export interface ConvergeOptions {
  signal: AbortSignal;
  /** Upper bound of the wait between a write and its read-back. */
  settleMs: number;
  /** How long a read may lag behind a write before a difference is taken for another writer's change. */
  maxReadLagMs: number;
  /** The lease's holder (one invocation), and the latest it may end (it is renewed while held, up to then). */
  lease: { holder: string; until: number };
  /** How long after an unanswered write it may still land: the lease is kept that long. */
  lateWriteMs: number;
  /** Told of each write as it is sent, lands, or is refused: so the caller knows whether anything may have changed. */
  onWrite?: (event: WriteEvent) => void;
}

/** Writes at most this often before concluding that another writer keeps undoing the edit. */
export const MAX_WRITES = 5;

/**
 * Applies edit to the role until a read shows the edit in force. Makes no write when the role already says
 * it. A write that fails in a way worth retrying is not re-sent: the loop reads and merges again, since
 * another writer may have changed the policy meanwhile. Returns undefined when the role does not exist.
 */
export async function converge(
  roleName: string,
  edit: (policy: TrustPolicy, role: RoleTrust) => WantedRole,
  options: ConvergeOptions,
): Promise<Converged | undefined> {
  const lease = await leaseRole(roleName, {
    signal: options.signal,
    ...options.lease,
    lateWriteMs: options.lateWriteMs,
  });
  let written = lease.previous;
  let wroteAny = false;
  // A write landed whose round did not complete: what the role says now is known to no record.
  let landedUnrecorded = false;
  let unansweredAt: number | undefined;
  // Only trust-policy writes are told: a record alone trusts no one, and a failed Create's Delete takes it back.
  const write = async (send: () => Promise<boolean>, tell = false): Promise<boolean> => {
    // The lease must outlast whatever of this write may still land.
    await lease.cover();
    // Told before sending: if the deadline answers while the write is in flight, it may still land.
    if (tell) options.onWrite?.('sent');
    try {
      const landed = await send();
      if (tell) options.onWrite?.(landed ? 'landed' : 'refused');
      landedUnrecorded ||= landed;
      return landed;
    } catch (error) {
      const refused = error instanceof IamRefusedError && error.changedNothing;
      if (refused && tell) options.onWrite?.('refused');
      if (!refused) unansweredAt ??= Date.now();
      throw error;
    }
  };
  try {
    let failedWrite: IamRefusedError | undefined;
    for (let writes = 0; ; writes++) {
      const role = await readCaughtUp(roleName, written, options);
      if (!role) return undefined;
      const policy = parsePolicyOf(role);
      const wanted = edit(policy, role);
      const changes = changesOf(policy, role, wanted);
      if (!changes) return { role, policy, writes };
      if (writes === MAX_WRITES) throw failedWrite ?? notConfirmed(roleName, writes);
      try {
        const applied = await applyChanges(roleName, changes, write, options.signal).catch(
          (error: unknown) => {
            // A round IAM refused and whose records were put back leaves the role as it was.
            if (error instanceof RoundTakenBackError) landedUnrecorded = false;
            throw error instanceof RoundTakenBackError ? error.cause : error;
          },
        );
        if (!applied) return undefined;
        failedWrite = undefined;
      } catch (error) {
        if (!(error instanceof IamRefusedError && error.retryable)) throw error;
        failedWrite = error;
        await sleep(jitteredDelay(writes, IAM_RETRY), options.signal);
        continue;
      }
      written = { state: roleStateDigest(changes.policy, changes.tagsAfter), at: Date.now() };
      wroteAny = true;
      landedUnrecorded = false;
      // A writer outside this function may be between its read and its write: give it time to land.
      if (options.settleMs > 0) await sleep(settleDelay(options.settleMs), options.signal);
    }
  } finally {
    // A write that was never answered may still land: the lease stays taken for the window it may land in.
    // A link that wrote nothing leaves the previous holder's record as it was, with its time; one whose last
    // round landed in part clears it, since no digest says what the role holds now.
    const holdUntil = unansweredAt === undefined ? undefined : unansweredAt + options.lateWriteMs;
    const left = landedUnrecorded ? null : wroteAny ? written?.state : undefined;
    await lease.release(left, holdUntil);
  }
}

/** The writes one round makes, in the order that keeps the record ahead of the statement. */
interface Changes {
  addTags: RoleTag[];
  /** The tags as they were before, for the keys addTags overwrites: what a refused round puts back. */
  replacedTags: RoleTag[];
  policy: TrustPolicy;
  policyChanged: boolean;
  removeTags: string[];
  tagsAfter: RoleTag[];
}

function changesOf(policy: TrustPolicy, role: RoleTrust, wanted: WantedRole): Changes | undefined {
  const current = new Map(role.tags.map((tag) => [tag.key, tag.value]));
  const addTags = (wanted.tags ?? []).filter((tag) => current.get(tag.key) !== tag.value);
  const replacedTags = role.tags.filter((tag) => addTags.some((added) => added.key === tag.key));
  const removeTags = (wanted.untag ?? []).filter((key) => current.has(key));
  const policyChanged = !samePolicy(policy, wanted.policy);
  if (addTags.length === 0 && removeTags.length === 0 && !policyChanged) return undefined;
  for (const tag of addTags) current.set(tag.key, tag.value);
  for (const key of removeTags) current.delete(key);
  const tagsAfter = [...current].map(([key, value]) => ({ key, value }));
  return { addTags, replacedTags, policy: wanted.policy, policyChanged, removeTags, tagsAfter };
}

// The record goes first, so that whatever lands of the statement is already owned; it goes last on removal.
// A statement IAM refuses takes back the records this round added: they would own nothing.
async function applyChanges(
  roleName: string,
  changes: Changes,
  write: (send: () => Promise<boolean>, tell?: boolean) => Promise<boolean>,
  signal: AbortSignal,
): Promise<boolean> {
  const { addTags, removeTags } = changes;
  if (addTags.length > 0 && !(await write(() => tagRole(roleName, addTags, signal)))) return false;
  if (changes.policyChanged) {
    try {
      const document = serializeTrustPolicy(changes.policy);
      if (!(await write(() => writeRoleTrust(roleName, document, signal), true))) return false;
    } catch (error) {
      if (error instanceof IamRefusedError && error.changedNothing && !error.retryable) {
        if (await takeBackRecords(roleName, changes, signal)) throw new RoundTakenBackError(error);
      }
      throw error;
    }
  }
  if (removeTags.length > 0) return write(() => untagRole(roleName, removeTags, signal));
  return true;
}

/** IAM refused a round's statement, and the records the round wrote were put back as they were. */
class RoundTakenBackError extends Error {
  constructor(override readonly cause: IamRefusedError) {
    super(cause.message, { cause });
  }
}

async function takeBackRecords(roleName: string, changes: Changes, signal: AbortSignal): Promise<boolean> {
  const { addTags, replacedTags } = changes;
  const added = addTags
    .filter((tag) => !replacedTags.some((old) => old.key === tag.key))
    .map((tag) => tag.key);
  try {
    if (replacedTags.length > 0) await tagRole(roleName, replacedTags, signal);
    if (added.length > 0) await untagRole(roleName, added, signal);
    return true;
  } catch (error) {
    log('warn', 'Could not take back the ownership records of a refused link', { error: String(error) });
    return false;
  }
}

/**
 * Reads the role once IAM shows what was last written to it (by this link, or the lease's previous holder):
 * a read that still differs is retried until the lag bound, after which it is taken for another writer's change.
 */
async function readCaughtUp(
  roleName: string,
  written: { state: string; at: number } | undefined,
  options: ConvergeOptions,
): Promise<RoleTrust | undefined> {
  for (let retry = 0; ; retry++) {
    const role = await readRoleTrust(roleName, options.signal);
    if (!role || !written) return role;
    if (roleStateDigest(parsePolicyOf(role), role.tags) === written.state) return role;
    if (Date.now() - written.at >= options.maxReadLagMs) {
      log('info', 'The role differs from what was last written to it: another writer changed it', {
        roleName,
      });
      return role;
    }
    await sleep(jitteredDelay(Math.min(retry, 3), { baseMs: 200, maxMs: 1000 }) + 50, options.signal);
  }
}

/** A digest of what links own on a role: its trust policy, and the ownership tags. */
export function roleStateDigest(policy: TrustPolicy, tags: readonly RoleTag[]): string {
  const records = tags
    .filter((tag) => tag.key.startsWith(TAG_PREFIX))
    .map((tag) => `${tag.key}=${tag.value}`)
    .sort();
  return createHash('sha256')
    .update(`${canonicalJson(policy)}\n${records.join('\n')}`)
    .digest('base64');
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
