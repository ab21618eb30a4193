import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectSnowflake } from '../../handler/snowflake/client/connection';
import { PrivateKeyError, SecretMissingError } from '../../handler/snowflake/client/errors';
import { sql } from '../../handler/snowflake/client/sql';
import { type FakeSqlApi, resultSet, startFakeSqlApi } from './fake-sql-api';

const secretsManager = mockClient(SecretsManagerClient);
const sts = mockClient(STSClient);
let api: FakeSqlApi | undefined;

beforeEach(() => {
  secretsManager.reset();
  sts.reset();
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
  });

  it('uses workload identity without reading any secret', async () => {
    api = await startFakeSqlApi(() => resultSet(['status'], [['ok']]));
    const deps = {
      now: Date.now,
      fetchWebIdentityToken: async () => ({ token: 'sts', expiresAt: Date.now() + 9e5 }),
    };

    const client = await connectSnowflake(
      { workloadIdentity: { account: 'myorg-myaccount', user: 'svc' } },
      { endpointOverride: api.url, deps },
    );
    await client.execute(sql`SELECT 1`);

    expect(api.requests[0]?.headers.authorization).toBe('Bearer sts');
    expect(secretsManager).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  it('asks STS for the web identity token when workload identity signs in, its client loaded then', async () => {
    sts.on(GetWebIdentityTokenCommand).resolves({
      WebIdentityToken: 'sts-token',
      Expiration: new Date(Date.now() + 9e5),
    });
    api = await startFakeSqlApi(() => resultSet(['status'], [['ok']]));

    const client = await connectSnowflake(
      { workloadIdentity: { account: 'myorg-myaccount', user: 'svc' } },
      { endpointOverride: api.url },
    );
    await client.execute(sql`SELECT 1`);

    expect(api.requests[0]?.headers.authorization).toBe('Bearer sts-token');
    expect(sts).toHaveReceivedCommandTimes(GetWebIdentityTokenCommand, 1);
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
