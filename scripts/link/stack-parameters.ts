// Reads the deployed stack's current link with the AWS CLI, for --keep-old: the external ids that must
// stay in the trust policy while Snowflake moves to the new one, and the IAM user they belong to.

import { externalIdProblem, splitExternalIds } from '../../handler/trust-link/rules';
import type { StackSelection } from './cli-options';
import { LinkError } from './errors';

export const USER_ARN_PARAMETER = 'SnowflakeIamUserArn';
export const EXTERNAL_ID_PARAMETER = 'SnowflakeExternalId';

/** What the deployed stack links now. */
export interface DeployedLink {
  /** '' when the stack has no user ARN yet. */
  readonly userArn: string;
  readonly externalIds: readonly string[];
}

/** The `aws` arguments that print the stack's parameters as a JSON list. */
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
    'Stacks[0].Parameters',
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

/** The link in describe-stacks' output; throws LinkError when it cannot be used. */
export function deployedLink(stdout: string, stackName: string): DeployedLink {
  const parameters = parameterValues(stdout, stackName);
  const externalIdValue = parameters.get(EXTERNAL_ID_PARAMETER);
  if (externalIdValue === undefined) {
    throw new LinkError(
      `Stack ${stackName} has no ${EXTERNAL_ID_PARAMETER} parameter: is it this project's stack? Give --old-external-id instead.`,
    );
  }
  const externalIds = splitExternalIds(externalIdValue).filter((id) => id !== '');
  if (externalIds.some((id) => /^\*+$/.test(id))) {
    throw new LinkError(
      `Stack ${stackName} hides ${EXTERNAL_ID_PARAMETER} (NoEcho): give the ids to keep with --old-external-id.`,
    );
  }
  const problems = externalIds.map(externalIdProblem).filter((problem) => problem !== undefined);
  if (problems.length > 0) {
    throw new LinkError(
      `Stack ${stackName}'s current ${EXTERNAL_ID_PARAMETER} is not usable: ${problems.join(' ')}`,
    );
  }
  return { userArn: parameters.get(USER_ARN_PARAMETER)?.trim() ?? '', externalIds };
}

// describe-stacks prints [{"ParameterKey": "...", "ParameterValue": "..."}, ...], or null for a stack
// without parameters.
function parameterValues(stdout: string, stackName: string): Map<string, string> {
  const parsed = parseJson(stdout);
  const entries = parsed === null ? [] : parsed;
  if (!Array.isArray(entries) || !entries.every(isParameter)) {
    throw new LinkError(
      `aws cloudformation describe-stacks printed no list of parameters for ${stackName}: ${JSON.stringify(stdout.slice(0, 200))}.`,
    );
  }
  return new Map(entries.map((entry) => [entry.ParameterKey, entry.ParameterValue ?? '']));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isParameter(value: unknown): value is { ParameterKey: string; ParameterValue?: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { ParameterKey, ParameterValue } = value as Record<string, unknown>;
  return (
    typeof ParameterKey === 'string' && (ParameterValue === undefined || typeof ParameterValue === 'string')
  );
}
