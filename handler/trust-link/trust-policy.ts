// The trust-policy edit as pure functions over plain objects: find the statement the link owns,
// take over the placeholder or a hand-made link, append, remove, compare. No I/O here.

import { isLosslessNumber, parse, stringify } from 'lossless-json';

export type Statement = Record<string, unknown>;

export interface TrustPolicy {
  Version?: unknown;
  Statement: Statement[];
  [key: string]: unknown;
}

/** What a link puts into the trust policy. */
export interface LinkTerms {
  sid: string;
  userArn: string;
  externalIds: readonly string[];
}

const ASSUME_ROLE = 'sts:AssumeRole';

/**
 * Parses a trust policy as IAM returns it (after URL-decoding). A single statement object becomes a list.
 * Numbers stay as written (lossless-json): another statement's 98765432109876543210 or 1.0 must come back as is.
 */
export function parseTrustPolicy(json: string): TrustPolicy {
  const parsed: unknown = parse(json);
  if (!isObject(parsed)) throw new SyntaxError('a trust policy is a JSON object');
  const statement = parsed.Statement ?? [];
  const statements = Array.isArray(statement) ? statement : [statement];
  if (!statements.every(isObject))
    throw new SyntaxError('every statement of a trust policy is a JSON object');
  return { ...parsed, Statement: statements };
}

/** The policy as IAM takes it: compact JSON, numbers as they were written. */
export function serializeTrustPolicy(policy: TrustPolicy): string {
  return stringify(policy) ?? '';
}

/** The statement a link owns: Snowflake's IAM user may assume the role with one of the external ids. */
export function ownedStatement(terms: LinkTerms): Statement {
  const [onlyId] = terms.externalIds;
  const externalId = terms.externalIds.length === 1 ? onlyId : [...terms.externalIds];
  return {
    Sid: terms.sid,
    Effect: 'Allow',
    Principal: { AWS: terms.userArn },
    Action: ASSUME_ROLE,
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
  };
}

/** The statement a role starts with before it is linked: its own account may assume it. */
export function placeholderStatement(accountRoot: string): Statement {
  return { Effect: 'Allow', Principal: { AWS: accountRoot }, Action: ASSUME_ROLE };
}

/** The account-root principal of the account that owns a role ARN. */
export function accountRootOf(roleArn: string): string {
  const [, partition = 'aws', , , account = ''] = roleArn.split(':');
  return `arn:${partition}:iam::${account}:root`;
}

/**
 * The policy with the link's statement in force. It replaces the statement that has the link's Sid;
 * failing that, a Sid-less statement that trusts the same Snowflake user with only this link's external
 * ids (a link made by hand); failing that, the placeholder; failing all, it appends. Every other statement
 * stays, in order.
 */
export function linkTrust(policy: TrustPolicy, terms: LinkTerms, accountRoot: string): TrustPolicy {
  const statements = policy.Statement;
  const takeover = [
    statements.findIndex((s) => s.Sid === terms.sid),
    statements.findIndex((s) => isHandMadeLink(s, terms)),
    statements.findIndex((s) => isPlaceholder(s, accountRoot)),
  ].find((index) => index >= 0);
  const owned = ownedStatement(terms);
  const next =
    takeover === undefined
      ? [...statements, owned]
      : statements.map((s, index) => (index === takeover ? owned : s));
  return { ...policy, Statement: next };
}

/** The policy without the link's statement; where nothing would remain, the placeholder, since IAM refuses an empty policy. */
export function unlinkTrust(policy: TrustPolicy, sid: string, accountRoot: string): TrustPolicy {
  const rest = policy.Statement.filter((s) => s.Sid !== sid);
  if (rest.length === policy.Statement.length) return policy;
  return { ...policy, Statement: rest.length > 0 ? rest : [placeholderStatement(accountRoot)] };
}

/** The statement with the link's Sid, if any. */
export function findOwnedStatement(policy: TrustPolicy, sid: string): Statement | undefined {
  return policy.Statement.find((s) => s.Sid === sid);
}

/**
 * The statement that holds the link's Sid but is neither a placeholder nor what this link writes: another
 * link's, or someone's own. A new link must not take it over.
 */
export function foreignSidStatement(
  policy: TrustPolicy,
  terms: LinkTerms,
  accountRoot: string,
): Statement | undefined {
  const holder = findOwnedStatement(policy, terms.sid);
  if (!holder || isRootTrust(holder, accountRoot) || sameStatement(holder, ownedStatement(terms)))
    return undefined;
  return holder;
}

/** The AWS principals a statement trusts, as a list. */
export function principalsOf(statement: Statement): string[] {
  const principal = statement.Principal;
  if (!isObject(principal)) return [];
  const keys = Object.keys(principal);
  // Only an AWS principal counts: a statement that also trusts a service or a federated identity is not ours to take.
  if (keys.length !== 1 || keys[0] !== 'AWS') return [];
  return valuesOf(principal.AWS);
}

/** Whether two policies say the same: key order, a one-item list against its item, and the order of values within a list do not count. */
export function samePolicy(a: TrustPolicy, b: TrustPolicy): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON that says the same for values that mean the same: sorted keys, list values sorted, a one-item list as its item. */
export function canonicalJson(value: unknown): string {
  return stringify(canonical(value)) ?? '';
}

/** The external ids a statement's condition allows, as a list. */
export function externalIdsOf(statement: Statement): string[] {
  const condition = isObject(statement.Condition) ? statement.Condition : {};
  const equals = isObject(condition.StringEquals) ? condition.StringEquals : {};
  return valuesOf(equals['sts:ExternalId']);
}

function isPlaceholder(statement: Statement, accountRoot: string): boolean {
  return isSidless(statement) && isRootTrust(statement, accountRoot);
}

// Allow sts:AssumeRole to the account's root, without a condition, whatever the Sid.
function isRootTrust(statement: Statement, accountRoot: string): boolean {
  const account = accountRoot.split(':')[4];
  const principals = principalsOf(statement);
  return (
    isAllowAssumeRole(statement) &&
    !hasCondition(statement) &&
    principals.length === 1 &&
    (principals[0] === accountRoot || principals[0] === account)
  );
}

// Snowflake has one IAM user per account: a statement for the same user with an id this link does not
// trust belongs to another integration (or to no external id at all), and taking it over would cut that off.
function isHandMadeLink(statement: Statement, terms: LinkTerms): boolean {
  const principals = principalsOf(statement);
  const ids = externalIdsOf(statement);
  return (
    isSidless(statement) &&
    isAllowAssumeRole(statement) &&
    principals.length === 1 &&
    principals[0] === terms.userArn &&
    hasOnlyExternalIdCondition(statement) &&
    ids.length > 0 &&
    ids.every((id) => terms.externalIds.includes(id))
  );
}

// A condition beyond the external id is someone's deliberate design: such a statement is not a plain link.
function hasOnlyExternalIdCondition(statement: Statement): boolean {
  if (!hasCondition(statement)) return true;
  const condition = statement.Condition as Record<string, unknown>;
  const equals = condition.StringEquals;
  return (
    Object.keys(condition).length === 1 &&
    isObject(equals) &&
    Object.keys(equals).length === 1 &&
    'sts:ExternalId' in equals
  );
}

function isSidless(statement: Statement): boolean {
  return statement.Sid === undefined || statement.Sid === '';
}

function isAllowAssumeRole(statement: Statement): boolean {
  const actions = valuesOf(statement.Action);
  return statement.Effect === 'Allow' && actions.length === 1 && actions[0] === ASSUME_ROLE;
}

function hasCondition(statement: Statement): boolean {
  return isObject(statement.Condition)
    ? Object.keys(statement.Condition).length > 0
    : statement.Condition !== undefined;
}

function valuesOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Whether two statements say the same, as samePolicy compares. */
export function sameStatement(a: Statement, b: Statement): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    if (!items.every((item): item is string => typeof item === 'string')) return items;
    const unique = [...new Set(items)].sort();
    return unique.length === 1 ? unique[0] : unique;
  }
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical(value[key])]),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value);
}
