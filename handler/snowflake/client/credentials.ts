// The Authorization headers of each request, for each way of signing in, renewed before they expire.
// https://docs.snowflake.com/en/developer-guide/sql-api/authenticating: `Authorization: Bearer <token>` and
// `X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT | OAUTH | PROGRAMMATIC_ACCESS_TOKEN`; "if you omit the
// header, Snowflake determines the token type by examining the token". The docs name no value for a workload
// identity token, so that mode omits the header and lets Snowflake examine the STS-issued JWT.

import { userForJwt } from './account';
import { readSigningKey, type SigningKey, signKeyPairJwt } from './jwt';
import type { ConnectionSettings } from './settings';
import type { WebIdentityToken } from './workload-identity';

/** What a person needs to see when Snowflake refuses the credentials; never a key, token or JWT. */
export type AuthDiagnostics =
  | { mode: 'KEY_PAIR'; account: string; user: string; issuer: string; fingerprint: string }
  | { mode: 'PROGRAMMATIC_ACCESS_TOKEN'; account: string; user: string }
  | { mode: 'WORKLOAD_IDENTITY'; account: string; user: string };

/** Gives each request its credential headers. */
export interface Authenticator {
  /** The headers for the next request; a new JWT or token when the last one is about to run out. */
  headers(signal?: AbortSignal): Promise<Record<string, string>>;
  readonly diagnostics: AuthDiagnostics;
}

/** The outside world the authenticators use; tests give their own. */
export interface CredentialDeps {
  fetchWebIdentityToken: (signal?: AbortSignal) => Promise<WebIdentityToken>;
  now: () => number;
}

const TOKEN_TYPE_HEADER = 'X-Snowflake-Authorization-Token-Type';
/** A JWT or token with less than this left is replaced before use: a statement may poll for minutes. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;
const DEFAULT_DEPS: CredentialDeps = {
  // Imported on first use: the STS client is loaded only by workload identity, not at every cold start.
  fetchWebIdentityToken: async (signal) =>
    (await import('./workload-identity')).fetchWebIdentityToken(signal),
  now: Date.now,
};

/** The authenticator for the settings' credential. Reads the private key now, so a bad key fails first. */
export function authenticatorFor(
  settings: ConnectionSettings,
  deps: CredentialDeps = DEFAULT_DEPS,
): Authenticator {
  const { credential } = settings;
  const identity = { account: settings.account.forJwt, user: userForJwt(settings.user) };
  switch (credential.kind) {
    case 'KEY_PAIR':
      return keyPairAuthenticator(
        identity,
        readSigningKey(credential.privateKey, credential.passphrase),
        deps,
      );
    case 'PROGRAMMATIC_ACCESS_TOKEN':
      return {
        diagnostics: { mode: 'PROGRAMMATIC_ACCESS_TOKEN', ...identity },
        headers: async () => bearer(credential.token, 'PROGRAMMATIC_ACCESS_TOKEN'),
      };
    case 'WORKLOAD_IDENTITY':
      return workloadIdentityAuthenticator(identity, deps);
  }
}

function keyPairAuthenticator(
  identity: { account: string; user: string },
  key: SigningKey,
  deps: CredentialDeps,
): Authenticator {
  let jwt = signKeyPairJwt(identity, key, deps.now());
  return {
    diagnostics: { mode: 'KEY_PAIR', ...identity, issuer: jwt.issuer, fingerprint: key.fingerprint },
    headers: async () => {
      if (jwt.expiresAt - deps.now() < RENEW_BEFORE_MS) jwt = signKeyPairJwt(identity, key, deps.now());
      return bearer(jwt.token, 'KEYPAIR_JWT');
    },
  };
}

function workloadIdentityAuthenticator(
  identity: { account: string; user: string },
  deps: CredentialDeps,
): Authenticator {
  let current: WebIdentityToken | undefined;
  return {
    diagnostics: { mode: 'WORKLOAD_IDENTITY', ...identity },
    headers: async (signal) => {
      if (!current || current.expiresAt - deps.now() < RENEW_BEFORE_MS) {
        current = await deps.fetchWebIdentityToken(signal);
      }
      return bearer(current.token);
    },
  };
}

function bearer(token: string, tokenType?: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, ...(tokenType ? { [TOKEN_TYPE_HEADER]: tokenType } : {}) };
}
