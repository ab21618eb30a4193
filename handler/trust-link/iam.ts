// The one module that talks to IAM: read a role's trust policy and tags, write them. It retries what is
// worth retrying and turns IAM's refusals into messages that say what to do.

import {
  GetRoleCommand,
  IAMClient,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AWS_CLIENT_CONFIG, awsErrorCode, httpStatus, isAbort, isRetryableAwsError } from '../framework/aws';
import { type RetryPolicy, withRetries } from '../framework/retry';
import { IamRefusedError } from './errors';
import type { RoleTag } from './ownership';

/** A role, its trust policy and its tags as IAM has them now. */
export interface RoleTrust {
  roleName: string;
  roleArn: string;
  /** The trust policy as JSON text, already URL-decoded. */
  document: string;
  tags: RoleTag[];
}

export const IAM_RETRY: RetryPolicy = { attempts: 5, baseMs: 300, maxMs: 4000 };
// Besides throttling, 5xx and the network: IAM is eventually consistent, so the grant to this function's role
// may not have reached IAM yet; and IAM refuses a write while another is in progress.
const IAM_RETRYABLE_CODES = new Set([
  'AccessDenied',
  'RequestLimitExceeded',
  'ServiceFailure',
  'ConcurrentModification',
]);

let client: IAMClient | undefined;

// Created on first use and kept for warm invocations. The SDK's own retry is off: ours decides, since
// the SDK retries LimitExceeded (a quota, not a rate) and does not retry ConcurrentModification.
function iam(): IAMClient {
  client ??= new IAMClient({
    ...AWS_CLIENT_CONFIG,
    ...(process.env.AWS_REGION ? {} : { region: 'us-east-1' }),
  });
  return client;
}

/** The role's trust policy, or undefined when the role does not exist. */
export async function readRoleTrust(roleName: string, signal?: AbortSignal): Promise<RoleTrust | undefined> {
  try {
    const { Role } = await withRetries(
      () => iam().send(new GetRoleCommand({ RoleName: roleName }), { abortSignal: signal }),
      isRetryable,
      IAM_RETRY,
      signal,
    );
    if (!Role?.Arn || Role.AssumeRolePolicyDocument === undefined) {
      throw new IamRefusedError(`IAM returned role "${roleName}" without its ARN or trust policy.`);
    }
    // IAM returns the document URL-encoded (RFC 3986) and the SDK does not decode it.
    const document = decodeURIComponent(Role.AssumeRolePolicyDocument);
    const tags = (Role.Tags ?? []).map((tag) => ({ key: tag.Key ?? '', value: tag.Value ?? '' }));
    return { roleName: Role.RoleName ?? roleName, roleArn: Role.Arn, document, tags };
  } catch (error) {
    if (errorCode(error) === 'NoSuchEntity') return undefined;
    throw explainIamFailure('iam:GetRole', roleName, error);
  }
}

/**
 * Replaces the role's trust policy, once: a retry would re-send a document built from a read that may
 * be stale by then, so the caller reads and merges again instead. Returns false when the role is gone.
 */
export async function writeRoleTrust(
  roleName: string,
  document: string,
  signal?: AbortSignal,
): Promise<boolean> {
  return writeOnce('iam:UpdateAssumeRolePolicy', roleName, () =>
    iam().send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: document }), {
      abortSignal: signal,
    }),
  );
}

async function writeOnce(action: string, roleName: string, send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (errorCode(error) === 'NoSuchEntity') return false;
    throw explainIamFailure(action, roleName, error);
  }
}

/** Adds or overwrites tags on the role, once (the caller reads again before a retry). False when the role is gone. */
export async function tagRole(
  roleName: string,
  tags: readonly RoleTag[],
  signal?: AbortSignal,
): Promise<boolean> {
  const Tags = tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
  return writeOnce('iam:TagRole', roleName, () =>
    iam().send(new TagRoleCommand({ RoleName: roleName, Tags }), { abortSignal: signal }),
  );
}

/** Removes tags from the role, once. False when the role is gone. */
export async function untagRole(
  roleName: string,
  keys: readonly string[],
  signal?: AbortSignal,
): Promise<boolean> {
  return writeOnce('iam:UntagRole', roleName, () =>
    iam().send(new UntagRoleCommand({ RoleName: roleName, TagKeys: [...keys] }), { abortSignal: signal }),
  );
}

/** Whether a failed IAM call may succeed if made again: throttling, 5xx, a concurrent change, the network. */
export function isRetryable(error: unknown): boolean {
  return isRetryableAwsError(error) || IAM_RETRYABLE_CODES.has(errorCode(error));
}

/** An error whose message says what IAM refused and what to do about it. */
export function explainIamFailure(action: string, roleName: string, error: unknown): Error {
  if (error instanceof IamRefusedError || isAbort(error)) return error as Error;
  const code = errorCode(error);
  const said = error instanceof Error ? error.message : String(error);
  const advice = adviceFor(code, said, action);
  const status = httpStatus(error);
  return new IamRefusedError(`${action} on role "${roleName}" failed: IAM said ${code}: ${said}${advice}`, {
    cause: error,
    retryable: isRetryable(error),
    changedNothing: status !== undefined && status >= 400 && status < 500,
  });
}

function adviceFor(code: string, said: string, action: string): string {
  if (code === 'MalformedPolicyDocument' && said.includes('Invalid principal')) {
    return '. IAM does not know that principal. If it is SnowflakeIamUserArn, check it against API_AWS_IAM_USER_ARN of DESCRIBE INTEGRATION (every character, no truncation); if another statement of the trust policy names it (a deleted user or role), fix that statement first.';
  }
  if (code === 'LimitExceeded' && action === 'iam:TagRole') {
    return '. The role has as many tags as IAM allows (50): the link records its ownership in one tag, so remove a tag the role no longer needs.';
  }
  if (code === 'LimitExceeded') {
    return '. The trust policy would exceed the role\'s size quota: remove statements or old external ids you no longer need, or ask AWS to raise the "Role trust policy length" quota.';
  }
  if (code === 'AccessDenied') {
    return `. The link function's own role needs ${action} on this role's ARN.`;
  }
  if (code === 'UnmodifiableEntity')
    return '. This role is protected (a service-linked role): link another role.';
  return '.';
}

// IAM's code as it is on the wire: the SDK names modelled errors "<Code>Exception".
function errorCode(error: unknown): string {
  return awsErrorCode(error).replace(/Exception$/, '');
}
