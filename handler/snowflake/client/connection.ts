// From a resource's Connection to a ready SQL API client: the connection secret's settings.

import { authenticatorFor, type CredentialDeps } from './credentials';
import { readConnectionSecret } from './secret';
import { SqlApiClient, type SqlApiOptions } from './sql-api';

/** Where the connection comes from: the Secrets Manager secret holding the service user's key or token. */
export interface ConnectionSource {
  secretId: string;
}

/** Reads the secret and returns a client; a bad key or secret fails here, before anything is sent. */
export async function connectSnowflake(
  source: ConnectionSource,
  options: SqlApiOptions & { signal?: AbortSignal; deps?: CredentialDeps } = {},
): Promise<SqlApiClient> {
  const settings = await readConnectionSecret(source.secretId, options.signal);
  return new SqlApiClient(settings, authenticatorFor(settings, options.deps), options);
}
