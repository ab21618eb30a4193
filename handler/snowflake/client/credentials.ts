// The Authorization headers of each request, for each way of signing in, renewed before they expire.
// https://docs.snowflake.com/en/developer-guide/sql-api/authenticating: `Authorization: Bearer <token>`, and
// "You can set the header to one of the following values: KEYPAIR_JWT (for key-pair authentication), OAUTH (for
// OAuth), PROGRAMMATIC_ACCESS_TOKEN (for programmatic access tokens)". We always send the type: no guessing.
// The page documents no form for a workload identity token, so this client has no such mode (docs/snowflake-setup.md).

import { userForJwt } from './account';
import { readSigningKey, type SigningKey, signKeyPairJwt } from './jwt';
import type { ConnectionSettings } from './settings';

/** What a person needs to see when Snowflake refuses the credentials; never a key, token or JWT. */
export type AuthDiagnostics =
  | { mode: 'KEY_PAIR'; account: string; user: string; issuer: string; fingerprint: string }
  | { mode: 'PROGRAMMATIC_ACCESS_TOKEN'; account: string; user: string };

/** Gives each request its credential headers. */
export interface Authenticator {
  /** The headers for the next request; a new JWT when the last one is about to run out. */
  headers(): Record<string, string>;
  readonly diagnostics: AuthDiagnostics;
}

/** The outside world the authenticators use; tests give their own. */
export interface CredentialDeps {
  now: () => number;
}

const TOKEN_TYPE_HEADER = 'X-Snowflake-Authorization-Token-Type';
/** A JWT with less than this left is replaced before use: a statement may poll for minutes. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;
const DEFAULT_DEPS: CredentialDeps = { now: Date.now };

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
        headers: () => bearer(credential.token, 'PROGRAMMATIC_ACCESS_TOKEN'),
      };
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
    headers: () => {
      if (jwt.expiresAt - deps.now() < RENEW_BEFORE_MS) jwt = signKeyPairJwt(identity, key, deps.now());
      return bearer(jwt.token, 'KEYPAIR_JWT');
    },
  };
}

function bearer(
  token: string,
  tokenType: 'KEYPAIR_JWT' | 'PROGRAMMATIC_ACCESS_TOKEN',
): Record<string, string> {
  return { Authorization: `Bearer ${token}`, [TOKEN_TYPE_HEADER]: tokenType };
}
