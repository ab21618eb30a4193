// The deployed stack's current link, for --keep-old: the external ids that must stay in the trust
// policy while Snowflake moves to the new one, and the IAM user they belong to.

import { externalIdProblem, splitExternalIds } from '../../handler/trust-link/rules';
import type { DeployedStack } from './deployed-stack';
import { StackError } from './errors';

export const USER_ARN_PARAMETER = 'SnowflakeIamUserArn';
export const EXTERNAL_ID_PARAMETER = 'SnowflakeExternalId';

/** What the deployed stack links now. */
export interface DeployedLink {
  /** '' when the stack has no user ARN yet. */
  readonly userArn: string;
  readonly externalIds: readonly string[];
}

/** The link in the stack's parameters; throws StackError when it cannot be used. */
export function deployedLink(stack: Pick<DeployedStack, 'name' | 'parameters'>): DeployedLink {
  const externalIdValue = stack.parameters.get(EXTERNAL_ID_PARAMETER);
  if (externalIdValue === undefined) {
    throw new StackError(
      `Stack ${stack.name} has no ${EXTERNAL_ID_PARAMETER} parameter: is it this project's stack? Give --old-external-id instead.`,
    );
  }
  const externalIds = splitExternalIds(externalIdValue).filter((id) => id !== '');
  if (externalIds.some((id) => /^\*+$/.test(id))) {
    throw new StackError(
      `Stack ${stack.name} hides ${EXTERNAL_ID_PARAMETER} (NoEcho): give the ids to keep with --old-external-id.`,
    );
  }
  const problems = externalIds.map(externalIdProblem).filter((problem) => problem !== undefined);
  if (problems.length > 0) {
    throw new StackError(
      `Stack ${stack.name}'s current ${EXTERNAL_ID_PARAMETER} is not usable: ${problems.join(' ')}`,
    );
  }
  return { userArn: stack.parameters.get(USER_ARN_PARAMETER)?.trim() ?? '', externalIds };
}
