// The rules a Snowflake trust link's values must follow: one source for the handler, the
// template's AllowedPattern constraints and scripts/link. Each check returns the problem in
// words a person at the CloudFormation console can act on, or undefined when the value is good.

/** Partitions whose IAM ARNs the link accepts. */
export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;

const partition = `(?:${PARTITIONS.join('|')})`;
const nameChars = '[\\w+=,.@-]';
// IAM paths are "/" or "/.../" with printable ASCII between the slashes.
const path = '/(?:[\\x21-\\x7E]*/)?';

/** A whole IAM user ARN, as DESCRIBE INTEGRATION prints API_AWS_IAM_USER_ARN. */
export const USER_ARN_PATTERN = `^arn:${partition}:iam::[0-9]{12}:user${path}${nameChars}{1,64}$`;
/** A whole IAM role ARN; the path is optional. */
export const ROLE_ARN_PATTERN = `^arn:${partition}:iam::[0-9]{12}:role${path}${nameChars}{1,64}$`;
/** An IAM role name. */
export const ROLE_NAME_PATTERN = `^${nameChars}{1,64}$`;
/** One sts:ExternalId value: 2 to 1224 characters; a comma separates values, so it is not one. */
export const EXTERNAL_ID_PATTERN = '^[\\w+=.@:/-]{2,1224}$';
/** A statement id: IAM allows only ASCII letters and digits. */
export const SID_PATTERN = '^[A-Za-z0-9]{1,128}$';

export const DEFAULT_SID = 'SnowflakeTrustLink';

const userArn = new RegExp(USER_ARN_PATTERN);
const roleArn = new RegExp(ROLE_ARN_PATTERN);
const roleName = new RegExp(ROLE_NAME_PATTERN);
const externalId = new RegExp(EXTERNAL_ID_PATTERN);
const sid = new RegExp(SID_PATTERN);

const COPY_USER_ARN = 'Copy API_AWS_IAM_USER_ARN (or STORAGE_AWS_IAM_USER_ARN) from DESCRIBE INTEGRATION.';
const COPY_EXTERNAL_ID = 'Copy API_AWS_EXTERNAL_ID (or STORAGE_AWS_EXTERNAL_ID) from DESCRIBE INTEGRATION.';

/** Why a value is not an IAM user ARN that Snowflake could have printed, or undefined. */
export function userArnProblem(value: string): string | undefined {
  if (userArn.test(value)) return undefined;
  const shown = `SnowflakeIamUserArn "${value}"`;
  if (/\s/.test(value)) return `${shown} contains whitespace. ${COPY_USER_ARN}`;
  const parts = value.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return `${shown} is not an ARN. ${COPY_USER_ARN}`;
  const [, arnPartition, service, , account, resource = ''] = parts;
  if (!PARTITIONS.includes(arnPartition as (typeof PARTITIONS)[number])) {
    return `${shown} is not an IAM user ARN: partition "${arnPartition}" is not one of ${PARTITIONS.join(', ')}. ${COPY_USER_ARN}`;
  }
  if (service !== 'iam')
    return `${shown} is not an IAM user ARN: its service is "${service}". ${COPY_USER_ARN}`;
  if (!/^[0-9]{12}$/.test(account ?? '')) {
    return `${shown} is not an IAM user ARN: an AWS account id has 12 digits. ${COPY_USER_ARN}`;
  }
  if (resource.startsWith('role/')) {
    return `${shown} is a role ARN, not a user ARN: Snowflake assumes your role as its own IAM user. ${COPY_USER_ARN}`;
  }
  return `${shown} is not an IAM user ARN of the form arn:aws:iam::<12 digits>:user/<name>. ${COPY_USER_ARN}`;
}

/** Why one external id is not a valid sts:ExternalId value, or undefined. */
export function externalIdProblem(value: string): string | undefined {
  if (externalId.test(value)) return undefined;
  const shown = `SnowflakeExternalId "${value}"`;
  if (value.length < 2)
    return `${shown} is too short: an external id has 2 to 1224 characters. ${COPY_EXTERNAL_ID}`;
  if (value.length > 1224) {
    return `SnowflakeExternalId is ${value.length} characters long: an external id has at most 1224. ${COPY_EXTERNAL_ID}`;
  }
  const bad = [...value].find((c) => !/[\w+=.@:/-]/.test(c)) ?? '';
  return `${shown} contains ${JSON.stringify(bad)}: an external id has only letters, digits and _+=.@:/-. ${COPY_EXTERNAL_ID}`;
}

/** Why a value is not a statement id IAM accepts, or undefined. */
export function sidProblem(value: string): string | undefined {
  if (sid.test(value)) return undefined;
  return `StatementSid "${value}" must be 1 to 128 ASCII letters and digits (IAM allows nothing else in a Sid).`;
}

/** Why a value is not an IAM role name, or undefined. */
export function roleNameProblem(value: string): string | undefined {
  if (roleName.test(value)) return undefined;
  return `RoleName "${value}" is not an IAM role name: 1 to 64 letters, digits and _+=,.@-.`;
}

/** Why a value is not an IAM role ARN, or undefined. */
export function roleArnProblem(value: string): string | undefined {
  if (roleArn.test(value)) return undefined;
  return `RoleArn "${value}" is not an IAM role ARN of the form arn:aws:iam::<12 digits>:role/<path/><name>.`;
}

/** The name of the role an ARN names: its last path segment. */
export function roleNameOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/**
 * Splits external ids given as a string or a list, where any entry may itself be a comma-separated
 * list; trims each and drops repeats, keeping the first order. Empty entries are kept (as '') so
 * that the caller can refuse them: a stray comma is more often a paste gone wrong than intent.
 */
export function splitExternalIds(value: string | readonly string[]): string[] {
  const entries = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(','));
  return [...new Set(entries.map((v) => v.trim()))];
}
