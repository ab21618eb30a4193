// Snowflake's refusals turned into errors that say what to do. Pure: status, body and context in, error out.
// https://docs.snowflake.com/en/developer-guide/sql-api/reference (response codes): 408 the statement ran past
//   its timeout and was cancelled; 422 the statement failed ({code, message, sqlState, statementHandle});
//   401/403 the credentials. 002003 "does not exist or not authorized"; 003001 "SQL access control error:
//   Insufficient privileges to operate on <kind> '<name>'".
// https://docs.snowflake.com/en/user-guide/key-pair-auth-troubleshooting: a client sees only "JWT token is
//   invalid. [<uuid>]" (390144); "Each JWT token is invalid error includes a UUID that appears in brackets
//   immediately after the error"; the cause (e.g. JWT_TOKEN_INVALID_PUBLIC_KEY_FINGERPRINT_MISMATCH) is read
//   by an administrator with SELECT JSON_EXTRACT_PATH_TEXT(SYSTEM$GET_LOGIN_FAILURE_DETAILS('<uuid>'),
//   'errorCode') (https://docs.snowflake.com/en/sql-reference/functions/system_get_login_failure_details:
//   "Only administrators with the MONITOR privilege"). No other sign-in code reaches a client, so none is read.
// Privileges each statement needs: "Access control requirements" of
//   https://docs.snowflake.com/en/sql-reference/sql/create-api-integration (CREATE INTEGRATION on the account),
//   .../create-storage-integration, .../create-external-function, .../create-stage, .../alter-api-integration,
//   .../drop-integration, .../desc-integration, .../drop-function, .../drop-stage, and
//   https://docs.snowflake.com/en/sql-reference/external-functions-security ("the author of the external
//   function must be granted USAGE privilege on the API integration").

import type { AuthDiagnostics } from './credentials';
import {
  AuthenticationError,
  InsufficientPrivilegesError,
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
  if (status === 422 && failure.code === '003001') {
    return new InsufficientPrivilegesError(
      `${context.summary} was refused: ${roleText(context.role)} lacks a privilege (${said}). Grant the role ` +
        `${context.privilege ?? privilegeFor(context.summary)}, then retry the stack operation.`,
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
        `${auth.fingerprint}, computed from the secret's private key). ${loginFailureDetails(failure)} ` +
        `Then run DESC USER ${auth.user} and compare RSA_PUBLIC_KEY_FP (or RSA_PUBLIC_KEY_2_FP) with that ` +
        'fingerprint; if it differs, register this key with ALTER USER … SET RSA_PUBLIC_KEY. If they match, ' +
        `the account identifier is the usual cause: "${auth.account}" must be the organization-account name ` +
        "(SELECT CURRENT_ORGANIZATION_NAME() || '-' || CURRENT_ACCOUNT_NAME()) or the account locator " +
        'without its region (SELECT CURRENT_ACCOUNT()); fix "account" in the secret.',
      auth.issuer,
      auth.fingerprint,
    );
  }
  return new AuthenticationError(
    `Snowflake refused the credentials (${said}). ${authAdvice(auth)}`,
    failure.code,
  );
}

/** How an administrator reads the cause Snowflake keeps from the client, with the id its message carries. */
export function loginFailureDetails(failure: SnowflakeFailure): string {
  const id = /\[([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\]/i.exec(
    failure.message ?? '',
  )?.[1];
  const call = `SELECT JSON_EXTRACT_PATH_TEXT(SYSTEM$GET_LOGIN_FAILURE_DETAILS('${id ?? '<the id in brackets>'}'), 'errorCode')`;
  return `Snowflake tells the cause only to an administrator: as a role with MONITOR on the account (e.g. ACCOUNTADMIN) run ${call}.`;
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
        `The token of user ${auth.user} may have expired or been revoked, or the call came from an address ` +
        "outside the user's network policy (a service user's token works only under one): generate a new one " +
        '(ALTER USER … ADD PROGRAMMATIC ACCESS TOKEN) and update the secret, and check the network policy ' +
        '(docs/snowflake-setup.md).'
      );
  }
}

/** The privileges a statement needs, from its leading keywords: every statement the resources send. */
export function privilegeFor(summary: string): string {
  const text = summary.toUpperCase();
  const inSchema = 'USAGE on its database and schema';
  if (/^CREATE OR REPLACE\b.*\bINTEGRATION\b/.test(text)) {
    return 'CREATE INTEGRATION ON ACCOUNT, and OWNERSHIP of the integration it replaces';
  }
  if (/^CREATE\b.*\bINTEGRATION\b/.test(text)) return 'CREATE INTEGRATION ON ACCOUNT';
  if (/^(ALTER|DROP)\b.*\bINTEGRATION\b/.test(text)) return 'OWNERSHIP of the integration';
  if (/^(DESC|DESCRIBE)\b.*\bINTEGRATION\b/.test(text)) return 'USAGE (or OWNERSHIP) of the integration';
  if (/^CREATE\b.*\bEXTERNAL FUNCTION\b/.test(text)) {
    return 'USAGE on the database, USAGE and CREATE FUNCTION on the schema, and USAGE on the API integration';
  }
  if (/^CREATE\b.*\bSTAGE\b/.test(text)) {
    return 'USAGE on the database, USAGE and CREATE STAGE on the schema, and USAGE on the storage integration';
  }
  if (/^DROP FUNCTION\b/.test(text)) return `OWNERSHIP of the function, and ${inSchema}`;
  if (/^DROP STAGE\b/.test(text)) return `OWNERSHIP of the stage, and ${inSchema}`;
  if (/^SELECT SYSTEM\$VALIDATE_STORAGE_INTEGRATION\b/.test(text)) return 'USAGE on the storage integration';
  if (/^SELECT\b/.test(text)) {
    return 'USAGE on the function, its database and schema, and on the warehouse the statement runs in';
  }
  return 'the privilege this statement needs (see its page under https://docs.snowflake.com/en/sql-reference/sql)';
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
