// The resource's properties, parsed once at the edge into a typed LinkSpec. Every problem found is
// reported at once, in words the person at the CloudFormation console can act on.

import { InvalidPropertiesError } from './errors';
import {
  DEFAULT_SID,
  externalIdProblem,
  roleArnProblem,
  roleNameOfArn,
  roleNameProblem,
  sidProblem,
  splitExternalIds,
  userArnProblem,
} from './rules';
import type { LinkTerms } from './trust-policy';

/** A link, as the properties declare it. */
export interface LinkSpec extends LinkTerms {
  roleName: string;
  /** The RoleArn property, when given: the role IAM has under roleName must be this one. */
  roleArn?: string;
  /**
   * CurrentExternalId, when given: the integration's own id. The other ids are a rotation's old ones,
   * trusted only while it moves over, and revoked in its cleanup (revocation.ts).
   */
  currentId?: string;
}

/** A revocation, as its properties declare it: the link's role and Sid, and the id current now. */
export interface RevocationSpec {
  roleName: string;
  roleArn?: string;
  sid: string;
  currentId: string;
}

const LINK_PROPERTIES = [
  'RoleName',
  'RoleArn',
  'SnowflakeIamUserArn',
  'SnowflakeExternalId',
  'StatementSid',
  'CurrentExternalId',
];
const REVOCATION_PROPERTIES = ['RoleName', 'RoleArn', 'StatementSid', 'CurrentExternalId'];
// CloudFormation's own properties, present on every custom resource.
const CLOUDFORMATION_PROPERTIES = ['ServiceToken', 'ServiceTimeout'];

/** Parses ResourceProperties; throws InvalidPropertiesError naming every problem. */
export function parseLinkProperties(properties: unknown): LinkSpec {
  const { props, problems, text } = reader(properties, LINK_PROPERTIES);
  const roleName = text('RoleName');
  const roleArn = text('RoleArn');
  const userArn = text('SnowflakeIamUserArn');
  const sid = text('StatementSid');
  const currentId = text('CurrentExternalId');

  problems.push(...roleProblems(roleName, roleArn));
  if (!userArn)
    problems.push('SnowflakeIamUserArn is required: API_AWS_IAM_USER_ARN from DESCRIBE INTEGRATION.');
  else pushProblem(problems, userArnProblem(userArn));
  const externalIds = externalIdsOf(props.SnowflakeExternalId, problems);
  if (sid !== undefined) pushProblem(problems, sidProblem(sid));
  if (currentId !== undefined && externalIds.length > 0 && !externalIds.includes(currentId)) {
    problems.push(
      `CurrentExternalId "${currentId}" is not one of SnowflakeExternalId (${externalIds.join(', ')}): give the integration's ExternalId and its TrustedExternalIds, as the templates do.`,
    );
  }

  if (problems.length > 0 || !userArn || externalIds.length === 0) {
    throw new InvalidPropertiesError(summarize(problems));
  }
  return {
    roleName: roleName || roleNameOfArn(roleArn ?? ''),
    ...(roleArn ? { roleArn } : {}),
    userArn,
    externalIds,
    sid: sid ?? DEFAULT_SID,
    ...(currentId === undefined ? {} : { currentId }),
  };
}

/** Parses a Custom::SnowflakeTrustLinkRevocation's ResourceProperties; throws InvalidPropertiesError. */
export function parseRevocationProperties(properties: unknown): RevocationSpec {
  const { problems, text } = reader(properties, REVOCATION_PROPERTIES);
  const roleName = text('RoleName');
  const roleArn = text('RoleArn');
  const sid = text('StatementSid');
  const currentId = text('CurrentExternalId');
  problems.push(...roleProblems(roleName, roleArn));
  if (sid !== undefined) pushProblem(problems, sidProblem(sid));
  if (!currentId) problems.push("CurrentExternalId is required: the link's CurrentExternalId attribute.");
  else
    pushProblem(problems, externalIdProblem(currentId)?.replace('SnowflakeExternalId', 'CurrentExternalId'));
  if (problems.length > 0 || !currentId) throw new InvalidPropertiesError(summarize(problems));
  return {
    roleName: roleName || roleNameOfArn(roleArn ?? ''),
    ...(roleArn ? { roleArn } : {}),
    sid: sid ?? DEFAULT_SID,
    currentId,
  };
}

// The properties as a record, the problems found so far (unknown names), and a reader of string values.
function reader(properties: unknown, known: string[]) {
  const props = isRecord(properties) ? properties : {};
  const problems = [...unknownPropertyProblems(props, known)];
  const text = (name: string): string | undefined => {
    const value = props[name];
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value.trim();
    problems.push(`${name} must be a string, not ${describe(value)}.`);
    return undefined;
  };
  return { props, problems, text };
}

function unknownPropertyProblems(props: Record<string, unknown>, known: string[]): string[] {
  const allowed = [...known, ...CLOUDFORMATION_PROPERTIES];
  return Object.keys(props)
    .filter((name) => !allowed.includes(name))
    .map((name) => {
      const meant = known.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
      const hint = meant ? ` Did you mean ${meant}?` : '';
      return `Unknown property "${name}".${hint} Allowed properties: ${known.join(', ')}.`;
    });
}

function roleProblems(roleName: string | undefined, roleArn: string | undefined): string[] {
  if (!roleName && !roleArn) return ['RoleName or RoleArn is required: the IAM role that Snowflake assumes.'];
  const empty = Object.entries({ RoleName: roleName, RoleArn: roleArn })
    .filter(([, value]) => value === '')
    .map(([name]) => `${name} is empty: leave it out, or give the role's name or ARN.`);
  const problems = [
    ...empty,
    ...[roleName && roleNameProblem(roleName), roleArn && roleArnProblem(roleArn)].filter((p): p is string =>
      Boolean(p),
    ),
  ];
  // IAM role names are unique without regard to case.
  const sameRole = roleNameOfArn(roleArn ?? '').toLowerCase() === roleName?.toLowerCase();
  if (problems.length === 0 && roleName && roleArn && !sameRole) {
    problems.push(`RoleName "${roleName}" and RoleArn "${roleArn}" name different roles. Give one of them.`);
  }
  return problems;
}

function externalIdsOf(value: unknown, problems: string[]): string[] {
  const missing = 'SnowflakeExternalId is required: API_AWS_EXTERNAL_ID from DESCRIBE INTEGRATION.';
  if (value === undefined) return fail(problems, missing);
  const isList = Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (typeof value !== 'string' && !isList) {
    return fail(
      problems,
      `SnowflakeExternalId must be a string or a list of strings, not ${describe(value)}.`,
    );
  }
  const ids = splitExternalIds(value as string | string[]);
  if (ids.length === 0 || (ids.length === 1 && ids[0] === '')) return fail(problems, missing);
  if (ids.includes('')) {
    return fail(
      problems,
      'SnowflakeExternalId has an empty entry: remove the stray comma or the empty list item.',
    );
  }
  const idProblems = ids.map(externalIdProblem).filter((p): p is string => p !== undefined);
  return idProblems.length > 0 ? fail(problems, ...idProblems) : ids;
}

function fail(problems: string[], ...found: string[]): [] {
  problems.push(...found);
  return [];
}

function pushProblem(problems: string[], problem: string | undefined): void {
  if (problem) problems.push(problem);
}

function summarize(problems: string[]): string {
  if (problems.length === 1) return problems[0] ?? '';
  return `${problems.length} problems with the properties: ${problems.map((p, i) => `(${i + 1}) ${p}`).join(' ')}`;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : `a ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
