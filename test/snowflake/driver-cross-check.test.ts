// Our key-pair JWT against an independent implementation: Snowflake's own Node.js driver, snowflake-sdk,
// pinned at 3.4.0 (a dev dependency only). Its JWT code is not a public API: this test imports its internal
// modules by path (dist/lib/connection/connection_config.js, dist/lib/authentication/auth_keypair.js), so a new
// driver version may move them; re-pin deliberately. For the same key and each account-identifier form, our iss,
// sub and fingerprint must equal the driver's: a difference is a bug in one of us, decided by
// https://docs.snowflake.com/en/developer-guide/sql-api/authenticating ("Generate a JWT token": the account
// upper case, the locator without its region) and https://docs.snowflake.com/en/user-guide/admin-account-identifier.

import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccountIdentifier, userForJwt } from '../../handler/snowflake/client/account';
import { readSigningKey, signKeyPairJwt } from '../../handler/snowflake/client/jwt';
import { storedName } from '../../handler/snowflake/client/sql';
import { SnowflakeStandIn } from '../../lab/snowflake';
import { submit } from '../lab/snowflake-helpers';
import { testKeyPair } from './keys';

const require = createRequire(import.meta.url);
const DRIVER_VERSION = '3.4.0';

interface DriverConfig {
  account: string;
  username: string;
}
type DriverConfigClass = new (options: Record<string, unknown>) => DriverConfig;
interface DriverKeypair {
  authenticate(authenticator: string, serviceName: string, account: string, username: string): Promise<void>;
  updateBody(body: { data: Record<string, unknown> }): void;
}
type DriverKeypairClass = new (config: Record<string, () => unknown>) => DriverKeypair;

const driverVersion = (require('snowflake-sdk/package.json') as { version: string }).version;
const ConnectionConfig =
  require('snowflake-sdk/dist/lib/connection/connection_config.js') as DriverConfigClass;
const AuthKeypair = require('snowflake-sdk/dist/lib/authentication/auth_keypair.js') as DriverKeypairClass;

interface Claims {
  iss: string;
  sub: string;
  iat: number;
  exp: number;
}

function claimsOf(token: string): Claims {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Claims;
}

/** The driver's JWT for an `account` and `user` option, as it builds it for a connection. */
async function driverJwt(account: string, user: string): Promise<string> {
  const key = testKeyPair().pkcs8;
  const config = new ConnectionConfig({
    account,
    username: user,
    authenticator: 'SNOWFLAKE_JWT',
    privateKey: key,
  });
  const keypair = new AuthKeypair({
    getPrivateKey: () => key,
    getPrivateKeyPath: () => undefined,
    getPrivateKeyPass: () => undefined,
  });
  await keypair.authenticate('SNOWFLAKE_JWT', '', config.account, config.username);
  const body: { data: Record<string, unknown> } = { data: {} };
  keypair.updateBody(body);
  return String(body.data.TOKEN);
}

/** Ours, from the same inputs as a connection secret holds them. */
function ourJwt(account: string, user: string): string {
  const identity = { account: parseAccountIdentifier(account).forJwt, user: userForJwt(storedName(user)) };
  return signKeyPairJwt(identity, readSigningKey(testKeyPair().pkcs8)).token;
}

describe(`key-pair JWT cross-check with snowflake-sdk ${DRIVER_VERSION}`, () => {
  it('runs against the pinned driver version', () => {
    expect(driverVersion).toBe(DRIVER_VERSION);
  });

  it.each([
    ['an organization-account name', 'myorg-myaccount', 'trust_link_svc', 'MYORG-MYACCOUNT.TRUST_LINK_SVC'],
    ['an account locator', 'xy12345', 'svc', 'XY12345.SVC'],
    ['a locator with its AWS region', 'xy12345.us-east-1', 'svc', 'XY12345.SVC'],
    ['a locator with region and cloud', 'xy12345.us-east-2.aws', 'svc', 'XY12345.SVC'],
    ['names with underscores', 'my_org-my_account', 'trust_link_svc', 'MY_ORG-MY_ACCOUNT.TRUST_LINK_SVC'],
    ['a user name with a period', 'myorg-myaccount', '"trust.link"', 'MYORG-MYACCOUNT.TRUST.LINK'],
  ])('agrees on iss, sub and fingerprint for %s', async (_form, account, user, subject) => {
    const driverUser = user.replaceAll('"', '');
    const driver = claimsOf(await driverJwt(account, driverUser));
    const ours = claimsOf(ourJwt(account, user));

    expect(ours.sub).toBe(subject);
    expect(ours.sub).toBe(driver.sub);
    expect(ours.iss).toBe(driver.iss);
    expect(ours.iss).toBe(`${subject}.${readSigningKey(testKeyPair().pkcs8).fingerprint}`);
  });

  // The SQL form orgname.account_name (admin-account-identifier) is one the driver reads as account.region:
  // its host would be myorg.myaccount.snowflakecomputing.com, which does not exist. We read it as the
  // organization and account, and send what the driver sends for the documented URL form, orgname-account_name.
  it('sends for the SQL form org.account what the driver sends for the URL form org-account', async () => {
    const driverForUrlForm = claimsOf(await driverJwt('myorg-myaccount', 'svc'));
    const driverForSqlForm = claimsOf(await driverJwt('myorg.myaccount', 'svc'));

    expect(claimsOf(ourJwt('myorg.myaccount', 'svc')).iss).toBe(driverForUrlForm.iss);
    expect(driverForSqlForm.sub).toBe('MYORG.SVC');
  });

  it('differs only in the unit of iat and exp, both documented: seconds ours, milliseconds the driver', async () => {
    const driver = claimsOf(await driverJwt('xy12345', 'svc'));
    const ours = claimsOf(ourJwt('xy12345', 'svc'));

    expect(Math.abs(driver.iat - ours.iat * 1000)).toBeLessThan(60_000);
    expect(ours.exp - ours.iat).toBeLessThanOrEqual(3600);
  });
});

describe('the stand-in judges the driver as Snowflake does', () => {
  let snowflake: SnowflakeStandIn;

  beforeAll(async () => {
    snowflake = await SnowflakeStandIn.start();
    snowflake.createUser({
      name: 'SVC',
      roles: ['ACCOUNTADMIN'],
      rsaPublicKey: testKeyPair().publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
  });

  afterAll(async () => {
    await snowflake.close();
  });

  it.each([
    ['the driver', () => driverJwt('xy12345.us-east-1', 'svc')],
    ['ours', async () => ourJwt('xy12345.us-east-1', 'svc')],
  ])('accepts the JWT %s signs for the same user', async (_who, sign) => {
    const reply = await submit(snowflake.endpoint, 'SHOW INTEGRATIONS', {
      token: await sign(),
      tokenType: 'KEYPAIR_JWT',
    });

    expect(reply.status).toBe(200);
  });
});
