// What every AWS seam of the project shares: one client configuration and the reading of SDK errors.

import type { RetryPolicy } from './retry';

export const AWS_RETRY: RetryPolicy = { attempts: 4, baseMs: 200, maxMs: 2000 };

/** The SDK's own retry is off so that ours (bounded, deadline-aware) decides; timeouts keep a hang short. */
export const AWS_CLIENT_CONFIG = {
  maxAttempts: 1,
  requestHandler: { connectionTimeout: 3000, requestTimeout: 8000 },
} as const;

/** Socket errors, named by Node.js: the request may not have reached the service. */
export const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

const RETRYABLE = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  ...NETWORK_CODES,
]);

/** The error's code as the service or the socket gave it (`ResourceNotFoundException`, `ECONNRESET`). */
export function awsErrorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'Unknown';
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (typeof code === 'string' && code.startsWith('E')) return code;
  return typeof name === 'string' ? name : 'Unknown';
}

/** Throttling, a 5xx or the network: the same call may succeed if made again. */
export function isRetryableAwsError(error: unknown): boolean {
  if (isAbort(error)) return false;
  const status = httpStatus(error);
  return RETRYABLE.has(awsErrorCode(error)) || (status !== undefined && status >= 500);
}

/** The HTTP status the service answered with, if it answered. */
export function httpStatus(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

/** The caller's signal ended the call: its reason, not a service error. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'DeadlineError');
}

/** The service's own words, for the end of a message. */
export function awsSaid(error: unknown): string {
  return `${awsErrorCode(error)}: ${error instanceof Error ? error.message : String(error)}`;
}
