// What each request does to the trust policy: Create and Update link, Delete unlinks. A link records its
// ownership on the role (ownership.ts) and removes a statement only when the record says it wrote it.

import { type Invocation as FrameworkInvocation, type Outcome, stackNameOf } from '../framework/framework';
import { log } from '../framework/log';
import { type Converged, converge, type WantedRole, type WriteEvent } from './converge';
import { ForeignStackError, OwnedElsewhereError, RoleNotFoundError, SidInUseError } from './errors';
import type { RoleTrust } from './iam';
import {
  type Owner,
  type OwnerRecord,
  ownerRecord,
  ownerRecords,
  ownershipOf,
  recordedAsWritten,
  recordTag,
} from './ownership';
import { linkPhysicalId, parseLinkPhysicalId, sameLink } from './physical-id';
import { type LinkSpec, parseLinkProperties } from './properties';
import type { LinkSettings } from './settings';
import {
  accountRootOf,
  externalIdsOf,
  findOwnedStatement,
  foreignSidStatement,
  type LinkTerms,
  linkTrust,
  ownedStatement,
  principalsOf,
  type Statement,
  sameStatement,
  serializeTrustPolicy,
  type TrustPolicy,
  unlinkTrust,
} from './trust-policy';

/** An invocation of the framework, with the link's settings. */
export type Invocation = FrameworkInvocation & LinkSettings;

/** Links the role. A failure before any write answers with the marker id, so its Delete touches nothing. */
export async function onCreate(properties: unknown, invocation: Invocation): Promise<Outcome> {
  const spec = parseLinkProperties(properties);
  checkServedStack(invocation);
  const physicalId = linkPhysicalId(spec.roleName, spec.sid);
  // Once a write may have happened, the Delete that follows a failure must undo it.
  const marker = invocation.failedPhysicalId;
  const linked = await link(
    spec,
    invocation,
    trackWrites((mayHaveChanged) => {
      invocation.failedPhysicalId = mayHaveChanged ? physicalId : marker;
    }),
    { isNew: true, retiring: 'keep-trusted' },
  );
  return { physicalResourceId: physicalId, data: linkData(spec, linked) };
}

/**
 * Links with the new properties. The same role and Sid edit in place (a rotation); another role or Sid
 * is a new physical id, and CloudFormation then deletes the old link. A failure keeps the old id. A rollback
 * of a failed move (the old properties again, the failed ones as OldResourceProperties) also removes what
 * the failed move may have left on the other role.
 */
export async function onUpdate(
  properties: unknown,
  oldProperties: unknown,
  oldPhysicalId: string,
  invocation: Invocation,
): Promise<Outcome> {
  const spec = parseLinkProperties(properties);
  const newId = linkPhysicalId(spec.roleName, spec.sid);
  // A new id is a replacement, and CloudFormation would then delete the old link: keep the old id for the same link.
  const physicalId = sameLink(newId, oldPhysicalId) ? oldPhysicalId : newId;
  if (physicalId !== oldPhysicalId) checkServedStack(invocation);
  // CloudFormation never learns of a replacement that failed, so it would never delete it: undo it then.
  // The record stays while a write may still land, for the rollback that follows to finish the job.
  const undo = (signal: AbortSignal) =>
    unlink(spec.roleName, spec.sid, { ...invocation, signal }, { keepRecord: true });
  const linked = await link(
    spec,
    invocation,
    trackWrites((mayHaveChanged) => {
      invocation.undo = mayHaveChanged && physicalId !== oldPhysicalId ? undo : undefined;
    }),
    {
      isNew: physicalId !== oldPhysicalId,
      retiring: movesCurrentId(oldProperties, spec) ? 'keep-trusted' : 'current-only',
    },
  );
  const failedMove = failedMoveOf(oldProperties, newId, physicalId === oldPhysicalId);
  if (failedMove) await unlink(failedMove.roleName, failedMove.sid, invocation);
  return { physicalResourceId: physicalId, data: linkData(spec, linked) };
}

/**
 * Removes this resource's claim on the link its physical id names, and the statement too when the claim
 * was the last one and the statement is what the owners wrote. A failed Create's marker and a vanished role are done.
 */
export async function onDelete(
  physicalId: string,
  properties: unknown,
  invocation: Invocation,
): Promise<Outcome> {
  const target = parseLinkPhysicalId(physicalId);
  if (!target) {
    log('info', 'The physical id names no link: no statement to undo', { physicalId });
    await dropRecordOfFailedCreate(properties, invocation);
    return { physicalResourceId: physicalId };
  }
  await unlink(target.roleName, target.sid, invocation, { madeBefore: termsOf(properties, physicalId) });
  return { physicalResourceId: physicalId };
}

// A failed Create may have left its record (never a statement): take it back, at best effort, since a
// Delete that fails would keep the stack from being deleted.
async function dropRecordOfFailedCreate(properties: unknown, invocation: Invocation): Promise<void> {
  const terms = termsOf(properties);
  if (!terms) return;
  try {
    await converge(
      terms.roleName,
      (policy, role) => {
        const mine = ownershipOf(ownerRecords(role.tags), invocation.owner, terms.sid).mine;
        return { policy, untag: mine ? [mine.key] : [] };
      },
      convergeOptions(invocation),
    );
  } catch (error) {
    log('warn', 'Could not take back the record of the failed Create', { error: String(error) });
  }
}

interface UnlinkOptions {
  /** The statement this resource would write: a link made before ownership was recorded is removed only if it says exactly that. */
  madeBefore?: LinkTerms;
  /** Removes the statement, but keeps the record (a write of this invocation may still land). */
  keepRecord?: boolean;
}

async function unlink(
  roleName: string,
  sid: string,
  invocation: Invocation,
  options: UnlinkOptions = {},
): Promise<void> {
  const unlinked = await converge(
    roleName,
    (policy, role) => unlinkEdit(policy, role, sid, invocation.owner, options),
    convergeOptions(invocation),
  );
  if (!unlinked) log('info', 'The role no longer exists: nothing to undo', { roleName });
}

function unlinkEdit(
  policy: TrustPolicy,
  role: RoleTrust,
  sid: string,
  owner: Owner,
  options: UnlinkOptions,
): WantedRole {
  const ownership = ownershipOf(ownerRecords(role.tags), owner, sid);
  const others = [...ownership.sameStack, ...ownership.otherStacks];
  const holder = findOwnedStatement(policy, sid);
  const ours =
    holder !== undefined &&
    others.length === 0 &&
    (ownership.mine
      ? recordedAsWritten([ownership.mine], holder)
      : options.madeBefore !== undefined && sameStatement(holder, ownedStatement(options.madeBefore)));
  if (holder && !ours) {
    log('info', 'Leaving the statement under the Sid: this resource does not own it alone', {
      sid,
      owners: others.map((record) => record.label),
      recorded: ownership.mine !== undefined,
    });
  }
  const untag = ownership.mine && !options.keepRecord ? [ownership.mine.key] : [];
  return { policy: ours ? unlinkTrust(policy, sid, accountRootOf(role.roleArn)) : policy, untag };
}

// Follows a flow's writes: the policy may have changed once a write landed, or was sent and never answered
// (a timeout may still land), unless IAM refused it.
function trackWrites(onChange: (mayHaveChanged: boolean) => void): (event: WriteEvent) => void {
  let [landed, unanswered, pending] = [false, false, false];
  return (event) => {
    if (event === 'sent') unanswered ||= pending;
    if (event === 'landed') landed = true;
    pending = event === 'sent';
    onChange(landed || unanswered || pending);
  };
}

/**
 * What a request does with a rotation's old ids (a link told its CurrentExternalId): a request that moves to
 * a new current id keeps those the statement trusts now, for the calls still using them until the cleanup
 * revokes them; any other request trusts the current id alone, so a retired id never comes back (and a
 * revocation that failed is done again).
 */
type Retiring = 'keep-trusted' | 'current-only';

interface LinkMode {
  /** A Create, or an Update to another role or Sid: it takes over no statement another link owns. */
  isNew: boolean;
  retiring: Retiring;
}

/** A link as converged, with the external ids it wrote. */
type Linked = Converged & { externalIds: readonly string[] };

async function link(
  spec: LinkSpec,
  invocation: Invocation,
  onWrite: (event: WriteEvent) => void,
  mode: LinkMode,
): Promise<Linked> {
  let externalIds = spec.externalIds;
  const linked = await converge(
    spec.roleName,
    (policy, role) => {
      externalIds = idsToTrust(spec, policy, mode.retiring);
      return linkEdit(policy, role, { ...spec, externalIds }, invocation, mode.isNew);
    },
    {
      ...convergeOptions(invocation),
      onWrite,
    },
  );
  if (!linked) {
    throw new RoleNotFoundError(
      `Role "${spec.roleName}" does not exist in this account. Check RoleName or RoleArn, and that the role is created before the link (DependsOn, or !Ref/!GetAtt of the role).`,
    );
  }
  return { ...linked, externalIds };
}

// The ids in force after this request: all it is given, or with a current id, that one and those of the
// others the statement trusts now (a rotation moving over), or that one alone.
function idsToTrust(spec: LinkSpec, policy: TrustPolicy, retiring: Retiring): readonly string[] {
  const current = spec.currentId;
  if (current === undefined) return spec.externalIds;
  if (retiring === 'current-only') return [current];
  const holder = findOwnedStatement(policy, spec.sid);
  const trusted = holder ? externalIdsOf(holder) : [];
  return spec.externalIds.filter((id) => id === current || trusted.includes(id));
}

// Whether an Update moves to another current id: a rotation, or its rollback. A link deployed before
// CurrentExternalId existed was given the integration's TrustedExternalIds, its own id first.
function movesCurrentId(oldProperties: unknown, spec: LinkSpec): boolean {
  const old = termsOf(oldProperties);
  return old === undefined || (old.currentId ?? old.externalIds[0]) !== spec.currentId;
}

// The statement in force, with this resource's record; the other resources of the stack that share the
// statement (a renamed resource) have their records follow it, so that whichever goes last removes it.
function linkEdit(
  policy: TrustPolicy,
  role: RoleTrust,
  spec: LinkSpec,
  invocation: Invocation,
  isNew: boolean,
): WantedRole {
  checkRoleArn(spec, role);
  const accountRoot = accountRootOf(role.roleArn);
  const ownership = ownershipOf(ownerRecords(role.tags), invocation.owner, spec.sid);
  checkNotOwnedElsewhere(spec, role, ownership.otherStacks);
  const recorded = ownership.mine !== undefined || ownership.sameStack.length > 0;
  if (isNew && !recorded) checkSidIsFree(spec, foreignSidStatement(policy, spec, accountRoot), role);
  const statement = ownedStatement(spec);
  const mine = ownerRecord(invocation.owner, spec.sid, statement, spec.currentId);
  const records = [mine, ...ownership.sameStack.map((record) => followed(record, mine))];
  return { policy: linkTrust(policy, spec, accountRoot), tags: records.map(recordTag) };
}

// A record of the same stack follows the statement and the current id that this resource's record names.
function followed(record: OwnerRecord, mine: OwnerRecord): OwnerRecord {
  const { current: _previous, ...rest } = record;
  return { ...rest, statement: mine.statement, ...(mine.current ? { current: mine.current } : {}) };
}

// A stack deleted while its link stayed (--retain-resources, a Delete that failed) leaves its record behind:
// nothing but a person can clear it, so the Reason gives the exact command.
function checkNotOwnedElsewhere(spec: LinkSpec, role: RoleTrust, owners: OwnerRecord[]): void {
  if (owners.length === 0) return;
  const names = owners.map((record) => record.label).join(', ');
  const keys = owners.map((record) => `'${record.key}'`).join(' ');
  throw new OwnedElsewhereError(
    `StatementSid "${spec.sid}" on role "${role.roleName}" is linked by another stack (${names}). A link belongs to one stack: delete it there first, or give this link another StatementSid. If that stack no longer exists, it left its record on the role: remove it with aws iam untag-role --role-name '${role.roleName}' --tag-keys ${keys} and deploy again.`,
  );
}

function checkSidIsFree(spec: LinkSpec, holder: Statement | undefined, role: RoleTrust): void {
  if (!holder) return;
  const trusted = principalsOf(holder).join(', ') || 'another principal';
  const ids = externalIdsOf(holder);
  const withIds = ids.length > 0 ? ` with external id(s) ${ids.join(', ')}` : '';
  throw new SidInUseError(
    `StatementSid "${spec.sid}" is already taken in the trust policy of role "${role.roleName}", by a statement this link did not write (trusting ${trusted}${withIds}). Each link on a role needs its own StatementSid: give this one another, or remove that statement first.`,
  );
}

// GetRole looks a name up in the function's own account: an ARN of another account or path names another role.
function checkRoleArn(spec: LinkSpec, role: RoleTrust): void {
  if (spec.roleArn && spec.roleArn.toLowerCase() !== role.roleArn.toLowerCase()) {
    throw new RoleNotFoundError(
      `RoleArn "${spec.roleArn}" does not match the role this account has under that name, "${role.roleArn}". The link edits roles of its own account only: give that role's exact ARN.`,
    );
  }
}

// One function per stack: a stack that borrows another's ServiceToken could reach the roles that stack granted it.
export function checkServedStack(invocation: Invocation): void {
  const served = invocation.servedStackId;
  if (served === undefined || served === invocation.owner.stackId) return;
  throw new ForeignStackError(
    `This link function belongs to stack "${stackNameOf(served)}" and links only that stack's roles; stack "${stackNameOf(invocation.owner.stackId)}" uses its ServiceToken. Deploy a link function in stack "${stackNameOf(invocation.owner.stackId)}" itself (as examples/storage-integration.yaml does) and use its ServiceToken.`,
  );
}

// The rollback of a failed move: the physical id stayed with these properties, and the old ones named another link.
function failedMoveOf(
  oldProperties: unknown,
  newId: string,
  keptId: boolean,
): { roleName: string; sid: string } | undefined {
  if (!keptId) return undefined;
  const old = termsOf(oldProperties);
  if (!old || sameLink(linkPhysicalId(old.roleName, old.sid), newId)) return undefined;
  log('info', 'Rolling back a move: removing what it may have left on the other role', {
    roleName: old.roleName,
    sid: old.sid,
  });
  return old;
}

// The properties as a link, when they are valid (and, given an id, name the same link): else nothing to rely on.
function termsOf(properties: unknown, physicalId?: string): (LinkSpec & LinkTerms) | undefined {
  try {
    const spec = parseLinkProperties(properties);
    return physicalId === undefined || sameLink(linkPhysicalId(spec.roleName, spec.sid), physicalId)
      ? spec
      : undefined;
  } catch {
    return undefined;
  }
}

/** How a request's converge waits, and the lease it takes. */
export function convergeOptions(invocation: Invocation) {
  return {
    signal: invocation.signal,
    settleMs: invocation.settleMs,
    maxReadLagMs: invocation.maxReadLagMs,
    // The lease ends by itself some time after the function, should it never be released.
    lease: { holder: invocation.id, until: invocation.deadline + invocation.lateWriteMs },
    lateWriteMs: invocation.lateWriteMs,
  };
}

function linkData(spec: LinkSpec, linked: Linked): Record<string, string> {
  const current = spec.currentId;
  const retiring = linked.externalIds.filter((id) => id !== current);
  return {
    RoleArn: linked.role.roleArn,
    RoleName: linked.role.roleName,
    StatementSid: spec.sid,
    ExternalIds: linked.externalIds.join(','),
    ...(current === undefined
      ? {}
      : {
          CurrentExternalId: current,
          // Trusted only until this deploy's cleanup revokes them (Custom::SnowflakeTrustLinkRevocation).
          RetiringExternalIds: retiring.length > 0 ? retiring.join(',') : 'none',
        }),
    TrustPolicy: serializeTrustPolicy(linked.policy),
  };
}
