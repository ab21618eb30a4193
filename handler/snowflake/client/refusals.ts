// Snowflake's refusals turned into errors that say what to do. Pure: status, body and context in, error out.
// https://docs.snowflake.com/en/developer-guide/sql-api/reference (response codes): 408 the statement ran past
//   its timeout and was cancelled; 422 the statement failed ({code, message, sqlState, statementHandle});
//   401/403 the credentials. Codes: 390144 "JWT token is invalid"; 394304 the public key fingerprint matches
//   no key of the user; 002003 "does not exist or not authorized".
// https://docs.snowflake.com/en/user-guide/key-pair-auth-troubleshooting: compare the fingerprint with
//   DESC USER's RSA_PUBLIC_KEY_FP; the account identifier in the JWT is the usual culprit.

import type { AuthDiagnostics } from './credentials';
import {
  AuthenticationError,
  FingerprintMismatchError,
  JwtRejectedError,
  NotAuthorizedError,
  type SnowflakeFailure,
  StatementFailedError,
  StatementTimeoutError,
  UnexpectedResponseError,
} from './errors';

/** What the refusal is about, for its message. */
export interface RefusalContext {
  /** The statement's leading keywords and object, e.g. `CREATE API INTEGRATION "X"`. */
  summary: string;
  auth: AuthDiagnostics;
  /** The role the statement ran under, or undefined for the user's default role. */
  role?: string;
  /** The privilege the caller knows the statement needs; else guessed from the statement. */
  privilege?: string;
}

/** Reads a refusal's body: Snowflake's code, message, SQL state and handle, where present. */
export function failureOf(body: unknown): SnowflakeFailure {
  if (typeof body !== 'object' || body === null) return {};
  const fields = body as Record<string, unknown>;
  const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined);
  const failure: SnowflakeFailure = {};
  for (const name of ['code', 'message', 'sqlState', 'statementHandle'] as const) {
    const value = text(name);
    if (value !== undefined) failure[name] = value;
  }
  return failure;
}

/** The error for an answer that is neither 200 nor 202 nor worth retrying. */
export function explainRefusal(status: number, body: unknown, context: RefusalContext): Error {
  const failure = failureOf(body);
  const said = snowflakeSaid(status, failure);
  if (status === 401 || status === 403) return explainAuthRefusal(failure, said, context.auth);
  if (status === 408) {
    return new StatementTimeoutError(
      `${context.summary} ran past its timeout and Snowflake cancelled it (${said}). Raise the timeout (the ` +
        "function's SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS, 120 s by default), or check the warehouse: a " +
        'suspended or busy warehouse delays statements.',
    );
  }
  if (status === 422 && failure.code === '002003') {
    return new NotAuthorizedError(
      `${context.summary} failed: the object does not exist, or ${roleText(context.role)} may not see it ` +
        `(${said}). Check the name, and grant the role ${context.privilege ?? privilegeFor(context.summary)}.`,
      failure,
    );
  }
  if (status === 422) return new StatementFailedError(`${context.summary} failed (${said}).`, failure);
  return new UnexpectedResponseError(
    `Snowflake answered ${context.summary} with HTTP ${status} (${said}). ${unexpectedAdvice(status)}`,
    status,
  );
}

function explainAuthRefusal(failure: SnowflakeFailure, said: string, auth: AuthDiagnostics): Error {
  if (failure.code === '390144' && auth.mode === 'KEY_PAIR') {
    return new JwtRejectedError(
      `Snowflake refused the key-pair JWT (${said}). It was sent with iss "${auth.issuer}" (fingerprint ` +
        `${auth.fingerprint}, computed from the secret's private key). Run DESC USER ${auth.user} and compare ` +
        'RSA_PUBLIC_KEY_FP (or RSA_PUBLIC_KEY_2_FP) with that fingerprint. If they match, the account ' +
        `identifier is the usual cause: "${auth.account}" must be the organization-account name ` +
        "(SELECT CURRENT_ORGANIZATION_NAME() || '-' || CURRENT_ACCOUNT_NAME()) or the account locator " +
        'without its region (SELECT CURRENT_ACCOUNT()); fix "account" in the secret.',
      auth.issuer,
      auth.fingerprint,
    );
  }
  if (failure.code === '394304' && auth.mode === 'KEY_PAIR') {
    return new FingerprintMismatchError(
      `Snowflake has no public key for user ${auth.user} matching the secret's private key (${said}): the ` +
        `JWT carried fingerprint ${auth.fingerprint}, and DESC USER ${auth.user} shows the registered ones ` +
        '(RSA_PUBLIC_KEY_FP, RSA_PUBLIC_KEY_2_FP). Register the public key of this private key with ' +
        `ALTER USER ${auth.user} SET RSA_PUBLIC_KEY = '…' (openssl rsa -in rsa_key.p8 -pubout), or put the ` +
        'matching private key in the secret.',
      auth.fingerprint,
    );
  }
  return new AuthenticationError(
    `Snowflake refused the credentials (${said}). ${authAdvice(auth)}`,
    failure.code,
  );
}

function authAdvice(auth: AuthDiagnostics): string {
  switch (auth.mode) {
    case 'KEY_PAIR':
      return (
        `The JWT was sent with iss "${auth.issuer}": check with DESC USER ${auth.user} that the user exists, ` +
        'is not disabled, may use key-pair authentication, and that the account identifier is right.'
      );
    case 'PROGRAMMATIC_ACCESS_TOKEN':
      return (
        `The token of user ${auth.user} may have expired or been revoked, or the call came from outside the ` +
        "user's network policy: generate a new one (ALTER USER … ADD PROGRAMMATIC ACCESS TOKEN) and update " +
        'the secret, and check the network policy.'
      );
    case 'WORKLOAD_IDENTITY':
      return (
        `Check with DESC USER ${auth.user} that its WORKLOAD_IDENTITY is TYPE = AWS with ARN = this ` +
        "function's role ARN and ISSUER = the AWS account's outbound identity issuer URL, and that " +
        `"${auth.account}" is the account's identifier.`
      );
  }
}

/** The privilege a statement usually needs, from its leading keywords. */
export function privilegeFor(summary: string): string {
  const text = summary.toUpperCase();
  if (/^CREATE\b.*\bINTEGRATION\b/.test(text)) return 'CREATE INTEGRATION ON ACCOUNT';
  if (/^(ALTER|DROP)\b.*\bINTEGRATION\b/.test(text)) return 'OWNERSHIP of the integration';
  if (/^(DESC|DESCRIBE)\b.*\bINTEGRATION\b/.test(text)) return 'USAGE (or OWNERSHIP) of the integration';
  if (/^CREATE\b.*\bEXTERNAL FUNCTION\b/.test(text)) {
    return 'USAGE on the database, USAGE and CREATE FUNCTION on the schema, and USAGE on the API integration';
  }
  if (/^DROP FUNCTION\b/.test(text)) return 'OWNERSHIP of the function';
  if (/^SELECT\b/.test(text)) {
    return 'USAGE on the function, its database and schema, and on the warehouse the statement runs in';
  }
  return 'the privilege this statement needs';
}

function roleText(role: string | undefined): string {
  return role ? `role ${role}` : "the user's default role";
}

function snowflakeSaid(status: number, failure: SnowflakeFailure): string {
  const parts = [failure.code, failure.message].filter(Boolean).join(' ');
  const state = failure.sqlState ? `, SQL state ${failure.sqlState}` : '';
  return `${parts || `HTTP ${status}`}${state}`;
}

function unexpectedAdvice(status: number): string {
  if (status === 404) return 'Check "account" and "host": the SQL API is not at that address.';
  if (status === 400) return 'The request was refused as malformed: report this with the error code.';
  return 'Retry the stack operation; if it persists, check https://status.snowflake.com.';
}
