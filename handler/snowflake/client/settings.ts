// Connection settings, read once at the edge from the connection secret's JSON. Pure: no I/O here (secret.ts
// reads the secret).
//
// The secret's JSON:
//   { "account": "MYORG-MYACCOUNT", "user": "TRUST_LINK_SVC",
//     "privateKey": "-----BEGIN ENCRYPTED PRIVATE KEY-----\n…", "privateKeyPassphrase": "…",   (key pair)
//     "token": "<programmatic access token>",                                                 (or a PAT)
//     "role": "TRUST_LINK_ROLE", "warehouse": "TRUST_LINK_WH",                                (optional)
//     "host": "myorg-myaccount.privatelink.snowflakecomputing.com" }                          (optional, HTTPS)

import { type AccountIdentifier, parseAccountIdentifier } from './account';
import { ConnectionSettingsError, SecretMalformedError, UnsafeSqlValueError } from './errors';
import { storedName } from './sql';

/** How the function proves who it is to Snowflake. */
export type Credential =
  | { kind: 'KEY_PAIR'; privateKey: string; passphrase?: string }
  | { kind: 'PROGRAMMATIC_ACCESS_TOKEN'; token: string };

/** Everything needed to reach Snowflake as the service user. */
export interface ConnectionSettings {
  account: AccountIdentifier;
  /** The user's name as Snowflake stores it (upper case unless it was written in double quotes). */
  user: string;
  /** As Snowflake stores it: the SQL API compares role and warehouse case-sensitively. */
  role?: string;
  warehouse?: string;
  /** `https://host[:port]` of the SQL API. */
  origin: string;
  credential: Credential;
  /** Where the settings came from, for messages: `secret "…"`. */
  source: string;
}

/** The secret's fields that say where to connect, once read. */
interface ConnectionFields {
  account: string;
  user: string;
  role?: string;
  warehouse?: string;
  host?: string;
}

const KNOWN_FIELDS = [
  'account',
  'user',
  'privateKey',
  'privateKeyPassphrase',
  'token',
  'role',
  'warehouse',
  'host',
];
const SECRET_FORMAT =
  'Expected JSON {"account", "user", and "privateKey" (+ "privateKeyPassphrase") or "token"; optionally ' +
  '"role", "warehouse", "host"}.';

/** Reads the connection secret's value; every problem is a SecretMalformedError naming the secret. */
export function parseConnectionSecret(secretText: string, secretId: string): ConnectionSettings {
  const source = `secret "${secretId}"`;
  const fail = (problem: string, cause?: unknown): never => {
    throw new SecretMalformedError(`The Snowflake connection ${source} ${problem} ${SECRET_FORMAT}`, {
      cause,
    });
  };
  let value: unknown;
  try {
    value = JSON.parse(secretText);
  } catch (error) {
    // The parser's message quotes the text around the error, which may be the key: keep it out.
    return fail(
      'is not JSON (store it as a key/value secret).',
      error instanceof Error ? error.name : undefined,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('is not a JSON object.');
  const fields = value as Record<string, unknown>;
  const text = (name: string): string | undefined => {
    const field = fields[name];
    if (field === undefined || field === null || field === '') return undefined;
    return typeof field === 'string' ? field : fail(`has "${name}" that is not a string.`);
  };
  const account = text('account') ?? fail('has no "account".');
  const user = text('user') ?? fail('has no "user".');
  const credential = secretCredential(text, Object.keys(fields), fail);
  return withSource(source, () =>
    settings(
      { account, user, role: text('role'), warehouse: text('warehouse'), host: text('host') },
      credential,
      source,
    ),
  );
}

function secretCredential(
  text: (name: string) => string | undefined,
  keys: string[],
  fail: (problem: string) => never,
): Credential {
  const privateKey = text('privateKey');
  const token = text('token');
  if (privateKey && token)
    return fail('has both "privateKey" and "token": keep the one the user signs in with.');
  if (privateKey) {
    const passphrase = text('privateKeyPassphrase');
    return { kind: 'KEY_PAIR', privateKey, ...(passphrase ? { passphrase } : {}) };
  }
  if (token) return { kind: 'PROGRAMMATIC_ACCESS_TOKEN', token };
  if (keys.includes('password')) {
    return fail(
      'has a "password": service users sign in with a key pair or a programmatic access token instead.',
    );
  }
  const unknown = keys.filter((key) => !KNOWN_FIELDS.includes(key));
  return fail(
    `has neither "privateKey" nor "token"${unknown.length ? ` (unknown fields: ${unknown.join(', ')})` : ''}.`,
  );
}

function settings(fields: ConnectionFields, credential: Credential, source: string): ConnectionSettings {
  const account = parseAccountIdentifier(fields.account);
  return {
    account,
    user: storedName(fields.user, 'Snowflake user'),
    ...(fields.role ? { role: storedName(fields.role, 'Snowflake role') } : {}),
    ...(fields.warehouse ? { warehouse: storedName(fields.warehouse, 'Snowflake warehouse') } : {}),
    origin: fields.host ? httpsOrigin(fields.host) : `https://${account.host}`,
    credential,
    source,
  };
}

/** The SQL API is reached over HTTPS only: a bare host, or an https:// URL with nothing after the host. */
export function httpsOrigin(host: string): string {
  const written = host.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(written) && !/^https:\/\//i.test(written)) {
    throw new ConnectionSettingsError(`The Snowflake "host" ${JSON.stringify(host)} must use HTTPS.`);
  }
  let url: URL;
  try {
    url = new URL(/^https:\/\//i.test(written) ? written : `https://${written}`);
  } catch (error) {
    throw new ConnectionSettingsError(`The Snowflake "host" ${JSON.stringify(host)} is not a host name.`, {
      cause: error,
    });
  }
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    throw new ConnectionSettingsError(
      `The Snowflake "host" ${JSON.stringify(host)} must be a host name only, such as ` +
        'myorg-myaccount.privatelink.snowflakecomputing.com.',
    );
  }
  return url.origin;
}

// Errors about the fields' content are rethrown as the secret's error, naming the secret.
function withSource<T>(source: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof ConnectionSettingsError || error instanceof UnsafeSqlValueError)) throw error;
    throw new SecretMalformedError(`In ${source}: ${error.message}`, { cause: error });
  }
}
