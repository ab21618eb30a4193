// What a finished `sam deploy` did, from the stack read before and after it: the link is in force for
// the values deployed, no change set was executed (sam exits 0 when its prompt is declined or with
// --no-execute-changeset), or the stack does not show the link.

import { type DeployedStack, isSettled } from './deployed-stack';
import { STATUS_OUTPUT } from './stack-kind';

/** The values the link deployed: the trust must name each of them. */
export interface LinkedValues {
  readonly userArn: string;
  readonly externalIds: readonly string[];
}

export type LinkOutcome =
  | { readonly kind: 'linked'; readonly changed: boolean; readonly status: string }
  | { readonly kind: 'not-executed' }
  | { readonly kind: 'not-linked'; readonly reason: string };

/** Judges the stack after sam deploy against the stack before it. */
export function linkOutcome(before: DeployedStack, after: DeployedStack, values: LinkedValues): LinkOutcome {
  const status = after.outputs.get(STATUS_OUTPUT) ?? '';
  const unchanged = before.status === after.status && before.lastUpdated === after.lastUpdated;
  if (isSettled(after.status) && statusNames(status, values))
    return { kind: 'linked', changed: !unchanged, status };
  if (unchanged) return { kind: 'not-executed' };
  if (!isSettled(after.status)) {
    return {
      kind: 'not-linked',
      reason: `stack ${after.name} is ${after.status}: the deploy did not hold. See the stack's events.`,
    };
  }
  const says = status === '' ? `has no ${STATUS_OUTPUT} output` : `says ${STATUS_OUTPUT} "${status}"`;
  return {
    kind: 'not-linked',
    reason: `stack ${after.name} is ${after.status} but ${says}, not the link in force for these values.`,
  };
}

// "in force: <user> may assume <role> with external id(s) <id>,<id>": each value a whole word of it.
function statusNames(status: string, values: LinkedValues): boolean {
  if (!status.startsWith('in force')) return false;
  const words = new Set(status.split(/[\s,]+/));
  return words.has(values.userArn) && values.externalIds.every((id) => words.has(id));
}
