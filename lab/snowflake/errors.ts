// The refusals the Snowflake stand-in answers with: Snowflake's HTTP statuses, codes, SQL states and
// message texts. Statuses: https://docs.snowflake.com/en/developer-guide/sql-api/reference (response codes) and
// .../handling-responses. Codes and texts cite their page one by one; those no page gives are marked
// "assumed" and listed in lab/README.md ("Assumptions"): the handler never branches on them alone.

/** One Snowflake error as the SQL API sends it: `{ code, message, sqlState, statementHandle }`. */
export class SnowflakeError extends Error {
  override readonly name = 'SnowflakeError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly sqlState?: string,
  ) {
    super(message);
  }
}

/** The text Snowflake gives when STS refuses its IAM user the integration's role. */
export const ASSUME_ROLE_ERROR =
  'Error assuming AWS_ROLE. Please verify the role and externalId are configured correctly in your AWS policy.';

/**
 * 401 390144 "JWT token is invalid. [<uuid>]": every key-pair refusal, whatever the cause; the id is what
 * SYSTEM$GET_LOGIN_FAILURE_DETAILS takes (https://docs.snowflake.com/en/user-guide/key-pair-auth-troubleshooting).
 */
export function jwtInvalid(id?: string): SnowflakeError {
  return new SnowflakeError(401, '390144', `JWT token is invalid.${id ? ` [${id}]` : ''}`);
}

/** 401 390101 (code assumed): no `Authorization: Bearer <token>`, or a token type the page does not list. */
export function missingAuthorization(): SnowflakeError {
  return new SnowflakeError(401, '390101', 'Authorization header not found in the request data.');
}

/** 401 394400: a programmatic access token that is unknown, expired or revoked (code assumed by the lab). */
export function tokenInvalid(): SnowflakeError {
  return new SnowflakeError(401, '394400', 'Programmatic access token is invalid.');
}

/** 400 390142 (code assumed; 400 from the reference page): a body that is not the JSON the SQL API expects. */
export function invalidPayload(): SnowflakeError {
  return new SnowflakeError(400, '390142', 'Incoming request does not contain a valid payload.');
}

/** 400 391903 (code assumed): a request without a User-Agent, which the reference's headers require. */
export function missingUserAgent(): SnowflakeError {
  return new SnowflakeError(400, '391903', 'User-Agent header is required.');
}

/** 415 (code assumed): a body sent as other than application/json (the reference's 415). */
export function unsupportedMediaType(type: string): SnowflakeError {
  return new SnowflakeError(415, '390141', `Unsupported media type: ${type}. Use application/json.`);
}

/** 429 390505 (code assumed; 429 from the reference page): the account's request rate is exceeded. */
export function tooManyRequests(): SnowflakeError {
  return new SnowflakeError(429, '390505', 'Too many requests.');
}

/** 408 000630: the statement ran past its timeout and was cancelled. */
export function statementTimeout(seconds: number): SnowflakeError {
  return new SnowflakeError(
    408,
    '000630',
    `Statement reached its statement or warehouse timeout of ${seconds} second(s) and was canceled.`,
    '57014',
  );
}

/** 422 000604: the statement was cancelled by its caller. */
export function statementCanceled(): SnowflakeError {
  return new SnowflakeError(422, '000604', 'SQL execution canceled', '57014');
}

/** 422 001003: a statement the parser does not know, at the token where it stopped. */
export function syntaxError(position: number, unexpected: string): SnowflakeError {
  return new SnowflakeError(
    422,
    '001003',
    `SQL compilation error:\nsyntax error line 1 at position ${position} unexpected '${unexpected}'.`,
    '42000',
  );
}

/** 422 000008: several statements sent without MULTI_STATEMENT_COUNT. */
export function statementCount(actual: number): SnowflakeError {
  return new SnowflakeError(
    422,
    '000008',
    `Actual statement count ${actual} did not match the desired statement count 1.`,
    '0A000',
  );
}

/** 422 002003: an object that does not exist, or that the current role may not see. */
export function doesNotExist(kind: string, name: string): SnowflakeError {
  return new SnowflakeError(
    422,
    '002003',
    `SQL compilation error:\n${kind} '${name}' does not exist or not authorized.`,
    '02000',
  );
}

/**
 * 422 002002 "Object '<NAME>' already exists." (42710): CREATE without OR REPLACE or IF NOT EXISTS of an object
 * that exists; the code and text as https://docs.snowflake.com/en/sql-reference/sql/alter-table prints them.
 */
export function alreadyExists(name: string): SnowflakeError {
  return new SnowflakeError(
    422,
    '002002',
    `SQL compilation error:\nObject '${name}' already exists.`,
    '42710',
  );
}

/** 422 003001: the role lacks an account-level privilege such as CREATE INTEGRATION. */
export function insufficientPrivileges(account: string): SnowflakeError {
  return new SnowflakeError(
    422,
    '003001',
    `SQL access control error:\nInsufficient privileges to operate on account '${account}'`,
    '42501',
  );
}

/** 422 003001: the role may not replace an object another role owns (the text names its kind and name). */
export function insufficientPrivilegesOn(kind: string, name: string): SnowflakeError {
  return new SnowflakeError(
    422,
    '003001',
    `SQL access control error:\nInsufficient privileges to operate on ${kind} '${name}'`,
    '42501',
  );
}

/** 422 002140: a function name that resolves to nothing. */
export function unknownFunction(name: string): SnowflakeError {
  return new SnowflakeError(422, '002140', `SQL compilation error:\nUnknown function ${name}`, '42601');
}

/** 422 000606: a query that needs a warehouse when the session has none. */
export function noWarehouse(): SnowflakeError {
  return new SnowflakeError(
    422,
    '000606',
    "No active warehouse selected in the current session.  Select an active warehouse with the 'use warehouse' command.\n",
    '57P03',
  );
}

/** 422 390189: a `role` in the request that is not granted to the user. */
export function roleNotGranted(role: string): SnowflakeError {
  return new SnowflakeError(
    422,
    '390189',
    `Role '${role}' specified in the connect string is not granted to this user. Contact your local system administrator, or attempt to login with another role, e.g. PUBLIC.`,
    '08004',
  );
}

/** 422 100351: an external function's call failed: role not assumed, or the remote service refused. */
export function externalFunctionFailed(message: string): SnowflakeError {
  return new SnowflakeError(422, '100351', message, 'P0000');
}

/** 422 000709: a statement handle that the account does not know. */
export function unknownHandle(handle: string): SnowflakeError {
  return new SnowflakeError(422, '000709', `Statement ${handle} not found`, '02000');
}

/** 422 090105/090106: an unqualified name when the request names no database or schema. */
export function noCurrent(kind: 'database' | 'schema', operation: string): SnowflakeError {
  const [code, command] = kind === 'database' ? ['090105', 'USE DATABASE'] : ['090106', 'USE SCHEMA'];
  return new SnowflakeError(
    422,
    code,
    `Cannot perform ${operation}. This session does not have a current ${kind}. Call '${command}', or use a qualified name.`,
    '22000',
  );
}
