// Whether a principal may assume a role, as STS decides AssumeRole from the role's trust policy: the
// evaluation Snowflake's IAM user meets when it calls an external function or validates a storage
// integration. IAM is eventually consistent, so a trust policy counts only once it has been in force
// for the propagation delay ("Error assuming AWS_ROLE" right after the trust is written).
import type { IamStandIn } from './server';

/** Who asks to assume which role, with which external id. */
export interface AssumeRoleRequest {
  /** The caller, e.g. Snowflake's IAM user `arn:aws:iam::123456789001:user/abc1-b-self1234`. */
  principalArn: string;
  roleArn: string;
  /** The `sts:ExternalId` the caller sends, if any. */
  externalId?: string;
}

/** How the decision is taken. */
export interface AssumeRoleOptions {
  /** How long a trust policy must have been in force before it counts, in ms; default 0. */
  propagationMs?: number;
  /** The time of the decision, in ms since the epoch; default now. */
  now?: number;
}

/** STS's answer: allowed, or refused with why (for the lab's logs; STS itself says only AccessDenied). */
export type AssumeRoleDecision = { allowed: true } | { allowed: false; reason: string };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Statement = { [key: string]: Json };

const ROLE_ARN = /^arn:aws:iam::([0-9]{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/;
const ASSUME_ACTIONS = new Set(['sts:assumerole', 'sts:*', '*']);

/** Decides an AssumeRole call against the IAM stand-in's roles, as their trust stood `propagationMs` ago. */
export function mayAssumeRole(
  iam: IamStandIn,
  request: AssumeRoleRequest,
  { propagationMs = 0, now = Date.now() }: AssumeRoleOptions = {},
): AssumeRoleDecision {
  const match = ROLE_ARN.exec(request.roleArn);
  const roleName = match?.[2];
  if (match?.[1] !== iam.accountId || roleName === undefined || iam.role(roleName)?.arn !== request.roleArn) {
    return { allowed: false, reason: `no role ${request.roleArn}` };
  }
  const policy = iam.trustPolicyAt(roleName, now - propagationMs);
  if (policy === undefined) return { allowed: false, reason: 'the role has not propagated yet' };
  return trustAllows(policy, request);
}

/** Whether a trust policy (JSON text) lets the request's principal assume the role: an Allow matches and no Deny does. */
export function trustAllows(policyText: string, request: AssumeRoleRequest): AssumeRoleDecision {
  const policy = JSON.parse(policyText) as { Statement?: Json };
  const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement ?? null]).filter(
    (s): s is Statement => typeof s === 'object' && s !== null && !Array.isArray(s),
  );
  const matching = statements.filter((statement) => applies(statement, request));
  if (matching.some((statement) => statement.Effect === 'Deny')) {
    return { allowed: false, reason: 'a Deny statement matches' };
  }
  if (matching.some((statement) => statement.Effect === 'Allow')) return { allowed: true };
  return { allowed: false, reason: 'no statement allows this principal with this external id' };
}

function applies(statement: Statement, request: AssumeRoleRequest): boolean {
  return (
    namesAssumeRole(statement.Action) &&
    namesPrincipal(statement.Principal, request.principalArn) &&
    conditionHolds(statement.Condition, request)
  );
}

function namesAssumeRole(action: Json | undefined): boolean {
  const actions = Array.isArray(action) ? action : [action ?? null];
  return actions.some((a) => typeof a === 'string' && ASSUME_ACTIONS.has(a.toLowerCase()));
}

// The principal itself, its account's root, or everyone.
function namesPrincipal(principal: Json | undefined, principalArn: string): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) return false;
  const aws = principal.AWS;
  const named = Array.isArray(aws) ? aws : [aws ?? null];
  const root = `arn:aws:iam::${principalArn.split(':')[4]}:root`;
  return named.some((p) => p === '*' || p === principalArn || p === root);
}

// Only the operators a trust for Snowflake uses; any other makes the statement not apply (a refusal, never a grant).
function conditionHolds(condition: Json | undefined, request: AssumeRoleRequest): boolean {
  if (condition === undefined) return true;
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) return false;
  return Object.entries(condition).every(([operator, block]) => blockHolds(operator, block, request));
}

function blockHolds(operator: string, block: Json, request: AssumeRoleRequest): boolean {
  if (typeof block !== 'object' || block === null || Array.isArray(block)) return false;
  const test = OPERATORS[operator];
  if (test === undefined) return false;
  return Object.entries(block).every(([key, expected]) => {
    if (key.toLowerCase() !== 'sts:externalid' || request.externalId === undefined) return false;
    const values = Array.isArray(expected) ? expected : [expected];
    return values.some((value) => typeof value === 'string' && test(request.externalId ?? '', value));
  });
}

const OPERATORS: Record<string, ((actual: string, expected: string) => boolean) | undefined> = {
  StringEquals: (actual, expected) => actual === expected,
  StringLike: (actual, expected) => wildcard(expected).test(actual),
};

function wildcard(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}
