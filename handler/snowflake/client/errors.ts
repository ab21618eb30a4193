// Typed failures of the Snowflake side. The message of each is the Reason the person at the CloudFormation
// console reads: it says what is wrong and what to do. No message ever holds a private key, token or JWT.

import { CustomResourceError } from '../../framework/errors';

/** A failure the Snowflake client understands and has explained in its message: the Reason as it is. */
export class SnowflakeError extends CustomResourceError {}

/** The connection settings (secret or properties) are not usable; nothing was sent to Snowflake. */
export class ConnectionSettingsError extends SnowflakeError {}

/** A property's value cannot be placed in a statement as it is: the message names the property and the rule. */
export class UnsafeSqlValueError extends SnowflakeError {}

/** The private key cannot be read: not PEM, encrypted without a passphrase, a wrong passphrase, not RSA. */
export class PrivateKeyError extends SnowflakeError {}

/** The connection secret does not exist (or has no current value). */
export class SecretMissingError extends SnowflakeError {}

/** The connection secret exists but its value is not the JSON this function expects. */
export class SecretMalformedError extends SnowflakeError {}

/** The function may not read the connection secret (IAM or KMS refused). */
export class SecretAccessDeniedError extends SnowflakeError {}

/** Secrets Manager failed in a way that is neither a refusal nor a missing secret. */
export class AwsCallError extends SnowflakeError {}

/** Snowflake refused the credentials (401/403). */
export class AuthenticationError extends SnowflakeError {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 390144: the key-pair JWT is invalid (the only sign-in code a client sees); carries what was sent. */
export class JwtRejectedError extends AuthenticationError {
  constructor(
    message: string,
    readonly issuer: string,
    readonly fingerprint: string,
    options?: { cause?: unknown },
  ) {
    super(message, '390144', options);
  }
}

/** What Snowflake said about a statement that failed. */
export interface SnowflakeFailure {
  code?: string;
  sqlState?: string;
  message?: string;
  statementHandle?: string;
}

/** A statement Snowflake ran and refused (422): a SQL error, with Snowflake's code and words. */
export class StatementFailedError extends SnowflakeError {
  constructor(
    message: string,
    readonly failure: SnowflakeFailure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 002003: the object does not exist or the role lacks the privilege to see it. */
export class NotAuthorizedError extends StatementFailedError {}

/** 003001: the role may see the object (or account) but lacks the privilege the statement needs. */
export class InsufficientPrivilegesError extends StatementFailedError {}

/** The statement ran longer than its timeout; Snowflake cancelled it (or was asked to). */
export class StatementTimeoutError extends SnowflakeError {}

/** The caller's deadline came before Snowflake answered; the statement may still finish. */
export class SnowflakeDeadlineError extends SnowflakeError {}

/** Snowflake did not answer usefully within the bounded retries (429, 5xx, the network). */
export class SnowflakeUnavailableError extends SnowflakeError {}

/** Snowflake answered with something this client cannot use (400, 404, an unexpected body). */
export class UnexpectedResponseError extends SnowflakeError {
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
