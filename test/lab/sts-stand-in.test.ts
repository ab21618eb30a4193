import { createVerify } from 'node:crypto';
import { GetWebIdentityTokenCommand, STSClient, type STSServiceException } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StsStandIn } from '../../lab/sts';

const FUNCTION_ROLE = 'arn:aws:iam::123456789012:role/snowflake-side';
let sts: StsStandIn;

function clientOf(endpoint: string): STSClient {
  return new STSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'ASIALAB', secretAccessKey: 'secret', sessionToken: 'token' },
    maxAttempts: 1,
  });
}

async function tokenFrom(endpoint: string, audience = 'snowflakecomputing.com') {
  return clientOf(endpoint).send(
    new GetWebIdentityTokenCommand({ Audience: [audience], SigningAlgorithm: 'RS256', DurationSeconds: 300 }),
  );
}

function partsOf(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header = '', payload = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<STSServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as STSServiceException;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sts = await StsStandIn.start();
});

afterAll(async () => {
  await sts.close();
});

describe('STS stand-in, through the real @aws-sdk/client-sts', () => {
  it('issues a token for the role the endpoint runs as, with the claims AWS documents', async () => {
    const answer = await tokenFrom(sts.endpointFor(FUNCTION_ROLE));

    const { header, claims } = partsOf(answer.WebIdentityToken ?? '');
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(claims).toMatchObject({ iss: sts.issuer, sub: FUNCTION_ROLE, aud: 'snowflakecomputing.com' });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(300);
    expect(claims['https://sts.amazonaws.com/']).toMatchObject({ aws_account: '123456789012' });
    expect(answer.Expiration?.getTime()).toBe(Number(claims.exp) * 1000);
  });

  it('signs with a key that its public key verifies', async () => {
    const token = (await tokenFrom(sts.endpoint)).WebIdentityToken ?? '';

    const [header, payload, signature = ''] = token.split('.');
    const valid = createVerify('RSA-SHA256')
      .update(`${header}.${payload}`)
      .verify(sts.publicKey, Buffer.from(signature, 'base64url'));
    expect(valid).toBe(true);
  });

  it('gives callers of the bare endpoint the default role', async () => {
    const token = (await tokenFrom(sts.endpoint)).WebIdentityToken ?? '';

    expect(partsOf(token).claims.sub).toBe('arn:aws:iam::123456789012:role/lab-function');
  });

  it('gives two endpoints for two roles their own subjects', async () => {
    const other = 'arn:aws:iam::123456789012:role/other';

    const first = partsOf((await tokenFrom(sts.endpointFor(FUNCTION_ROLE))).WebIdentityToken ?? '');
    const second = partsOf((await tokenFrom(sts.endpointFor(other))).WebIdentityToken ?? '');

    expect([first.claims.sub, second.claims.sub]).toEqual([FUNCTION_ROLE, other]);
    expect(sts.endpointFor(FUNCTION_ROLE)).toBe(sts.endpointFor(FUNCTION_ROLE));
  });

  it('refuses when outbound identity federation is not enabled', async () => {
    sts.outboundFederation = false;
    try {
      const error = await failureOf(tokenFrom(sts.endpoint));

      expect(error.name).toBe('OutboundWebIdentityFederationDisabledException');
      expect(error.$metadata.httpStatusCode).toBe(403);
    } finally {
      sts.outboundFederation = true;
    }
  });

  it.each([
    ['a duration under a minute', { Audience: ['a'], SigningAlgorithm: 'RS256', DurationSeconds: 30 }],
    ['a duration over an hour', { Audience: ['a'], SigningAlgorithm: 'RS256', DurationSeconds: 3601 }],
    ['no audience', { Audience: [], SigningAlgorithm: 'RS256' }],
    ['an algorithm the lab does not sign with', { Audience: ['a'], SigningAlgorithm: 'ES384' }],
  ])('refuses %s with ValidationError', async (_case, input) => {
    const error = await failureOf(clientOf(sts.endpoint).send(new GetWebIdentityTokenCommand(input)));

    expect(error.name).toBe('ValidationError');
    expect(sts.calls.at(-1)?.status).toBe(400);
  });

  it('throttles the next calls on demand, and the SDK retries through it', async () => {
    sts.throttle(1);
    const client = new STSClient({
      endpoint: sts.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'ASIALAB', secretAccessKey: 'secret' },
      maxAttempts: 3,
    });

    const answer = await client.send(
      new GetWebIdentityTokenCommand({ Audience: ['a'], SigningAlgorithm: 'RS256' }),
    );

    expect(answer.WebIdentityToken).toBeDefined();
    expect(sts.calls.slice(-2).map((c) => c.errorCode)).toEqual(['Throttling', undefined]);
  });

  it('refuses an unsigned request', async () => {
    const response = await fetch(sts.endpoint, {
      method: 'POST',
      body: 'Action=GetWebIdentityToken&Version=2011-06-15&Audience.member.1=a&SigningAlgorithm=RS256',
    });

    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });
});
