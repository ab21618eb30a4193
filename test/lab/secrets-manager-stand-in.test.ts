import {
  GetSecretValueCommand,
  SecretsManagerClient,
  type SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerStandIn } from '../../lab/secrets-manager';

const CONNECTION = { account: 'MYORG-MYACCOUNT', user: 'TRUST_LINK', token: 'pat-value' };
let secrets: SecretsManagerStandIn;

function clientOf(maxAttempts = 1): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: secrets.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'ASIALAB', secretAccessKey: 'secret' },
    maxAttempts,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<SecretsManagerServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as SecretsManagerServiceException;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  secrets = await SecretsManagerStandIn.start({
    callerArn: 'arn:aws:sts::123456789012:assumed-role/snowflake-side/fn',
  });
});

afterEach(() => {
  secrets.faults.clear();
  secrets.deleteSecret('snowflake/connection');
});

afterAll(async () => {
  await secrets.close();
});

describe('Secrets Manager stand-in, through the real @aws-sdk/client-secrets-manager', () => {
  it('returns a secret by its name, as JSON text', async () => {
    const stored = secrets.putSecret('snowflake/connection', CONNECTION);

    const answer = await clientOf().send(new GetSecretValueCommand({ SecretId: 'snowflake/connection' }));

    expect(JSON.parse(answer.SecretString ?? '')).toEqual(CONNECTION);
    expect(answer).toMatchObject({
      ARN: stored.arn,
      Name: 'snowflake/connection',
      VersionStages: ['AWSCURRENT'],
    });
    expect(answer.CreatedDate).toBeInstanceOf(Date);
  });

  it('finds a secret by its full ARN and by its ARN without the random suffix', async () => {
    const { arn } = secrets.putSecret('snowflake/connection', 'text');

    const byArn = await clientOf().send(new GetSecretValueCommand({ SecretId: arn }));
    const byPartialArn = await clientOf().send(new GetSecretValueCommand({ SecretId: arn.slice(0, -7) }));

    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:snowflake\/connection-\w{6}$/);
    expect([byArn.SecretString, byPartialArn.SecretString]).toEqual(['text', 'text']);
  });

  it('answers ResourceNotFoundException for a secret that does not exist', async () => {
    const error = await failureOf(clientOf().send(new GetSecretValueCommand({ SecretId: 'missing' })));

    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toBe("Secrets Manager can't find the specified secret.");
    expect(secrets.calls.at(-1)).toMatchObject({
      operation: 'GetSecretValue',
      secretId: 'missing',
      status: 400,
    });
  });

  it('answers AccessDeniedException, naming the caller, for a secret the caller may not read', async () => {
    secrets.putSecret('snowflake/connection', CONNECTION);
    secrets.deny('snowflake/connection');
    try {
      const error = await failureOf(
        clientOf().send(new GetSecretValueCommand({ SecretId: 'snowflake/connection' })),
      );

      expect(error.name).toBe('AccessDeniedException');
      expect(error.message).toContain('assumed-role/snowflake-side/fn is not authorized to perform');
    } finally {
      secrets.allow('snowflake/connection');
    }
  });

  it('refuses a secret marked for deletion', async () => {
    secrets.putSecret('snowflake/connection', CONNECTION);
    secrets.markForDeletion('snowflake/connection');

    const error = await failureOf(
      clientOf().send(new GetSecretValueCommand({ SecretId: 'snowflake/connection' })),
    );

    expect(error.name).toBe('InvalidRequestException');
  });

  it('gives a replaced secret a new version under the same ARN', async () => {
    const first = secrets.putSecret('snowflake/connection', 'one');

    const second = secrets.putSecret('snowflake/connection', 'two');

    expect(second.arn).toBe(first.arn);
    expect(second.versionId).not.toBe(first.versionId);
  });

  it('throttles on demand, and the SDK retries through it', async () => {
    secrets.putSecret('snowflake/connection', 'text');
    secrets.faults.throttle(1);

    const answer = await clientOf(3).send(new GetSecretValueCommand({ SecretId: 'snowflake/connection' }));

    expect(answer.SecretString).toBe('text');
    expect(secrets.faults.injected).toBe(1);
  });

  it('answers InternalServiceError 500 on demand', async () => {
    secrets.faults.serviceFailure();

    const error = await failureOf(clientOf().send(new GetSecretValueCommand({ SecretId: 'any' })));

    expect(error.name).toBe('InternalServiceError');
    expect(error.$metadata.httpStatusCode).toBe(500);
  });

  it('refuses an unsigned request', async () => {
    const response = await fetch(secrets.endpoint, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'secretsmanager.GetSecretValue' },
      body: JSON.stringify({ SecretId: 'any' }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnrecognizedClientException' });
  });
});
