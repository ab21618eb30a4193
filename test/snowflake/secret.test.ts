import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AwsCallError,
  SecretAccessDeniedError,
  SecretMalformedError,
  SecretMissingError,
} from '../../handler/snowflake/client/errors';
import { readConnectionSecret } from '../../handler/snowflake/client/secret';

const secretsManager = mockClient(SecretsManagerClient);
const SECRET_ID = 'snowflake/trust-link';
const VALUE = JSON.stringify({ account: 'myorg-myaccount', user: 'svc', token: 'pat' });

function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} said no`), { name, $metadata: { httpStatusCode: status } });
}

beforeEach(() => {
  secretsManager.reset();
});

describe('readConnectionSecret', () => {
  it('reads the secret string and parses it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: VALUE });

    const settings = await readConnectionSecret(SECRET_ID);

    expect(settings.credential).toEqual({ kind: 'PROGRAMMATIC_ACCESS_TOKEN', token: 'pat' });
    expect(settings.source).toBe(`secret "${SECRET_ID}"`);
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ID });
  });

  it('reads a binary secret as UTF-8', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: Buffer.from(VALUE) });

    const settings = await readConnectionSecret(SECRET_ID);

    expect(settings.user).toBe('SVC');
  });

  it('retries throttling and a 5xx, then reads the secret', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .rejectsOnce(awsError('InternalServiceError', 500))
      .resolves({ SecretString: VALUE });

    await readConnectionSecret(SECRET_ID);

    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
  });

  it('refuses a secret without a value', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({});

    await expect(readConnectionSecret(SECRET_ID)).rejects.toThrow(SecretMalformedError);
  });

  it.each([
    ['ResourceNotFoundException', SecretMissingError, 'does not exist'],
    ['InvalidRequestException', SecretMissingError, 'restore-secret'],
    ['AccessDeniedException', SecretAccessDeniedError, 'secretsmanager:GetSecretValue'],
    ['DecryptionFailure', SecretAccessDeniedError, 'kms:Decrypt'],
    ['InvalidParameterException', AwsCallError, "secret's ARN or name"],
  ])('explains %s', async (name, ErrorClass, words) => {
    secretsManager.on(GetSecretValueCommand).rejects(awsError(name));

    const reading = readConnectionSecret(SECRET_ID);

    await expect(reading).rejects.toThrow(ErrorClass);
    await expect(reading).rejects.toThrow(words);
    await expect(reading).rejects.toThrow(SECRET_ID);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('says to retry when Secrets Manager keeps failing', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(awsError('InternalServiceError', 500));

    await expect(readConnectionSecret(SECRET_ID)).rejects.toThrow(/did not answer after several tries/);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 4);
  });

  it('stops at the caller’s deadline and passes its reason on', async () => {
    const controller = new AbortController();
    const reason = Object.assign(new Error('deadline'), { name: 'DeadlineError' });
    secretsManager.on(GetSecretValueCommand).callsFake(() => {
      controller.abort(reason);
      throw awsError('ThrottlingException');
    });

    await expect(readConnectionSecret(SECRET_ID, controller.signal)).rejects.toBe(reason);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });
});
