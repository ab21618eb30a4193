// The one module that asks STS for the function's web identity token: workload identity federation, where
// the function's own IAM role is the credential and no secret is stored.
// https://docs.snowflake.com/en/user-guide/workload-identity-federation (AWS, JWT-based method, GA 2026-05-12
// per release-notes/2026/other/2026-05-12-wif-aws-outbound-jwt): the token comes from sts:GetWebIdentityToken
// with audience snowflakecomputing.com; the service user is created with
// WORKLOAD_IDENTITY = (TYPE = AWS, ARN = '<role arn>') and an ISSUER (the account's outbound issuer URL).
// GetWebIdentityToken needs outbound identity federation enabled on the AWS account and is not served by the
// global STS endpoint (SDK docs of GetWebIdentityTokenCommand).

import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import {
  AWS_CLIENT_CONFIG,
  AWS_RETRY,
  awsErrorCode,
  awsSaid,
  isAbort,
  isRetryableAwsError,
} from '../../framework/aws';
import { withRetries } from '../../framework/retry';
import { AwsCallError, WorkloadIdentityError } from './errors';

/** The audience Snowflake expects when a user's workload identity sets no OIDC_AUDIENCE_LIST. */
export const SNOWFLAKE_AUDIENCE = 'snowflakecomputing.com';
/** STS signs with RS256 or ES384; RS256 is the one every JWT verifier knows. */
const SIGNING_ALGORITHM = 'RS256';
/** Long enough for one custom-resource invocation; the token is fetched again when it runs out. */
const TOKEN_SECONDS = 900;

/** A web identity token and when it stops being valid. */
export interface WebIdentityToken {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

let client: STSClient | undefined;

// Regional endpoint: the SDK uses the Lambda's AWS_REGION; AWS_ENDPOINT_URL_STS points it at the lab.
function sts(): STSClient {
  client ??= new STSClient(AWS_CLIENT_CONFIG);
  return client;
}

/** Asks STS for a JWT that says "this function's role", for Snowflake. Never logged. */
export async function fetchWebIdentityToken(
  signal?: AbortSignal,
  nowMs = Date.now(),
): Promise<WebIdentityToken> {
  try {
    const output = await withRetries(
      () =>
        sts().send(
          new GetWebIdentityTokenCommand({
            Audience: [SNOWFLAKE_AUDIENCE],
            SigningAlgorithm: SIGNING_ALGORITHM,
            DurationSeconds: TOKEN_SECONDS,
          }),
          { abortSignal: signal },
        ),
      isRetryableAwsError,
      AWS_RETRY,
      signal,
    );
    if (!output.WebIdentityToken) throw new AwsCallError('STS GetWebIdentityToken answered without a token.');
    return {
      token: output.WebIdentityToken,
      expiresAt: output.Expiration?.getTime() ?? nowMs + TOKEN_SECONDS * 1000,
    };
  } catch (error) {
    // At the caller's deadline, the deadline is the story, not the call it cut short.
    throw signal?.aborted ? signal.reason : explainStsFailure(error);
  }
}

/** An error whose message says why STS would not issue the token and what to do. */
export function explainStsFailure(error: unknown): Error {
  if (isAbort(error) || error instanceof AwsCallError) return error as Error;
  const options = { cause: error };
  switch (awsErrorCode(error)) {
    case 'OutboundWebIdentityFederationDisabledException':
      return new WorkloadIdentityError(
        'Outbound identity federation is not enabled on this AWS account, so STS cannot issue the token ' +
          'Snowflake needs: run aws iam enable-outbound-web-identity-federation once, then register the ' +
          "account's issuer URL as the ISSUER of the Snowflake user's WORKLOAD_IDENTITY.",
        options,
      );
    case 'AccessDenied':
    case 'AccessDeniedException':
      return new WorkloadIdentityError(
        'This function may not call sts:GetWebIdentityToken: grant its role that action, with the condition ' +
          `sts:IdentityTokenAudience = ${SNOWFLAKE_AUDIENCE} (${awsSaid(error)}).`,
        options,
      );
    default:
      return new AwsCallError(
        `STS GetWebIdentityToken failed (${awsSaid(error)}). It is not served by the global endpoint: the ` +
          'function must use its regional STS endpoint.',
        options,
      );
  }
}
