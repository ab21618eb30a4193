import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectSnowflake } from '../../handler/snowflake/client/connection';
import { PrivateKeyError, SecretMissingError } from '../../handler/snowflake/client/errors';
import { sql } from '../../handler/snowflake/client/sql';
import { type FakeSqlApi, resultSet, startFakeSqlApi } from './fake-sql-api';

const secretsManager = mockClient(SecretsManagerClient);
let api: FakeSqlApi | undefined;

beforeEach(() => {
  secretsManager.reset();
});

afterEach(async () => {
  await api?.close();
});

describe('connectSnowflake', () => {
  it('reads the secret and returns a client that reaches the endpoint', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ account: 'myorg-myaccount', user: 'svc', token: 'pat' }),
    });
    api = await startFakeSqlApi(() => resultSet(['status'], [['ok']]));

    const client = await connectSnowflake({ secretId: 'snowflake' }, { endpointOverride: api.url });
    const result = await client.execute(sql`SELECT 1`);

    expect(result.rows).toEqual([['ok']]);
    expect(api.requests[0]?.headers.authorization).toBe('Bearer pat');
    expect(api.requests[0]?.headers['x-snowflake-authorization-token-type']).toBe(
      'PROGRAMMATIC_ACCESS_TOKEN',
    );
  });

  it('fails before any statement when the secret is missing', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('no'), { name: 'ResourceNotFoundException' }));

    await expect(connectSnowflake({ secretId: 'gone' })).rejects.toThrow(SecretMissingError);
  });

  it('fails before any statement when the key cannot be read', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ account: 'a-b', user: 'u', privateKey: 'not a key' }),
    });

    await expect(connectSnowflake({ secretId: 'bad-key' })).rejects.toThrow(PrivateKeyError);
  });
});
