// What each request does to the trust policy: Create and Update link, Delete unlinks.

import { type Converged, converge, type WriteEvent } from './converge';
import { RoleNotFoundError, SidInUseError } from './errors';
import type { RoleTrust } from './iam';
import { log } from './log';
import { createFailedPhysicalId, linkPhysicalId, parseLinkPhysicalId, sameLink } from './physical-id';
import { type LinkSpec, parseLinkProperties } from './properties';
import {
  accountRootOf,
  externalIdsOf,
  foreignSidStatement,
  linkTrust,
  principalsOf,
  type Statement,
  serializeTrustPolicy,
  unlinkTrust,
} from './trust-policy';

/** One invocation's shared state: its deadline signal, and what to answer and undo if it fails. */
export interface Invocation {
  signal: AbortSignal;
  settleMs: number;
  failedPhysicalId: string;
  /** Run by the framework before it answers FAILED, with a signal of its own: the flow's may have expired. */
  undo?: (signal: AbortSignal) => Promise<void>;
}

export interface Outcome {
  physicalResourceId: string;
  data?: Record<string, string>;
}

/** The id a failure answers with before the flow has changed anything. */
export function initialFailedPhysicalId(physicalId: string | undefined, requestId: string): string {
  return physicalId ?? createFailedPhysicalId(requestId);
}

/** Links the role. A failure before any write answers with the marker id, so its Delete touches nothing. */
export async function onCreate(properties: unknown, invocation: Invocation): Promise<Outcome> {
  const spec = parseLinkProperties(properties);
  const physicalId = linkPhysicalId(spec.roleName, spec.sid);
  // Once a write may have happened, the Delete that follows a failure must undo it.
  const marker = invocation.failedPhysicalId;
  const linked = await link(
    spec,
    invocation,
    trackWrites((mayHaveChanged) => {
      invocation.failedPhysicalId = mayHaveChanged ? physicalId : marker;
    }),
    true,
  );
  return { physicalResourceId: physicalId, data: linkData(spec, linked) };
}

/**
 * Links with the new properties. The same role and Sid edit in place (a rotation); another role or Sid
 * is a new physical id, and CloudFormation then deletes the old link. A failure keeps the old id.
 */
export async function onUpdate(
  properties: unknown,
  oldPhysicalId: string,
  invocation: Invocation,
): Promise<Outcome> {
  const spec = parseLinkProperties(properties);
  const newId = linkPhysicalId(spec.roleName, spec.sid);
  // A new id is a replacement, and CloudFormation would then delete the old link: keep the old id for the same link.
  const physicalId = sameLink(newId, oldPhysicalId) ? oldPhysicalId : newId;
  // CloudFormation never learns of a replacement that failed, so it would never delete it: undo it then.
  const undo = (signal: AbortSignal) => unlink(spec.roleName, spec.sid, { ...invocation, signal });
  const linked = await link(
    spec,
    invocation,
    trackWrites((mayHaveChanged) => {
      invocation.undo = mayHaveChanged && physicalId !== oldPhysicalId ? undo : undefined;
    }),
    physicalId !== oldPhysicalId,
  );
  return { physicalResourceId: physicalId, data: linkData(spec, linked) };
}

/** Removes the link its physical id names. Any other id (a failed Create's marker) and a vanished role are done. */
export async function onDelete(physicalId: string, invocation: Invocation): Promise<Outcome> {
  const target = parseLinkPhysicalId(physicalId);
  if (!target) {
    log('info', 'The physical id names no link: nothing to undo', { physicalId });
    return { physicalResourceId: physicalId };
  }
  await unlink(target.roleName, target.sid, invocation);
  return { physicalResourceId: physicalId };
}

async function unlink(roleName: string, sid: string, invocation: Invocation): Promise<void> {
  const unlinked = await converge(
    roleName,
    (policy, role) => unlinkTrust(policy, sid, accountRootOf(role.roleArn)),
    {
      signal: invocation.signal,
      settleMs: invocation.settleMs,
    },
  );
  if (!unlinked) log('info', 'The role no longer exists: nothing to undo', { roleName });
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

// A new link (a Create, or an Update to another role or Sid) takes over no statement another link owns.
async function link(
  spec: LinkSpec,
  invocation: Invocation,
  onWrite: (event: WriteEvent) => void,
  isNew: boolean,
): Promise<Converged> {
  const linked = await converge(
    spec.roleName,
    (policy, role) => {
      const accountRoot = accountRootOf(role.roleArn);
      checkRoleArn(spec, role);
      if (isNew) checkSidIsFree(spec, foreignSidStatement(policy, spec, accountRoot), role);
      return linkTrust(policy, spec, accountRoot);
    },
    { signal: invocation.signal, settleMs: invocation.settleMs, onWrite },
  );
  if (!linked) {
    throw new RoleNotFoundError(
      `Role "${spec.roleName}" does not exist in this account. Check RoleName or RoleArn, and that the role is created before the link (DependsOn, or !Ref/!GetAtt of the role).`,
    );
  }
  return linked;
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

function linkData(spec: LinkSpec, linked: Converged): Record<string, string> {
  return {
    RoleArn: linked.role.roleArn,
    RoleName: linked.role.roleName,
    StatementSid: spec.sid,
    ExternalIds: spec.externalIds.join(','),
    TrustPolicy: serializeTrustPolicy(linked.policy),
  };
}
