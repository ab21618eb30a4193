// How a Snowflake object is known to be this resource's. An integration it created carries a marker at the
// end of its COMMENT (stack, logical id and a token new on every create), and its physical id holds the
// same token: a Delete drops the integration only while the marker still names that token, so an
// integration re-created by hand, or by a later replacement under the same name, is never dropped.
// An adopted integration's physical id says "adopted": it is altered, never dropped.

import { randomBytes } from 'node:crypto';
import { type Owner, stackNameOf } from '../../framework/framework';

/** What a physical id says about the integration it names. */
export type IntegrationClaim =
  | { kind: 'created'; name: string; token: string }
  | { kind: 'adopted'; name: string };

const MARKER = /\s*\[CloudFormation ([^\]\s]+)\/([^\]\s]+) ([a-f0-9]{8,})\]$/;

/** A new creation token. */
export function newToken(): string {
  return randomBytes(6).toString('hex');
}

/** The physical id of an integration: `<Prefix>:<token>:<NAME>` or `<Prefix>:adopted:<NAME>`. */
export function integrationPhysicalId(prefix: string, claim: IntegrationClaim): string {
  return `${prefix}:${claim.kind === 'created' ? claim.token : 'adopted'}:${claim.name}`;
}

/** The claim an id makes, or undefined for any other id (a failed Create's marker included). */
export function parseIntegrationPhysicalId(prefix: string, physicalId: string): IntegrationClaim | undefined {
  if (!physicalId.startsWith(`${prefix}:`)) return undefined;
  const match = /^(adopted|[a-f0-9]{8,}):(.+)$/s.exec(physicalId.slice(prefix.length + 1));
  if (!match?.[1] || !match[2]) return undefined;
  return match[1] === 'adopted'
    ? { kind: 'adopted', name: match[2] }
    : { kind: 'created', name: match[2], token: match[1] };
}

/** The COMMENT of an integration this resource created: the user's comment, then the marker. */
export function markedComment(comment: string | undefined, owner: Owner, token: string): string {
  return `${comment ? `${comment} ` : ''}[CloudFormation ${stackNameOf(owner.stackId)}/${owner.logicalId} ${token}]`;
}

/** The marker a COMMENT ends with, if any. */
export function markerOf(
  comment: string | null | undefined,
): { stackName: string; logicalId: string; token: string } | undefined {
  const match = MARKER.exec(comment ?? '');
  return match?.[1] && match[2] && match[3]
    ? { stackName: match[1], logicalId: match[2], token: match[3] }
    : undefined;
}

/** Whether the COMMENT says this resource (this stack's logical id) made the integration, whatever the token. */
export function madeByOwner(comment: string | null | undefined, owner: Owner): boolean {
  const marker = markerOf(comment);
  return marker?.stackName === stackNameOf(owner.stackId) && marker.logicalId === owner.logicalId;
}

/** The physical id of a failed Create: names nothing, so its Delete drops nothing. */
export function failedCreateId(requestId: string): string {
  return `SnowflakeCreateFailed:${requestId}`;
}
