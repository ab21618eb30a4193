// Custom::SnowflakeTrustLinkRevocation: revokes the external ids a rotation replaced, in CloudFormation's
// cleanup, the one moment after the switch. Its physical id names the id current when it was made, so a
// rotation replaces it and CloudFormation then deletes the old one: that Delete brings the link's statement
// down to the link's current id. It owns nothing on the role and never removes the statement.
//
// A new physical id on Update is a replacement, and the old id gets a Delete once the update succeeded:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-update.html
// A rollback deletes the new id instead (aws-facts.md; whether an Update with the old properties precedes
// that Delete, AWS's pages do not say: both orders leave the link as it was, since its id is then current).
// Why not the link itself: a link replaced on rotation would be rolled back by a Delete of its new id, which
// looks exactly like the Delete of a stack whose revocation failed; the link keeps its id, its rollback is an
// Update with the old properties, and this resource's Deletes are harmless whenever its id is still current.
// Why revoke at all: a storage integration may set STORAGE_AWS_EXTERNAL_ID to any value, so a retired id can be
// presented again through the account's one IAM user:
// https://docs.snowflake.com/en/sql-reference/sql/create-storage-integration

import type { Outcome } from '../framework/framework';
import { log } from '../framework/log';
import { converge, type WantedRole } from './converge';
import { RevocationFailedError, TrustLinkError } from './errors';
import type { RoleTrust } from './iam';
import type { Invocation } from './lifecycle';
import { checkServedStack, convergeOptions } from './lifecycle';
import {
  externalIdDigest,
  type OwnerRecord,
  ownerRecords,
  ownershipOf,
  recordedAsWritten,
  recordTag,
  statementDigest,
} from './ownership';
import { parseRevocationPhysicalId, revocationPhysicalId } from './physical-id';
import { parseRevocationProperties } from './properties';
import {
  externalIdsOf,
  findOwnedStatement,
  ownedStatement,
  principalsOf,
  type TrustPolicy,
} from './trust-policy';

/** The resource type CloudFormation names in the events of a revocation. */
export const REVOCATION_TYPE = 'Custom::SnowflakeTrustLinkRevocation';

/** Create and Update touch nothing: they answer the id that names the current external id. */
export async function onRevocationCreateOrUpdate(
  properties: unknown,
  invocation: Invocation,
): Promise<Outcome> {
  const spec = parseRevocationProperties(properties);
  checkServedStack(invocation);
  return {
    physicalResourceId: revocationPhysicalId(spec.roleName, spec.sid, externalIdDigest(spec.currentId)),
    data: { CurrentExternalId: spec.currentId },
  };
}

/**
 * The Delete of an id that is no longer the link's current one (a rotation's cleanup) revokes every id of
 * the link's statement but the current; any other Delete (a rollback of the rotation, the stack's delete)
 * finds its id still current and touches nothing.
 */
export async function onRevocationDelete(physicalId: string, invocation: Invocation): Promise<Outcome> {
  const target = parseRevocationPhysicalId(physicalId);
  if (!target) {
    log('info', 'The physical id names no revocation: nothing to revoke', { physicalId });
    return { physicalResourceId: physicalId };
  }
  try {
    await converge(
      target.roleName,
      (policy, role) => revokeEdit(policy, role, target.sid, target.current, invocation),
      convergeOptions(invocation),
    );
  } catch (error) {
    if (!(error instanceof TrustLinkError)) throw error;
    throw new RevocationFailedError(
      `Could not revoke the external id(s) a rotation replaced on role "${target.roleName}": ${error.message} They stay trusted until the next deploy that updates the link (a rotation, or any change of the integration), which revokes them.`,
      { cause: error },
    );
  }
  return { physicalResourceId: physicalId };
}

function revokeEdit(
  policy: TrustPolicy,
  role: RoleTrust,
  sid: string,
  retired: string,
  invocation: Invocation,
): WantedRole {
  const ownership = ownershipOf(ownerRecords(role.tags), invocation.owner, sid);
  const records = [...(ownership.mine ? [ownership.mine] : []), ...ownership.sameStack];
  const current = new Set(records.flatMap((record) => (record.current ? [record.current] : [])));
  const holder = findOwnedStatement(policy, sid);
  const unchanged = { policy };
  if (current.size === 0 || current.has(retired)) {
    log('info', 'Nothing to revoke: the id is still current, or no link of this stack names one', { sid });
    return unchanged;
  }
  if (!holder || !recordedAsWritten(records, holder)) {
    log('warn', 'Left the statement as it is: it is not what the links of this stack wrote', { sid });
    return unchanged;
  }
  const ids = externalIdsOf(holder);
  const kept = ids.filter((id) => current.has(externalIdDigest(id)));
  const [userArn] = principalsOf(holder);
  if (kept.length === 0 || kept.length === ids.length || userArn === undefined) return unchanged;
  log('info', 'Revoking the external ids a rotation replaced', { sid, revoked: ids.length - kept.length });
  const statement = ownedStatement({ sid, userArn, externalIds: kept });
  const digest = statementDigest(statement);
  return {
    policy: { ...policy, Statement: policy.Statement.map((s) => (s === holder ? statement : s)) },
    tags: records.map((record: OwnerRecord) => recordTag({ ...record, statement: digest })),
  };
}
