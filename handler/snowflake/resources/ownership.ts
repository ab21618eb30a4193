// How a Snowflake object is known to be this resource's. An integration it created carries a marker at the
// end of its COMMENT (the stack's id, the logical id, and a token new on every create), and its physical id
// holds the same token: a Delete drops the integration only while the marker still names that token, so an
// integration re-created by hand, or by a later replacement under the same name, is never dropped. A Create
// takes no integration whose marker names another stack id (a stack of the same name in another account or
// region, or one deleted and made again), nor one marked by 0.1, whose marker names the stack by name only.
// An adopted integration's physical id says "adopted": it is altered, never dropped.
//
// Who made an object (the session's user and role at create) is in its physical id: Snowflake answers
// 002003 "does not exist or not authorized" alike for a dropped object and for one the role may not see
// (https://docs.snowflake.com/en/user-guide/security-access-control-overview: an object is visible to the
// roles holding a privilege on it), so only a Delete signed in as the maker may read that answer as "gone".

import { createHash, randomBytes } from 'node:crypto';
import { CustomResourceError } from '../../framework/errors';
import { type Owner, stackNameOf } from '../../framework/framework';

/** The user and role a session runs as: CURRENT_USER() and CURRENT_ROLE(). */
export interface Identity {
  user: string;
  role: string;
}

/** Who made an object, as its physical id records it: the names, or their digest when too long for an id. */
export type Creator = Identity | { digest: string };

/** What a physical id says about the integration it names. Ids made by 0.1 record no creator. */
export type IntegrationClaim =
  | { kind: 'created'; name: string; token: string; creator?: Creator }
  | { kind: 'adopted'; name: string };

/** A request from a stack other than the one whose function this is. */
export class ForeignStackError extends CustomResourceError {}

/** The physical id would pass CloudFormation's limit even with every long part digested. */
export class PhysicalIdTooLongError extends CustomResourceError {}

/** CloudFormation's limit on a physical id, in bytes. */
export const PHYSICAL_ID_LIMIT = 1024;

// 0.1: `[CloudFormation <stack name>/<logical id> <token>]`. Now the stack's id and the maker follow.
const MARKER =
  /\s*\[CloudFormation ([^\]\s]+)\/([^\]\s]+) ([a-f0-9]{8,})(?: stack=([^\]\s]+))?(?: by=([^\]\s/]*)\/([^\]\s/]*))?\]$/;
const STACK_ARN = /^arn:([^:]+):cloudformation:([^:]+):([^:]+):stack\/([^/]+)\/(.+)$/;
const CREATOR_TEXT = /^(?:#([a-f0-9]{16})|([^/:]*)\/([^/:]*))$/;

/** A new creation token. */
export function newToken(): string {
  return randomBytes(6).toString('hex');
}

/** A short digest of a value, for ids that would otherwise pass CloudFormation's limit. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * The physical id of an integration: `<Prefix>:<token>+<user>/<role>:<NAME>` (user and role URI-encoded, or
 * `#<digest>` when the names would pass the limit), `<Prefix>:<token>:<NAME>` as 0.1 made it, or
 * `<Prefix>:adopted:<NAME>`.
 */
export function integrationPhysicalId(prefix: string, claim: IntegrationClaim): string {
  if (claim.kind === 'adopted') return `${prefix}:adopted:${claim.name}`;
  if (!claim.creator) return `${prefix}:${claim.token}:${claim.name}`;
  const id = `${prefix}:${claim.token}+${creatorText(claim.creator)}:${claim.name}`;
  if (byteLength(id) <= PHYSICAL_ID_LIMIT || 'digest' in claim.creator) return checkedLength(id, claim.name);
  return integrationPhysicalId(prefix, { ...claim, creator: { digest: identityDigest(claim.creator) } });
}

/** The claim an id makes, or undefined for any other id (a failed Create's marker included). */
export function parseIntegrationPhysicalId(prefix: string, physicalId: string): IntegrationClaim | undefined {
  if (!physicalId.startsWith(`${prefix}:`)) return undefined;
  const match = /^(adopted|[a-f0-9]{8,})(?:\+([^:]*))?:(.+)$/s.exec(physicalId.slice(prefix.length + 1));
  if (!match?.[1] || !match[3]) return undefined;
  if (match[1] === 'adopted') return match[2] === undefined ? { kind: 'adopted', name: match[3] } : undefined;
  if (match[2] === undefined) return { kind: 'created', name: match[3], token: match[1] };
  const creator = parseCreatorText(match[2]);
  return creator ? { kind: 'created', name: match[3], token: match[1], creator } : undefined;
}

/** The COMMENT of an integration this resource created: the user's comment, then the marker. */
export function markedComment(
  comment: string | undefined,
  owner: Owner,
  token: string,
  creator?: Creator,
): string {
  const by = creator && !('digest' in creator) ? ` by=${creatorText(creator)}` : '';
  return `${comment ? `${comment} ` : ''}[CloudFormation ${stackNameOf(owner.stackId)}/${owner.logicalId} ${token} stack=${owner.stackId}${by}]`;
}

/** What a COMMENT's marker says: the stack (its id only when this version wrote it), the logical id and token. */
export interface Marker {
  stackName: string;
  /** Undefined for a marker 0.1 wrote: it named the stack by name only. */
  stackId?: string;
  logicalId: string;
  token: string;
  creator?: Identity;
}

/** The marker a COMMENT ends with, if any. */
export function markerOf(comment: string | null | undefined): Marker | undefined {
  const match = MARKER.exec(comment ?? '');
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  const creator = match[5] === undefined ? undefined : parseCreatorText(`${match[5]}/${match[6] ?? ''}`);
  return {
    stackName: match[1],
    logicalId: match[2],
    token: match[3],
    ...(match[4] ? { stackId: match[4] } : {}),
    ...(creator && !('digest' in creator) ? { creator } : {}),
  };
}

/** Whether the marker says this very resource (this stack id and logical id) made the object. */
export function madeByOwner(marker: Marker | undefined, owner: Owner): boolean {
  return marker?.stackId === owner.stackId && marker.logicalId === owner.logicalId;
}

/** The owner a marker names, in words a person recognises: stack name, account and region. */
export function ownerInWords(marker: Marker): string {
  if (!marker.stackId) {
    return `a stack named "${marker.stackName}" (resource ${marker.logicalId}), by an earlier version that recorded no stack id, so it cannot tell whether it was this stack`;
  }
  const arn = STACK_ARN.exec(marker.stackId);
  const where = arn ? ` in account ${arn[3]}, region ${arn[2]}` : '';
  return `stack "${marker.stackName}"${where} (resource ${marker.logicalId}, stack id ${marker.stackId})`;
}

/** The digest an id keeps of an identity too long to show: the same in both id formats. */
export function identityDigest(identity: Identity): string {
  return digestOf(creatorPart(identity));
}

/** Whether a session's identity is the one recorded as the maker. */
export function isCreator(recorded: Creator, current: Identity): boolean {
  return 'digest' in recorded
    ? recorded.digest === identityDigest(current)
    : recorded.user === current.user && recorded.role === current.role;
}

/** A creator or identity in words. */
export function identityInWords(identity: Creator): string {
  return 'digest' in identity
    ? `a user and role recorded by digest ${identity.digest} (names too long for the physical id)`
    : `user ${identity.user} with role ${identity.role}`;
}

/** The physical id of a failed Create: names nothing, so its Delete drops nothing. */
export function failedCreateId(requestId: string): string {
  return `SnowflakeCreateFailed:${requestId}`;
}

/**
 * One function per stack, as the link function: a stack that borrows another's ServiceToken would create
 * objects with that stack's Snowflake credential. Updates and Deletes of objects made before stay served.
 */
export function checkServedStack(servedStackId: string | undefined, owner: Owner): void {
  if (servedStackId === undefined || servedStackId === owner.stackId) return;
  throw new ForeignStackError(
    `This Snowflake function belongs to stack "${stackNameOf(servedStackId)}" and creates objects for that stack only; stack "${stackNameOf(owner.stackId)}" uses its ServiceToken. Deploy the Snowflake function in stack "${stackNameOf(owner.stackId)}" itself (as examples/storage-integration.yaml does) and use its ServiceToken.`,
  );
}

// ---- Ids as JSON arrays (functions and stages): parts too long for CloudFormation become digests. ----

/** A part of a JSON id that the id holds only as a digest: the properties give the value back. */
export interface Digested {
  sha256: string;
}

/** A part of a JSON id: the value itself, or its digest. */
export type IdPart<T> = T | Digested;

/**
 * `<prefix><JSON array>`, the longest parts digested first until it fits CloudFormation's 1,024 bytes:
 * a Delete of a cut id would name nothing.
 */
export function jsonPhysicalId(prefix: string, parts: readonly unknown[]): string {
  const shown: unknown[] = [...parts];
  const longestFirst = parts
    .map((part, index) => ({ index, size: byteLength(JSON.stringify(part)) }))
    .sort((a, b) => b.size - a.size);
  for (const { index } of longestFirst) {
    const id = `${prefix}${JSON.stringify(shown)}`;
    if (byteLength(id) <= PHYSICAL_ID_LIMIT) return id;
    shown[index] = { sha256: digestOf(parts[index]) } satisfies Digested;
  }
  return checkedLength(`${prefix}${JSON.stringify(shown)}`, prefix);
}

/** Whether an id part holds this value, itself or by digest. */
export function partHolds(part: unknown, value: unknown): boolean {
  return isDigested(part) ? part.sha256 === digestOf(value) : JSON.stringify(part) === JSON.stringify(value);
}

/** Whether an id part is a digest. */
export function isDigested(part: unknown): part is Digested {
  return (
    typeof part === 'object' &&
    part !== null &&
    !Array.isArray(part) &&
    typeof (part as { sha256?: unknown }).sha256 === 'string' &&
    Object.keys(part).length === 1
  );
}

/** The creator as a JSON id's part: `[user, role]` (digested as a whole when too long). */
export function creatorPart(creator: Identity): [string, string] {
  return [creator.user, creator.role];
}

/** The creator a JSON id's part records. */
export function parseCreatorPart(part: unknown): Creator | undefined {
  if (isDigested(part)) return { digest: part.sha256 };
  if (Array.isArray(part) && part.length === 2 && part.every((p) => typeof p === 'string')) {
    return { user: part[0] as string, role: part[1] as string };
  }
  return undefined;
}

function creatorText(creator: Creator): string {
  return 'digest' in creator
    ? `#${creator.digest}`
    : `${encodeURIComponent(creator.user)}/${encodeURIComponent(creator.role)}`;
}

function parseCreatorText(text: string): Creator | undefined {
  const match = CREATOR_TEXT.exec(text);
  if (!match) return undefined;
  if (match[1]) return { digest: match[1] };
  try {
    return { user: decodeURIComponent(match[2] ?? ''), role: decodeURIComponent(match[3] ?? '') };
  } catch {
    return undefined;
  }
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function checkedLength(id: string, what: string): string {
  if (byteLength(id) <= PHYSICAL_ID_LIMIT) return id;
  throw new PhysicalIdTooLongError(
    `The physical id for ${what} would be ${byteLength(id)} bytes, over CloudFormation's ${PHYSICAL_ID_LIMIT}: choose a shorter name.`,
  );
}
