// From a resource's Connection to a ready SQL API client: the secret's settings or workload identity's.

import { authenticatorFor, type CredentialDeps } from './credentials';
import { readConnectionSecret } from './secret';
import {
  type ConnectionSettings,
  type WorkloadIdentityProperties,
  workloadIdentitySettings,
} from './settings';
import { SqlApiClient, type SqlApiOptions } from './sql-api';

/** Where the connection comes from: a Secrets Manager secret, or the function's own role. */
export type ConnectionSource = { secretId: string } | { workloadIdentity: WorkloadIdentityProperties };

/** Reads the settings (the secret, if any) and returns a client; a bad key or secret fails here. */
export async function connectSnowflake(
  source: ConnectionSource,
  options: SqlApiOptions & { signal?: AbortSignal; deps?: CredentialDeps } = {},
): Promise<SqlApiClient> {
  const settings: ConnectionSettings =
    'secretId' in source
      ? await readConnectionSecret(source.secretId, options.signal)
      : workloadIdentitySettings(source.workloadIdentity);
  return new SqlApiClient(settings, authenticatorFor(settings, options.deps), options);
}
