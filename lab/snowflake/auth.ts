// Who is calling, as Snowflake decides it from `Authorization: Bearer <token>` and
// `X-Snowflake-Authorization-Token-Type` (SQL API, "Authenticating to the server"): a key-pair JWT
// (user-guide/key-pair-auth: iss `<ACCOUNT>.<USER>.SHA256:<fingerprint>`, sub `<ACCOUNT>.<USER>`, at
// most one hour between iat and exp), a programmatic access token, or a workload-identity token
// from AWS STS for a user created WITH WORKLOAD_IDENTITY = (TYPE = AWS, ARN = ...).
import type { KeyObject } from 'node:crypto';
import type { Account, UserRecord } from './account';
import {
  fingerprintMismatch,
  jwtInvalid,
  missingAuthorization,
  type SnowflakeError,
  tokenInvalid,
} from './errors';
import { type DecodedJwt, decodeJwt, signatureValid } from './jwt';

/** An issuer of workload-identity tokens Snowflake trusts: the lab's STS stand-in fits. */
export interface WorkloadIssuer {
  issuer: string;
  publicKey: KeyObject;
}

/** How a caller proved who it is. */
export type AuthenticationMethod = 'KEYPAIR_JWT' | 'PROGRAMMATIC_ACCESS_TOKEN' | 'WORKLOAD_IDENTITY';

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
  workloadIssuers: readonly WorkloadIssuer[];
  /** The audience a workload-identity token must carry. */
  workloadAudience: string;
  clockSkewMs: number;
}

/** A refusal, with why (for the stand-in's log: Snowflake itself never tells the caller). */
export class Refused extends Error {
  constructor(
    readonly error: SnowflakeError,
    readonly why: string,
  ) {
    super(why);
  }
}

const MAX_JWT_LIFETIME_S = 3600;

/** The authenticated caller of a request; throws `Refused` with Snowflake's 401. */
export function authenticate(
  authorization: string | undefined,
  tokenType: string | undefined,
  authority: Authority,
  now = Date.now(),
): Caller {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (token === undefined) throw new Refused(missingAuthorization(), 'no Bearer token');
  const method = methodOf(token, tokenType?.toUpperCase(), authority);
  if (method === 'PROGRAMMATIC_ACCESS_TOKEN') return byAccessToken(token, authority);
  const jwt = decodeJwt(token);
  if (jwt === undefined) throw new Refused(jwtInvalid(), 'not a JWT');
  if (method === 'WORKLOAD_IDENTITY') return byWorkloadIdentity(jwt, authority, now);
  return byKeyPair(jwt, authority, now);
}

// Without the header, Snowflake "determines the token type by examining the token".
function methodOf(token: string, tokenType: string | undefined, authority: Authority): AuthenticationMethod {
  if (tokenType === 'KEYPAIR_JWT' || tokenType === 'PROGRAMMATIC_ACCESS_TOKEN') return tokenType;
  if (tokenType === 'WORKLOAD_IDENTITY') return tokenType;
  if (tokenType !== undefined)
    throw new Refused(jwtInvalid(), `token type ${tokenType} is not served by the lab`);
  const issuer = decodeJwt(token)?.claims.iss;
  if (typeof issuer !== 'string') return 'PROGRAMMATIC_ACCESS_TOKEN';
  return authority.workloadIssuers.some((w) => w.issuer === issuer) ? 'WORKLOAD_IDENTITY' : 'KEYPAIR_JWT';
}

function byAccessToken(token: string, authority: Authority): Caller {
  const user = authority.account.userOfToken(token);
  if (user === undefined) throw new Refused(tokenInvalid(), 'unknown, expired or revoked token');
  return { user, method: 'PROGRAMMATIC_ACCESS_TOKEN' };
}

function byKeyPair(jwt: DecodedJwt, authority: Authority, now: number): Caller {
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
    throw new Refused(fingerprintMismatch(), `${fingerprint} is neither RSA_PUBLIC_KEY nor RSA_PUBLIC_KEY_2`);
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
  const { iat, exp } = jwt.claims;
  if (typeof iat !== 'number' || typeof exp !== 'number')
    throw new Refused(jwtInvalid(), 'iat or exp missing');
  if (exp - iat > MAX_JWT_LIFETIME_S) throw new Refused(jwtInvalid(), 'exp is more than one hour after iat');
  if (iat * 1000 > now + skewMs) throw new Refused(jwtInvalid(), 'iat is in the future');
  // Valid at most one hour after issue, whatever exp says.
  const expiry = Math.min(exp, iat + MAX_JWT_LIFETIME_S) * 1000;
  if (expiry + skewMs < now) throw new Refused(jwtInvalid(), 'the token has expired');
}

function byWorkloadIdentity(jwt: DecodedJwt, authority: Authority, now: number): Caller {
  const { iss, sub, aud, exp } = jwt.claims;
  const issuer = authority.workloadIssuers.find((w) => w.issuer === iss);
  if (issuer === undefined || jwt.header.alg !== 'RS256' || !signatureValid(jwt, issuer.publicKey)) {
    throw new Refused(jwtInvalid(), `not signed by a trusted workload issuer (${String(iss)})`);
  }
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(authority.workloadAudience)) {
    throw new Refused(jwtInvalid(), `aud ${JSON.stringify(aud)} is not ${authority.workloadAudience}`);
  }
  if (typeof exp !== 'number' || exp * 1000 + authority.clockSkewMs < now) {
    throw new Refused(jwtInvalid(), 'the token has expired');
  }
  const user = typeof sub === 'string' ? authority.account.userOfWorkload(sub) : undefined;
  if (user === undefined)
    throw new Refused(jwtInvalid(), `no user has WORKLOAD_IDENTITY ARN '${String(sub)}'`);
  if (user.workloadIdentity?.issuer !== undefined && user.workloadIdentity.issuer !== iss) {
    throw new Refused(jwtInvalid(), `the user's ISSUER is not ${String(iss)}`);
  }
  return { user, method: 'WORKLOAD_IDENTITY' };
}
