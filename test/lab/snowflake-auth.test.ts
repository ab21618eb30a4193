import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnowflakeStandIn } from '../../lab/snowflake';
import { StsStandIn } from '../../lab/sts';
import { type KeyPair, keyPairJwt, newKeyPair, submit } from './snowflake-helpers';

const FUNCTION_ROLE = 'arn:aws:iam::123456789012:role/snowflake-side';
const SHOW = 'SHOW INTEGRATIONS';
let snowflake: SnowflakeStandIn;
let sts: StsStandIn;
let key: KeyPair;
let rotated: KeyPair;

async function workloadToken(roleArn: string, audience = 'snowflakecomputing.com'): Promise<string> {
  const client = new STSClient({
    endpoint: sts.endpointFor(roleArn),
    region: 'us-east-1',
    credentials: { accessKeyId: 'ASIALAB', secretAccessKey: 'secret' },
  });
  const answer = await client.send(
    new GetWebIdentityTokenCommand({ Audience: [audience], SigningAlgorithm: 'RS256' }),
  );
  return answer.WebIdentityToken ?? '';
}

beforeAll(async () => {
  key = newKeyPair();
  rotated = newKeyPair();
  sts = await StsStandIn.start();
  snowflake = await SnowflakeStandIn.start({ workloadIssuers: [sts] });
  snowflake.createUser({ name: 'trust_link', rsaPublicKey: key.publicKeyPem, roles: ['ACCOUNTADMIN'] });
  snowflake.createUser({ name: 'WIF_USER', workloadIdentity: { type: 'AWS', arn: FUNCTION_ROLE } });
});

afterAll(async () => {
  await snowflake.close();
  await sts.close();
});

describe('Snowflake stand-in: key-pair JWTs', () => {
  it.each(['XY12345', 'MYORG-MYACCOUNT'])('accepts a JWT whose account is %s', async (account) => {
    const reply = await submit(snowflake.endpoint, SHOW, {
      token: keyPairJwt(account, 'TRUST_LINK', key),
      tokenType: 'KEYPAIR_JWT',
    });

    expect(reply.status).toBe(200);
    expect(reply.body.code).toBe('090001');
  });

  it('shows the fingerprint DESC USER would show', () => {
    expect(snowflake.fingerprints('trust_link')).toEqual({ RSA_PUBLIC_KEY: key.fingerprint });
  });

  it.each([
    ['a locator with its region', 'XY12345.US-EAST-1', 'TRUST_LINK'],
    ['a lower-case account', 'xy12345', 'TRUST_LINK'],
    ['an org-account name written with an underscore', 'MYORG_MYACCOUNT', 'TRUST_LINK'],
    ['a lower-case user', 'XY12345', 'trust_link'],
    ['an unknown user', 'XY12345', 'SOMEONE'],
  ])('refuses 401 390144 for %s', async (_case, account, user) => {
    const reply = await submit(snowflake.endpoint, SHOW, { token: keyPairJwt(account, user, key) });

    expect(reply).toEqual({ status: 401, body: { code: '390144', message: 'JWT token is invalid.' } });
    expect(snowflake.calls.at(-1)?.refusal).toBeDefined();
  });

  it('says in its log why the account identifier was refused, and nothing to the caller', async () => {
    await submit(snowflake.endpoint, SHOW, { token: keyPairJwt('XY12345.US-EAST-1', 'TRUST_LINK', key) });

    expect(snowflake.calls.at(-1)?.refusal).toBe(
      "account 'XY12345.US-EAST-1' is not this account (XY12345 or MYORG-MYACCOUNT)",
    );
  });

  it('refuses 401 394304 a key the user does not have', async () => {
    const reply = await submit(snowflake.endpoint, SHOW, {
      token: keyPairJwt('XY12345', 'TRUST_LINK', rotated),
    });

    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('394304');
  });

  it('accepts the key in RSA_PUBLIC_KEY_2, for rotation', async () => {
    snowflake.setPublicKey('TRUST_LINK', 'RSA_PUBLIC_KEY_2', rotated.publicKeyPem);
    try {
      const reply = await submit(snowflake.endpoint, SHOW, {
        token: keyPairJwt('XY12345', 'TRUST_LINK', rotated),
      });

      expect(reply.status).toBe(200);
    } finally {
      snowflake.setPublicKey('TRUST_LINK', 'RSA_PUBLIC_KEY_2', undefined);
    }
  });

  it('refuses a JWT signed by another key than the one its fingerprint names', async () => {
    const forged = keyPairJwt('XY12345', 'TRUST_LINK', key, {}, rotated.privateKey);

    const reply = await submit(snowflake.endpoint, SHOW, { token: forged });

    expect(reply.body.code).toBe('390144');
    expect(snowflake.calls.at(-1)?.refusal).toBe('signature does not verify');
  });

  const now = Math.floor(Date.now() / 1000);
  it.each([
    ['lives more than an hour', { iat: now, exp: now + 3601 }],
    ['has expired beyond the clock skew', { iat: now - 3000, exp: now - 120 }],
    ['is issued in the future beyond the clock skew', { iat: now + 300, exp: now + 600 }],
    ['has an empty sub', { sub: '' }],
    ['has a sub that is not the start of iss', { sub: 'XY12345.OTHER' }],
  ])('refuses a JWT that %s', async (_case, claims) => {
    const reply = await submit(snowflake.endpoint, SHOW, {
      token: keyPairJwt('XY12345', 'TRUST_LINK', key, claims),
    });

    expect(reply.body.code).toBe('390144');
  });

  it('accepts a JWT a little past exp, within the clock skew', async () => {
    const token = keyPairJwt('XY12345', 'TRUST_LINK', key, { iat: now - 1000, exp: now - 30 });

    expect((await submit(snowflake.endpoint, SHOW, { token })).status).toBe(200);
  });
});

describe('Snowflake stand-in: tokens and workload identity', () => {
  it('accepts a programmatic access token, and refuses it once revoked', async () => {
    const secret = snowflake.addProgrammaticAccessToken('TRUST_LINK');

    const accepted = await submit(snowflake.endpoint, SHOW, {
      token: secret,
      tokenType: 'PROGRAMMATIC_ACCESS_TOKEN',
    });
    snowflake.revokeProgrammaticAccessToken(secret);
    const refused = await submit(snowflake.endpoint, SHOW, {
      token: secret,
      tokenType: 'PROGRAMMATIC_ACCESS_TOKEN',
    });

    expect(accepted.status).toBe(200);
    expect(refused).toMatchObject({ status: 401, body: { code: '394400' } });
  });

  it('refuses an expired programmatic access token', async () => {
    const secret = snowflake.addProgrammaticAccessToken('TRUST_LINK', -1);

    const reply = await submit(snowflake.endpoint, SHOW, { token: secret });

    expect(reply.status).toBe(401);
  });

  it('accepts a token from the STS stand-in for the user whose WORKLOAD_IDENTITY is the role', async () => {
    const token = await workloadToken(FUNCTION_ROLE);

    const reply = await submit(snowflake.endpoint, SHOW, { token, tokenType: 'WORKLOAD_IDENTITY' });

    expect(reply.status).toBe(200);
    expect(snowflake.calls.at(-1)?.user).toBe('WIF_USER');
  });

  it('tells a workload-identity token from its issuer when the header is absent', async () => {
    const reply = await submit(snowflake.endpoint, SHOW, { token: await workloadToken(FUNCTION_ROLE) });

    expect(reply.status).toBe(200);
  });

  it.each([
    ['a role no user is federated with', 'arn:aws:iam::123456789012:role/other', 'snowflakecomputing.com'],
    ['another audience', FUNCTION_ROLE, 'https://api.example.com'],
  ])('refuses a workload-identity token for %s', async (_case, role, audience) => {
    const token = await workloadToken(role, audience);

    const reply = await submit(snowflake.endpoint, SHOW, { token, tokenType: 'WORKLOAD_IDENTITY' });

    expect(reply).toMatchObject({ status: 401, body: { code: '390144' } });
  });

  it('refuses a workload-identity token from an issuer it does not trust', async () => {
    const stranger = await StsStandIn.start({ callerRoleArn: FUNCTION_ROLE });
    try {
      const client = new STSClient({
        endpoint: stranger.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'ASIALAB', secretAccessKey: 'secret' },
      });
      const answer = await client.send(
        new GetWebIdentityTokenCommand({ Audience: ['snowflakecomputing.com'], SigningAlgorithm: 'RS256' }),
      );

      const reply = await submit(snowflake.endpoint, SHOW, {
        token: answer.WebIdentityToken ?? '',
        tokenType: 'WORKLOAD_IDENTITY',
      });

      expect(reply.body.code).toBe('390144');
    } finally {
      await stranger.close();
    }
  });

  it('refuses 401 390101 a request without Authorization', async () => {
    const response = await fetch(`${snowflake.endpoint}/api/v2/statements`, {
      method: 'POST',
      body: JSON.stringify({ statement: SHOW }),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: '390101' });
  });

  it.each([
    ['not JSON', 'SHOW INTEGRATIONS'],
    ['no statement', '{"timeout": 10}'],
    ['a negative timeout', '{"statement": "SHOW INTEGRATIONS", "timeout": -1}'],
  ])('refuses 400 390142 a body with %s', async (_case, body) => {
    const response = await fetch(`${snowflake.endpoint}/api/v2/statements`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${keyPairJwt('XY12345', 'TRUST_LINK', key)}` },
      body,
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: '390142' });
  });
});
