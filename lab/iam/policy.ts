// IAM's checks on a role's trust policy (AssumeRolePolicyDocument), as pure functions: what IAM
// refuses, with IAM's own codes and messages, and the form in which IAM stores what it accepts.
import { isLosslessNumber, parse, stringify } from 'lossless-json';
import { IamError, malformedPolicy } from './errors';

/** IAM's default quota on a trust policy, in characters not counting whitespace. */
export const DEFAULT_TRUST_POLICY_QUOTA = 2048;

const VERSIONS = ['2012-10-17', '2008-10-17'];
const ACCOUNT_ID = /^[0-9]{12}$/;
const IAM_PRINCIPAL_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::([0-9]{12}):(?:root|user\/.+|role\/.+)$/;
const SID = /^[0-9A-Za-z]*$/;
const TRUST_ACTION = /^(?:sts:[A-Za-z*]+|\*)$/;

/** What the checks need to know about the world: which principals exist. */
export interface PrincipalDirectory {
  /** Whether an IAM principal ARN (account root, user or role) names something that exists. */
  isKnown(arn: string): boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Checks a trust policy as UpdateAssumeRolePolicy and CreateRole do and returns the document as
 * the stand-in stores it: compact JSON, a bare account id principal turned into its root ARN.
 * Throws the IamError that IAM would answer with.
 */
export function acceptTrustPolicy(
  text: string,
  principals: PrincipalDirectory,
  quota = DEFAULT_TRUST_POLICY_QUOTA,
): string {
  if (text.replace(/\s/g, '').length > quota) {
    throw new IamError('LimitExceeded', 409, `Cannot exceed quota for ACLSizePerRole: ${quota}`);
  }
  const policy = parsePolicy(text);
  checkVersion(policy);
  const statements = statementsOf(policy);
  checkSids(statements);
  const stored = statements.map((statement) => acceptStatement(statement, principals));
  // IAM keeps the document's text: a number comes back as it was written, however many digits it has.
  return stringify({ ...policy, Statement: Array.isArray(policy.Statement) ? stored : stored[0] }) ?? '';
}

function parsePolicy(text: string): JsonObject {
  let parsed: Json;
  try {
    parsed = parse(text) as Json;
  } catch {
    throw malformedPolicy('This policy contains invalid Json');
  }
  if (!isObject(parsed)) throw malformedPolicy('This policy contains invalid Json');
  return parsed;
}

function checkVersion(policy: JsonObject): void {
  const version = policy.Version;
  if (version === undefined) return; // IAM reads a policy without Version as 2008-10-17
  if (typeof version !== 'string' || !VERSIONS.includes(version)) {
    throw malformedPolicy('The policy failed legacy parsing');
  }
}

function statementsOf(policy: JsonObject): JsonObject[] {
  const statement = policy.Statement;
  if (statement === undefined) throw malformedPolicy('Missing required field Statement');
  const list = Array.isArray(statement) ? statement : [statement];
  if (list.length === 0 || !list.every(isObject)) throw malformedPolicy('Syntax errors in policy.');
  return list as JsonObject[];
}

function checkSids(statements: JsonObject[]): void {
  const seen = new Set<string>();
  for (const { Sid: sid } of statements) {
    if (sid === undefined) continue;
    if (typeof sid !== 'string' || !SID.test(sid)) {
      throw malformedPolicy(
        'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
      );
    }
    if (seen.has(sid)) throw malformedPolicy('Statement IDs (SID) in a single policy must be unique.');
    seen.add(sid);
  }
}

function acceptStatement(statement: JsonObject, principals: PrincipalDirectory): JsonObject {
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    throw malformedPolicy('Syntax errors in policy.');
  }
  if (statement.Resource !== undefined || statement.NotResource !== undefined) {
    throw malformedPolicy('Has prohibited field Resource');
  }
  checkActions(statement.Action ?? statement.NotAction);
  checkCondition(statement.Condition);
  const key = statement.Principal !== undefined ? 'Principal' : 'NotPrincipal';
  const principal = statement[key];
  if (principal === undefined) throw malformedPolicy('Missing required field Principal');
  return { ...statement, [key]: acceptPrincipal(principal, principals) };
}

function checkActions(actions: Json | undefined): void {
  if (actions === undefined) throw malformedPolicy('Missing required field Action');
  const list = Array.isArray(actions) ? actions : [actions];
  if (list.length === 0 || !list.every((a) => typeof a === 'string' && TRUST_ACTION.test(a))) {
    throw malformedPolicy('AssumeRole policy may only specify STS AssumeRole actions.');
  }
}

function checkCondition(condition: Json | undefined): void {
  if (condition === undefined) return;
  const wellFormed =
    isObject(condition) &&
    Object.values(condition).every(
      (block) => isObject(block) && Object.values(block).every((value) => isScalarOrScalarList(value)),
    );
  if (!wellFormed) throw malformedPolicy('Syntax errors in policy.');
}

function acceptPrincipal(principal: Json, principals: PrincipalDirectory): Json {
  if (principal === '*') return principal;
  if (!isObject(principal) || Object.keys(principal).length === 0) {
    throw malformedPolicy('Syntax errors in policy.');
  }
  const aws = principal.AWS;
  if (aws === undefined) return principal;
  const stored = (Array.isArray(aws) ? aws : [aws]).map((value) => acceptAwsPrincipal(value, principals));
  return { ...principal, AWS: Array.isArray(aws) ? stored : (stored[0] as string) };
}

function acceptAwsPrincipal(value: Json, principals: PrincipalDirectory): string {
  if (value === '*') return value;
  const invalid = malformedPolicy(`Invalid principal in policy: "AWS":${JSON.stringify(value)}`);
  if (typeof value !== 'string') throw invalid;
  const arn = ACCOUNT_ID.test(value) ? `arn:aws:iam::${value}:root` : value;
  if (!IAM_PRINCIPAL_ARN.test(arn) || !principals.isKnown(arn)) throw invalid;
  return arn;
}

function isScalarOrScalarList(value: Json): boolean {
  const list = Array.isArray(value) ? value : [value];
  return list.every((v) => typeof v === 'string' || typeof v === 'boolean' || isLosslessNumber(v));
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
