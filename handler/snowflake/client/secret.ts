// The one module that reads the connection secret from AWS Secrets Manager, and explains why it could not.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  AWS_CLIENT_CONFIG,
  AWS_RETRY,
  awsErrorCode,
  awsSaid,
  isAbort,
  isRetryableAwsError,
} from '../../framework/aws';
import { withRetries } from '../../framework/retry';
import { AwsCallError, SecretAccessDeniedError, SecretMalformedError, SecretMissingError } from './errors';
import { type ConnectionSettings, parseConnectionSecret } from './settings';

let client: SecretsManagerClient | undefined;

// Created on first use and kept for warm invocations; AWS_ENDPOINT_URL_SECRETS_MANAGER points it at the lab.
function secretsManager(): SecretsManagerClient {
  client ??= new SecretsManagerClient(AWS_CLIENT_CONFIG);
  return client;
}

/** Reads and parses the connection secret (its ARN or name). Its value is never logged. */
export async function readConnectionSecret(
  secretId: string,
  signal?: AbortSignal,
): Promise<ConnectionSettings> {
  let output: { SecretString?: string; SecretBinary?: Uint8Array };
  try {
    output = await withRetries(
      () => secretsManager().send(new GetSecretValueCommand({ SecretId: secretId }), { abortSignal: signal }),
      isRetryableAwsError,
      AWS_RETRY,
      signal,
    );
  } catch (error) {
    // At the caller's deadline, the deadline is the story, not the call it cut short.
    throw signal?.aborted ? signal.reason : explainSecretFailure(secretId, error);
  }
  const text =
    output.SecretString ?? (output.SecretBinary && Buffer.from(output.SecretBinary).toString('utf8'));
  if (!text) {
    throw new SecretMalformedError(
      `The Snowflake connection secret "${secretId}" has no value: store the connection JSON as its secret string.`,
    );
  }
  return parseConnectionSecret(text, secretId);
}

/** An error whose message says why the secret could not be read and what to do. */
export function explainSecretFailure(secretId: string, error: unknown): Error {
  if (isAbort(error)) return error as Error;
  const code = awsErrorCode(error);
  const options = { cause: error };
  switch (code) {
    case 'ResourceNotFoundException':
      return new SecretMissingError(
        `The Snowflake connection secret "${secretId}" does not exist in this account and region (or has no ` +
          'current version): create it, or give Connection the ARN of the secret that holds the connection JSON.',
        options,
      );
    case 'InvalidRequestException':
      return new SecretMissingError(
        `The Snowflake connection secret "${secretId}" cannot be read (${awsSaid(error)}). A secret scheduled ` +
          'for deletion cannot be read: restore it with aws secretsmanager restore-secret, or use another.',
        options,
      );
    case 'AccessDeniedException':
      return new SecretAccessDeniedError(
        `This function may not read the Snowflake connection secret "${secretId}": grant its role ` +
          "secretsmanager:GetSecretValue on that secret's ARN, and kms:Decrypt on its key if it uses a " +
          `customer managed KMS key (${awsSaid(error)}).`,
        options,
      );
    case 'DecryptionFailure':
      return new SecretAccessDeniedError(
        `Secrets Manager could not decrypt the Snowflake connection secret "${secretId}" for this function: ` +
          `grant its role kms:Decrypt on the secret's KMS key, and check the key policy (${awsSaid(error)}).`,
        options,
      );
    default:
      return new AwsCallError(
        `Reading the Snowflake connection secret "${secretId}" failed (${awsSaid(error)}). ` +
          (isRetryableAwsError(error)
            ? 'Secrets Manager did not answer after several tries: retry the stack operation.'
            : "Check that Connection is the secret's ARN or name."),
        options,
      );
  }
}
