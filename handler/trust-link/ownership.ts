// Who owns a link's statement, as recorded on the role: one tag per owning resource. Pure functions over
// plain values: what the record says, whose statement it is, and what a link may do with it. No I/O here.

import { createHash } from 'node:crypto';
import { type Owner, stackNameOf } from '../framework/framework';
import { canonicalJson, type Statement } from './trust-policy';

/** A role tag, as IAM lists it. */
export interface RoleTag {
  key: string;
  value: string;
}

export type { Owner } from '../framework/framework';

/** One owner's record of a statement, as a role tag holds it. */
export interface OwnerRecord {
  /** The tag key: one per owner and Sid. */
  key: string;
  sid: string;
  /** A digest of the owning stack's id: records of one stack share it. */
  stack: string;
  /** A digest of the statement the owners wrote: a statement that differs is not theirs. */
  statement: string;
  /**
   * A digest of the external id the link was told is current (CurrentExternalId), if it was: the statement's
   * other ids are a rotation's old ones, trusted only until its cleanup (revocation.ts).
   */
  current?: string;
  /** The stack's name and the logical id, for messages; cut to fit a tag value. */
  label: string;
}

/** Every ownership tag starts with this, so a role's other tags are never read or touched. */
export const TAG_PREFIX = 'SnowflakeTrustLink:';
const MAX_TAG_VALUE = 256;
// The current id's field is optional: records written before it existed, and links not told one, lack it.
const RECORD_VALUE = /^([A-Za-z0-9]{1,128}) ([0-9a-f]{12}) ([0-9a-f]{16}) (?:id=([0-9a-f]{12}) )?(.*)$/;

/** The record this owner keeps for a statement under sid; with currentId, the external id now current. */
export function ownerRecord(
  owner: Owner,
  sid: string,
  statement: Statement,
  currentId?: string,
): OwnerRecord {
  return {
    key: `${TAG_PREFIX}${digest(`${owner.stackId}\n${owner.logicalId}\n${sid}`, 24)}`,
    sid,
    stack: digest(owner.stackId, 12),
    statement: statementDigest(statement),
    ...(currentId === undefined ? {} : { current: externalIdDigest(currentId) }),
    label: `${stackNameOf(owner.stackId)}/${owner.logicalId}`,
  };
}

/** The digest a record and a revocation's physical id name an external id by: short, and no secret. */
export function externalIdDigest(externalId: string): string {
  return digest(externalId, 12);
}

/** The records a role's tags hold, for every Sid; tags that are not records are left out. */
export function ownerRecords(tags: readonly RoleTag[]): OwnerRecord[] {
  return tags.flatMap(({ key, value }) => {
    const match = key.startsWith(TAG_PREFIX) ? RECORD_VALUE.exec(value) : null;
    if (!match) return [];
    const [, sid = '', stack = '', statement = '', current, label = ''] = match;
    return [{ key, sid, stack, statement, ...(current === undefined ? {} : { current }), label }];
  });
}

/** A record as a role tag: its value names the Sid, the stack and the statement, then who owns it. */
export function recordTag(record: OwnerRecord): RoleTag {
  const current = record.current === undefined ? '' : `id=${record.current} `;
  const head = `${record.sid} ${record.stack} ${record.statement} ${current}`;
  // Tag values allow letters, digits, spaces and _.:/=+-@ only: a logical id is alphanumeric, a stack name too.
  const label = record.label.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_');
  return { key: record.key, value: `${head}${label}`.slice(0, MAX_TAG_VALUE) };
}

/** A digest of a statement that ignores key order and the order of values in a list. */
export function statementDigest(statement: Statement): string {
  return digest(canonicalJson(statement), 16);
}

/** What the records say about one Sid on a role, seen from one owner. */
export interface SidOwnership {
  /** This owner's own record, if any. */
  mine?: OwnerRecord;
  /** Records of other resources in the same stack (a renamed resource, or a sibling sharing the statement). */
  sameStack: OwnerRecord[];
  /** Records of other stacks: a link belongs to one stack. */
  otherStacks: OwnerRecord[];
}

/** Sorts the records of sid by who holds them. */
export function ownershipOf(records: readonly OwnerRecord[], owner: Owner, sid: string): SidOwnership {
  const own = ownerRecord(owner, sid, {});
  const ofSid = records.filter((record) => record.sid === sid);
  const mine = ofSid.find((record) => record.key === own.key);
  return {
    ...(mine ? { mine } : {}),
    sameStack: ofSid.filter((record) => record.key !== own.key && record.stack === own.stack),
    otherStacks: ofSid.filter((record) => record.stack !== own.stack),
  };
}

/** Whether any owner's record says it wrote this very statement. */
export function recordedAsWritten(records: readonly OwnerRecord[], statement: Statement): boolean {
  const written = statementDigest(statement);
  return records.some((record) => record.statement === written);
}

function digest(text: string, hexChars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, hexChars);
}
