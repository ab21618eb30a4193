import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCallError, WorkloadIdentityError } from '../../handler/snowflake/client/errors';
import { fetchWebIdentityToken, SNOWFLAKE_AUDIENCE } from '../../handler/snowflake/client/workload-identity';

const sts = mockClient(STSClient);

function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} said no`), { name, $metadata: { httpStatusCode: status } });
}

beforeEach(() => {
  sts.reset();
});

describe('fetchWebIdentityToken', () => {
  it('asks STS for a token for Snowflake and keeps its expiry', async () => {
    const expiration = new Date(Date.UTC(2026, 10, 29, 12, 15));
    sts
      .on(GetWebIdentityTokenCommand)
      .resolves({ WebIdentityToken: 'eyJ.sts.token', Expiration: expiration });

    const token = await fetchWebIdentityToken();

    expect(token).toEqual({ token: 'eyJ.sts.token', expiresAt: expiration.getTime() });
    expect(sts).toHaveReceivedCommandWith(GetWebIdentityTokenCommand, {
      Audience: ['snowflakecomputing.com'],
      SigningAlgorithm: 'RS256',
      DurationSeconds: 900,
    });
    expect(SNOWFLAKE_AUDIENCE).toBe('snowflakecomputing.com');
  });

  it('assumes the requested duration when STS gives no expiry', async () => {
    sts.on(GetWebIdentityTokenCommand).resolves({ WebIdentityToken: 't' });

    const token = await fetchWebIdentityToken(undefined, 1_000);

    expect(token.expiresAt).toBe(1_000 + 900_000);
  });

  it('retries throttling', async () => {
    sts
      .on(GetWebIdentityTokenCommand)
      .rejectsOnce(awsError('Throttling'))
      .resolves({ WebIdentityToken: 't' });

    await fetchWebIdentityToken();

    expect(sts).toHaveReceivedCommandTimes(GetWebIdentityTokenCommand, 2);
  });

  it.each([
    [
      'OutboundWebIdentityFederationDisabledException',
      WorkloadIdentityError,
      'enable-outbound-web-identity-federation',
    ],
    ['AccessDenied', WorkloadIdentityError, 'sts:GetWebIdentityToken'],
    ['AccessDeniedException', WorkloadIdentityError, 'sts:IdentityTokenAudience'],
    ['InvalidAction', AwsCallError, 'regional STS endpoint'],
  ])('explains %s', async (name, ErrorClass, words) => {
    sts.on(GetWebIdentityTokenCommand).rejects(awsError(name));

    const fetching = fetchWebIdentityToken();

    await expect(fetching).rejects.toThrow(ErrorClass);
    await expect(fetching).rejects.toThrow(words);
  });

  it('refuses an answer without a token', async () => {
    sts.on(GetWebIdentityTokenCommand).resolves({});

    await expect(fetchWebIdentityToken()).rejects.toThrow('answered without a token');
  });
});

describe('fetchWebIdentityToken at the deadline', () => {
  it('stops and passes the deadline’s reason on', async () => {
    const controller = new AbortController();
    const reason = Object.assign(new Error('deadline'), { name: 'DeadlineError' });
    sts.on(GetWebIdentityTokenCommand).callsFake(() => {
      controller.abort(reason);
      throw awsError('Throttling');
    });

    await expect(fetchWebIdentityToken(controller.signal)).rejects.toBe(reason);
    expect(sts).toHaveReceivedCommandTimes(GetWebIdentityTokenCommand, 1);
  });
});
