// The deployed stack's current link, for --keep-old: the external ids that must stay in the trust
// policy while Snowflake moves to the new one, and the IAM user they belong to.

import { externalIdProblem, splitExternalIds } from '../../handler/trust-link/rules';
import type { DeployedStack } from './deployed-stack';
import { StackError } from './errors';
import { DEFAULT_PARAMETERS, type ParameterNames } from './link-contract';

/** What the deployed stack links now. */
export interface DeployedLink {
  /** '' when the stack has no user ARN yet. */
  readonly userArn: string;
  readonly externalIds: readonly string[];
}

/** The link in the stack's parameters; throws StackError when it cannot be used. */
export function deployedLink(
  stack: Pick<DeployedStack, 'name' | 'parameters'>,
  names: ParameterNames = DEFAULT_PARAMETERS,
): DeployedLink {
  const externalIdValue = stack.parameters.get(names.externalId);
  if (externalIdValue === undefined) {
    throw new StackError(
      `Stack ${stack.name} has no ${names.externalId} parameter: was it deployed from this template? Give --old-external-id instead.`,
    );
  }
  const externalIds = splitExternalIds(externalIdValue).filter((id) => id !== '');
  if (externalIds.some((id) => /^\*+$/.test(id))) {
    throw new StackError(
      `Stack ${stack.name} hides ${names.externalId} (NoEcho): give the ids to keep with --old-external-id.`,
    );
  }
  const problems = externalIds.map(externalIdProblem).filter((problem) => problem !== undefined);
  if (problems.length > 0) {
    throw new StackError(
      `Stack ${stack.name}'s current ${names.externalId} is not usable: ${problems.join(' ')}`,
    );
  }
  return { userArn: stack.parameters.get(names.userArn)?.trim() ?? '', externalIds };
}
