import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnowflakeStandIn } from '../../lab/snowflake';
import { StsStandIn } from '../../lab/sts';
import { type KeyPair, keyPairJwt, newKeyPair, submit } from './snowflake-helpers';

const FUNCTION_ROLE = 'arn:aws:iam::123456789012:role/snowflake-side';
const SHOW = 'SHOW INTEGRATIONS';
const INVALID_WITH_ID = /^JWT token is invalid\. \[([0-9a-f-]{36})\]$/;
let snowflake: SnowflakeStandIn;
let sts: StsStandIn;
let key: KeyPair;
let rotated: KeyPair;

// A token AWS STS would issue for the role: what a workload-identity client would send.
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
  snowflake = await SnowflakeStandIn.start();
  snowflake.createUser({ name: 'trust_link', rsaPublicKey: key.publicKeyPem, roles: ['ACCOUNTADMIN'] });
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

    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('390144');
    expect(reply.body.message).toMatch(INVALID_WITH_ID);
    expect(snowflake.calls.at(-1)?.refusal).toBeDefined();
  });

  it('says in its log why the account identifier was refused, and nothing to the caller', async () => {
    await submit(snowflake.endpoint, SHOW, { token: keyPairJwt('XY12345.US-EAST-1', 'TRUST_LINK', key) });

    expect(snowflake.calls.at(-1)?.refusal).toBe(
      "account 'XY12345.US-EAST-1' is not this account (XY12345 or MYORG-MYACCOUNT)",
    );
  });

  it('refuses a key the user does not have with 390144 only, the cause kept for SYSTEM$GET_LOGIN_FAILURE_DETAILS', async () => {
    const reply = await submit(snowflake.endpoint, SHOW, {
      token: keyPairJwt('XY12345', 'TRUST_LINK', rotated),
    });

    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('390144');
    expect(reply.body.code).not.toBe('394304');
    const id = INVALID_WITH_ID.exec(reply.body.message ?? '')?.[1] ?? '';
    expect(snowflake.loginFailureDetails(id)).toBe(
      `${rotated.fingerprint} is neither RSA_PUBLIC_KEY nor RSA_PUBLIC_KEY_2`,
    );
  });

  it('gives each refused sign-in its own id', async () => {
    const token = keyPairJwt('XY12345', 'TRUST_LINK', rotated);

    const first = await submit(snowflake.endpoint, SHOW, { token });
    const second = await submit(snowflake.endpoint, SHOW, { token });

    expect(first.body.message).not.toBe(second.body.message);
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
    ['was issued more than an hour ago, whatever its exp says', { iat: now - 3700, exp: now + 3600 }],
    [
      'was issued more than an hour ago, in milliseconds',
      { iat: (now - 3700) * 1000, exp: (now + 600) * 1000 },
    ],
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

  it.each([
    ['an exp beyond an hour, honoured for an hour only', { iat: now, exp: now + 7200 }],
    ['iat and exp in milliseconds', { iat: now * 1000, exp: (now + 120) * 1000 }],
  ])('accepts a JWT with %s', async (_case, claims) => {
    const reply = await submit(snowflake.endpoint, SHOW, {
      token: keyPairJwt('XY12345', 'TRUST_LINK', key, claims),
    });

    expect(reply.status).toBe(200);
  });

  it('accepts a JWT a little past exp, within the clock skew', async () => {
    const token = keyPairJwt('XY12345', 'TRUST_LINK', key, { iat: now - 1000, exp: now - 30 });

    expect((await submit(snowflake.endpoint, SHOW, { token })).status).toBe(200);
  });
});

describe('Snowflake stand-in: tokens and request forms', () => {
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

  // The authenticating page lists KEYPAIR_JWT, OAUTH and PROGRAMMATIC_ACCESS_TOKEN, and no workload identity.
  it.each([['WORKLOAD_IDENTITY'], ['WORKLOAD_IDENTITY_FEDERATION'], ['keypair_jwt'], ['OAUTH']])(
    'refuses 401 a token sent with type %s, which the page does not document or the lab does not serve',
    async (type) => {
      const reply = await submit(snowflake.endpoint, SHOW, {
        token: await workloadToken(FUNCTION_ROLE),
        tokenType: type,
      });

      expect(reply.status).toBe(401);
      expect(snowflake.calls.at(-1)?.user).toBeUndefined();
    },
  );

  it('reads an STS web identity token sent with no type as a key-pair JWT, and refuses it 390144', async () => {
    const reply = await submit(snowflake.endpoint, SHOW, { token: await workloadToken(FUNCTION_ROLE) });

    expect(reply.status).toBe(401);
    expect(reply.body.message).toMatch(INVALID_WITH_ID);
  });

  it.each([
    ['WIF.AWS.<token>', async () => `WIF.AWS.${await workloadToken(FUNCTION_ROLE)}`],
    ['two tokens', async () => `${keyPairJwt('XY12345', 'TRUST_LINK', key)} extra`],
  ])('refuses a Bearer value shaped as %s', async (_case, token) => {
    const reply = await submit(snowflake.endpoint, SHOW, { token: await token(), tokenType: 'KEYPAIR_JWT' });

    expect(reply.status).toBe(401);
  });

  it('refuses 415 a body sent as other than application/json', async () => {
    const response = await fetch(`${snowflake.endpoint}/api/v2/statements`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${keyPairJwt('XY12345', 'TRUST_LINK', key)}`,
        'Content-Type': 'text/plain',
      },
      body: JSON.stringify({ statement: SHOW }),
    });

    expect(response.status).toBe(415);
    expect(snowflake.executions.some((e) => e.requestId === snowflake.calls.at(-1)?.requestId)).toBe(false);
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
      headers: {
        Authorization: `Bearer ${keyPairJwt('XY12345', 'TRUST_LINK', key)}`,
        'Content-Type': 'application/json',
      },
      body,
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: '390142' });
  });
});
