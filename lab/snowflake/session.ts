// What one request runs with: the caller, its role and context, and the account it acts on.
// https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests: warehouse, database, schema and
// role come from the body ("case-sensitive"), else the user's DEFAULT_WAREHOUSE, DEFAULT_NAMESPACE and
// DEFAULT_ROLE; bindings as "Using bind variables in a statement" shows them.
import type { Account, UserRecord } from './account';
import type { Catalog } from './catalog';

/** A binding of the request body: `{"1": {"type": "TEXT", "value": "x"}}`. */
export interface Binding {
  type: string;
  value: string | null;
}

/** The session of one request (each SQL API request is its own session). */
export interface Session {
  user: UserRecord;
  role: string;
  warehouse: string | undefined;
  database: string | undefined;
  schema: string | undefined;
  bindings: Readonly<Record<string, Binding>>;
}

/** How the stand-in reaches AWS on Snowflake's behalf. */
export interface RemoteSettings {
  /** Decides whether the account's IAM user may assume a role with an external id; undefined allows all. */
  assumeRole?: (roleArn: string, externalId: string) => boolean;
  /** How long a call to an external function's URL may take, in ms. */
  remoteTimeoutMs: number;
}

/** The account and its objects, with the name its errors give it. */
export interface Workspace {
  account: Account;
  catalog: Catalog;
  /** How "Insufficient privileges to operate on account '<name>'" names the account. */
  accountName: string;
  remote: RemoteSettings;
}
