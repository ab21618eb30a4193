// IAM keeps the principals of a policy by their unique ids (AIDA... for users, AROA... for roles) and
// shows them as ARNs only while they exist: a deleted user reads back as its bare id, and a user
// re-created under the same name is another principal. These helpers turn a policy's AWS principals
// one way or the other.
import { randomBytes } from 'node:crypto';
import { parse, stringify } from 'lossless-json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A new unique id of the kind IAM gives a user (AIDA...) or a role (AROA...). */
export function uniqueId(kind: 'user' | 'role'): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const tail = [...randomBytes(17)].map((b) => alphabet[b % alphabet.length]).join('');
  return `${kind === 'role' ? 'AROA' : 'AIDA'}${tail}`;
}

/** The policy text with each AWS principal (in Principal and NotPrincipal) passed through `map`. */
export function mapAwsPrincipals(text: string, map: (principal: string) => string): string {
  const policy = parse(text) as { [key: string]: Json };
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement ?? null];
  const mapped = statements.map((statement) => mapStatement(statement, map));
  return (
    stringify({
      ...policy,
      Statement: Array.isArray(policy.Statement) ? mapped : (mapped[0] ?? null),
    }) ?? ''
  );
}

function mapStatement(statement: Json, map: (principal: string) => string): Json {
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) return statement;
  const result = { ...statement };
  for (const key of ['Principal', 'NotPrincipal']) {
    const principal = result[key];
    if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) continue;
    const aws = principal.AWS;
    if (aws === undefined) continue;
    const each = (value: Json) => (typeof value === 'string' ? map(value) : value);
    result[key] = { ...principal, AWS: Array.isArray(aws) ? aws.map(each) : each(aws) };
  }
  return result;
}
