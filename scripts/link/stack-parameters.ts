// Reads the deployed stack's current SnowflakeExternalId with the AWS CLI, for --keep-old: the ids that
// must stay in the trust policy while Snowflake moves to the new one.

import { externalIdProblem, splitExternalIds } from '../../handler/trust-link/rules';
import type { StackSelection } from './cli-options';
import { LinkError } from './errors';

export const EXTERNAL_ID_PARAMETER = 'SnowflakeExternalId';

/** The `aws` arguments that print the stack's SnowflakeExternalId values as a JSON list. */
export function describeStackArgs(
  stackName: string,
  selection: Pick<StackSelection, 'region' | 'profile'>,
): string[] {
  return [
    'cloudformation',
    'describe-stacks',
    '--stack-name',
    stackName,
    '--query',
    `Stacks[0].Parameters[?ParameterKey=='${EXTERNAL_ID_PARAMETER}'].ParameterValue`,
    '--output',
    'json',
    ...(selection.region === undefined ? [] : ['--region', selection.region]),
    ...(selection.profile === undefined ? [] : ['--profile', selection.profile]),
  ];
}

/** Whether aws failed because the stack is not there (rather than for credentials, network, ...). */
export function isMissingStack(stderr: string): boolean {
  return /Stack with id .* does not exist/.test(stderr);
}

/** The external ids in describe-stacks' output; empty when the parameter is empty. Throws LinkError. */
export function stackExternalIds(stdout: string, stackName: string): string[] {
  const values = parseList(stdout, stackName);
  if (values.length === 0) {
    throw new LinkError(
      `Stack ${stackName} has no ${EXTERNAL_ID_PARAMETER} parameter: is it this project's stack? Give --old-external-id instead.`,
    );
  }
  const ids = splitExternalIds(values[0] ?? '').filter((id) => id !== '');
  if (ids.some((id) => /^\*+$/.test(id))) {
    throw new LinkError(
      `Stack ${stackName} hides ${EXTERNAL_ID_PARAMETER} (NoEcho): give the ids to keep with --old-external-id.`,
    );
  }
  const problems = ids.map(externalIdProblem).filter((problem) => problem !== undefined);
  if (problems.length > 0) {
    throw new LinkError(
      `Stack ${stackName}'s current ${EXTERNAL_ID_PARAMETER} is not usable: ${problems.join(' ')}`,
    );
  }
  return ids;
}

function parseList(stdout: string, stackName: string): string[] {
  try {
    const parsed: unknown = JSON.parse(stdout);
    if (Array.isArray(parsed) && parsed.every((value): value is string => typeof value === 'string'))
      return parsed;
  } catch {
    // Reported below with the same message as a list of the wrong shape.
  }
  throw new LinkError(
    `aws cloudformation describe-stacks printed no list of parameter values for ${stackName}: ${JSON.stringify(stdout.slice(0, 200))}.`,
  );
}
