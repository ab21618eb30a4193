// What a finished `sam deploy` did, from the stack read before and after it: the link is in force for
// the values deployed, no change set was executed (sam exits 0 when its prompt is declined or with
// --no-execute-changeset), or the stack does not show the link. A stack with a SnowflakeTrustLinkStatus
// output says so there; one without it is judged by its status and the two parameters it now holds:
// a stack settles only once every link resource answered SUCCESS for its new properties.

import { splitExternalIds } from '../../handler/trust-link/rules';
import { type DeployedStack, isSettled } from './deployed-stack';
import type { ParameterNames } from './link-contract';

/** The values the link deployed: the trust must name each of them. */
export interface LinkedValues {
  readonly userArn: string;
  readonly externalIds: readonly string[];
}

/** How the stack tells that the link is in force. */
export interface LinkEvidence {
  /** The output that says "in force: …", when the template has one. */
  readonly statusOutput?: string;
  readonly parameters: ParameterNames;
}

export type LinkOutcome =
  | { readonly kind: 'linked'; readonly changed: boolean; readonly evidence: string }
  | { readonly kind: 'not-executed' }
  | { readonly kind: 'not-linked'; readonly reason: string };

/** Judges the stack after sam deploy against the stack before it. */
export function linkOutcome(
  before: DeployedStack,
  after: DeployedStack,
  values: LinkedValues,
  evidence: LinkEvidence,
): LinkOutcome {
  const shown =
    evidence.statusOutput === undefined ? undefined : (after.outputs.get(evidence.statusOutput) ?? '');
  const holds =
    shown === undefined ? parametersHold(after, values, evidence.parameters) : statusNames(shown, values);
  const unchanged = before.status === after.status && before.lastUpdated === after.lastUpdated;
  if (isSettled(after.status) && holds) {
    const said =
      shown === undefined
        ? `Its parameters ${evidence.parameters.userArn} and ${evidence.parameters.externalId} hold these values ` +
          `(${after.status}; the template has no SnowflakeTrustLinkStatus output)`
        : `${evidence.statusOutput}: ${shown}`;
    return { kind: 'linked', changed: !unchanged, evidence: said };
  }
  if (unchanged) return { kind: 'not-executed' };
  if (!isSettled(after.status)) {
    return {
      kind: 'not-linked',
      reason: `stack ${after.name} is ${after.status}: the deploy did not hold. See the stack's events.`,
    };
  }
  const says =
    shown === undefined
      ? `its parameters ${evidence.parameters.userArn} and ${evidence.parameters.externalId} hold other values`
      : shown === ''
        ? `has no ${evidence.statusOutput} output`
        : `says ${evidence.statusOutput} "${shown}"`;
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

// The stack's parameters hold exactly the user and the ids deployed.
function parametersHold(stack: DeployedStack, values: LinkedValues, names: ParameterNames): boolean {
  const ids = splitExternalIds([stack.parameters.get(names.externalId) ?? '']).filter((id) => id !== '');
  return (
    stack.parameters.get(names.userArn)?.trim() === values.userArn &&
    ids.length === values.externalIds.length &&
    values.externalIds.every((id) => ids.includes(id))
  );
}
