// Who is calling, as Snowflake decides it from `Authorization: Bearer <token>` and
// `X-Snowflake-Authorization-Token-Type`. Each rule cites its page; what no page says is in lab/README.md's
// list of assumptions.
// https://docs.snowflake.com/en/developer-guide/sql-api/authenticating: "Authorization: Bearer <token>"; the
//   type header is optional ("If you omit the X-Snowflake-Authorization-Token-Type header, Snowflake determines
//   the token type by examining the token"), and its values are KEYPAIR_JWT, OAUTH and PROGRAMMATIC_ACCESS_TOKEN.
//   The page documents no workload-identity form, so the stand-in accepts none: any other type is refused.
// Key-pair JWT (same page, "Generate a JWT token"; user-guide/key-pair-auth): iss
//   `<ACCOUNT>.<USER>.SHA256:<fingerprint>`, sub `<ACCOUNT>.<USER>`, iat and exp "as either seconds or
//   milliseconds" (Snowflake's Node.js driver sends milliseconds: test/snowflake/driver-cross-check.test.ts),
//   valid at most an hour after iat whatever exp says.
// https://docs.snowflake.com/en/user-guide/key-pair-auth-troubleshooting: every refusal a client sees is
//   "JWT token is invalid. [<uuid>]" (390144); the cause is kept for SYSTEM$GET_LOGIN_FAILURE_DETAILS('<uuid>').
// https://docs.snowflake.com/en/user-guide/programmatic-access-tokens: a token is the Bearer value with type
//   PROGRAMMATIC_ACCESS_TOKEN; a service user's token works only under a network policy (the lab has no network
//   policies: lab/README.md).
import { randomUUID } from 'node:crypto';
import type { Account, UserRecord } from './account';
import { jwtInvalid, missingAuthorization, type SnowflakeError, tokenInvalid } from './errors';
import { type DecodedJwt, decodeJwt, signatureValid } from './jwt';

/** How a caller proved who it is. */
export type AuthenticationMethod = 'KEYPAIR_JWT' | 'PROGRAMMATIC_ACCESS_TOKEN';

/** The caller, once authenticated. */
export interface Caller {
  user: UserRecord;
  method: AuthenticationMethod;
}

/** What authentication checks against. */
export interface Authority {
  account: Account;
  /** The forms of the account identifier a JWT may carry, upper case: the locator, ORG-ACCOUNT. */
  accountIdentifiers: readonly string[];
  clockSkewMs: number;
  /** SYSTEM$GET_LOGIN_FAILURE_DETAILS's store: why each refused sign-in was refused, by the id it was told. */
  loginFailures: Map<string, string>;
}

/** A refusal, with why (for the stand-in's log and login failures: Snowflake never tells the caller). */
export class Refused extends Error {
  constructor(
    readonly error: SnowflakeError,
    readonly why: string,
  ) {
    super(why);
  }
}

const MAX_JWT_LIFETIME_S = 3600;
// The values the authenticating page lists; OAUTH is documented but the lab has no OAuth server.
const DOCUMENTED_TOKEN_TYPES = new Set(['KEYPAIR_JWT', 'OAUTH', 'PROGRAMMATIC_ACCESS_TOKEN']);

/** The authenticated caller of a request; throws `Refused` with Snowflake's 401. */
export function authenticate(
  authorization: string | undefined,
  tokenType: string | undefined,
  authority: Authority,
  now = Date.now(),
): Caller {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (token === undefined) throw new Refused(missingAuthorization(), 'no Authorization: Bearer <token>');
  const method = methodOf(token, tokenType);
  if (method === 'PROGRAMMATIC_ACCESS_TOKEN') return byAccessToken(token, authority);
  try {
    return byKeyPair(token, authority, now);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    // The client is told only 390144 and an id; the cause waits for an administrator.
    const id = randomUUID();
    authority.loginFailures.set(id, error.why);
    throw new Refused(jwtInvalid(id), error.why);
  }
}

// The header when given (its documented values only), else the token's own shape, as the page says.
function methodOf(token: string, tokenType: string | undefined): AuthenticationMethod {
  if (tokenType === undefined || tokenType === '') {
    return decodeJwt(token) === undefined ? 'PROGRAMMATIC_ACCESS_TOKEN' : 'KEYPAIR_JWT';
  }
  if (!DOCUMENTED_TOKEN_TYPES.has(tokenType)) {
    throw new Refused(missingAuthorization(), `token type ${tokenType} is not one the SQL API documents`);
  }
  if (tokenType === 'OAUTH') throw new Refused(missingAuthorization(), 'the lab serves no OAuth');
  return tokenType as AuthenticationMethod;
}

function byAccessToken(token: string, authority: Authority): Caller {
  const user = authority.account.userOfToken(token);
  if (user === undefined) throw new Refused(tokenInvalid(), 'unknown, expired or revoked token');
  return { user, method: 'PROGRAMMATIC_ACCESS_TOKEN' };
}

function byKeyPair(token: string, authority: Authority, now: number): Caller {
  const jwt = decodeJwt(token);
  if (jwt === undefined) throw new Refused(jwtInvalid(), 'not a JWT');
  const { iss, sub } = jwt.claims;
  if (typeof iss !== 'string' || typeof sub !== 'string' || sub === '') {
    throw new Refused(jwtInvalid(), 'iss or sub missing');
  }
  const split = iss.lastIndexOf('.SHA256:');
  if (split < 0 || iss.slice(0, split) !== sub) {
    throw new Refused(jwtInvalid(), `iss '${iss}' is not '<sub>.SHA256:<fingerprint>' for sub '${sub}'`);
  }
  const user = userOfSubject(sub, authority);
  const fingerprint = iss.slice(split + 1);
  const publicKey = user.publicKeys.get(fingerprint);
  if (publicKey === undefined) {
    throw new Refused(jwtInvalid(), `${fingerprint} is neither RSA_PUBLIC_KEY nor RSA_PUBLIC_KEY_2`);
  }
  if (!signatureValid(jwt, publicKey)) throw new Refused(jwtInvalid(), 'signature does not verify');
  checkLifetime(jwt, authority.clockSkewMs, now);
  return { user, method: 'KEYPAIR_JWT' };
}

// `<ACCOUNT>.<USER>`: the account in one of its accepted forms and the user's name, upper case. Split at
// the last dot, so that an account written with its region (XY12345.US-EAST-1) is what gets refused.
function userOfSubject(sub: string, authority: Authority): UserRecord {
  const dot = sub.lastIndexOf('.');
  const account = sub.slice(0, dot);
  const userName = sub.slice(dot + 1);
  if (dot < 0 || !authority.accountIdentifiers.includes(account)) {
    throw new Refused(
      jwtInvalid(),
      `account '${account}' is not this account (${authority.accountIdentifiers.join(' or ')})`,
    );
  }
  const user = authority.account.user(userName);
  if (user === undefined || user.name !== userName) {
    throw new Refused(jwtInvalid(), `no user '${userName}' (user names are upper case in the JWT)`);
  }
  return user;
}

function checkLifetime(jwt: DecodedJwt, skewMs: number, now: number): void {
  const iat = epochMs(jwt.claims.iat);
  const exp = epochMs(jwt.claims.exp);
  if (iat === undefined || exp === undefined) throw new Refused(jwtInvalid(), 'iat or exp missing');
  if (iat > now + skewMs) throw new Refused(jwtInvalid(), 'iat is in the future');
  // Valid at most one hour after issue, whatever exp says.
  const expiry = Math.min(exp, iat + MAX_JWT_LIFETIME_S * 1000);
  if (expiry + skewMs < now) throw new Refused(jwtInvalid(), 'the token has expired');
}

// Seconds or milliseconds since the epoch, as the page allows: a value past 10^11 can only be milliseconds.
function epochMs(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return value > 1e11 ? value : value * 1000;
}
