import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IamStandIn } from '../../lab/iam';
import { ASSUME_ROLE_ERROR, SnowflakeStandIn } from '../../lab/snowflake';
import { linkedTrust, SNOWFLAKE_USER } from '../helpers/trust';
import {
  type EchoService,
  type KeyPair,
  keyPairJwt,
  newKeyPair,
  type Reply,
  startEcho,
  submit,
} from './snowflake-helpers';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/snowflake';
let iam: IamStandIn;
let snowflake: SnowflakeStandIn;
let echo: EchoService;
let key: KeyPair;

function run(
  statement: string,
  extra: { warehouse?: string; bindings?: Record<string, { type: string; value: string }> } = {},
): Promise<Reply> {
  return submit(snowflake.endpoint, statement, {
    token: keyPairJwt('XY12345', 'ADMIN', key),
    database: 'LAB',
    schema: 'PUBLIC',
    warehouse: 'COMPUTE_WH',
    ...extra,
  });
}

const placeholder = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' },
  ],
};

async function createApiIntegration(): Promise<string> {
  await run(`CREATE OR REPLACE API INTEGRATION echo_api API_PROVIDER = aws_api_gateway
    API_AWS_ROLE_ARN = '${ROLE_ARN}' API_ALLOWED_PREFIXES = ('${new URL('/prod/', echo.url).href}') ENABLED = TRUE`);
  return snowflake.integration('ECHO_API')?.externalId ?? '';
}

async function createEchoFunction(): Promise<Reply> {
  return run(`CREATE OR REPLACE EXTERNAL FUNCTION echo(value VARIANT) RETURNS VARIANT
    API_INTEGRATION = echo_api AS '${echo.url}'`);
}

beforeAll(async () => {
  key = newKeyPair();
  echo = await startEcho();
  iam = await IamStandIn.start({ knownPrincipals: [SNOWFLAKE_USER] });
  snowflake = await SnowflakeStandIn.start({ iam, iamUserArn: SNOWFLAKE_USER });
  snowflake.createUser({ name: 'ADMIN', rsaPublicKey: key.publicKeyPem, roles: ['ACCOUNTADMIN'] });
  snowflake.createDatabase('LAB');
});

beforeEach(() => {
  iam.createRole({ roleName: 'snowflake', trustPolicy: placeholder });
});

afterEach(() => {
  iam.deleteRole('snowflake');
  snowflake.propagationMs = 0;
  echo.status = 200;
});

afterAll(async () => {
  await snowflake.close();
  await iam.close();
  await echo.close();
});

describe('Snowflake stand-in: external functions', () => {
  it('calls the function through its integration once the trust is linked, and answers its rows', async () => {
    iam.setTrustPolicy('snowflake', linkedTrust(await createApiIntegration()));
    const created = await createEchoFunction();

    const reply = await run("SELECT echo('hello')");

    expect(created.body.data).toEqual([['Function ECHO successfully created.']]);
    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual([['"hello"']]);
    expect(reply.body.resultSetMetaData?.rowType).toMatchObject([{ name: "ECHO('HELLO')", type: 'variant' }]);
    expect(echo.batches.at(-1)).toEqual({ data: [[0, 'hello']] });
    expect(snowflake.assumeAttempts.at(-1)).toMatchObject({ roleArn: ROLE_ARN, allowed: true });
  });

  it('fails with Snowflake\'s "Error assuming AWS_ROLE" when the trust lacks the external id', async () => {
    await createApiIntegration();
    await createEchoFunction();
    const sent = echo.batches.length;

    const reply = await run("SELECT echo('hello')");

    expect(reply).toMatchObject({ status: 422, body: { message: ASSUME_ROLE_ERROR } });
    expect(echo.batches).toHaveLength(sent);
  });

  it('fails after CREATE OR REPLACE until the trust names the new external id', async () => {
    iam.setTrustPolicy('snowflake', linkedTrust(await createApiIntegration()));
    await createEchoFunction();

    const renewed = await createApiIntegration();
    const stale = await run("SELECT echo('hello')");
    iam.setTrustPolicy('snowflake', linkedTrust(renewed));
    const relinked = await run("SELECT echo('hello')");

    expect(stale.body.message).toBe(ASSUME_ROLE_ERROR);
    expect(relinked.status).toBe(200);
  });

  it('fails until a new trust has propagated', async () => {
    snowflake.propagationMs = 300;
    const externalId = await createApiIntegration();
    await createEchoFunction();
    await sleep(350);

    iam.setTrustPolicy('snowflake', linkedTrust(externalId));
    const early = await run("SELECT echo('hello')");
    await sleep(350);
    const late = await run("SELECT echo('hello')");

    expect(early.body.message).toBe(ASSUME_ROLE_ERROR);
    expect(late.body.data).toEqual([['"hello"']]);
  });

  it('passes bindings as arguments', async () => {
    iam.setTrustPolicy('snowflake', linkedTrust(await createApiIntegration()));
    await createEchoFunction();

    const reply = await run('SELECT echo(?)', { bindings: { '1': { type: 'TEXT', value: "it's" } } });

    expect(reply.body.data).toEqual([['"it\'s"']]);
  });

  it('reports the remote service error with its status', async () => {
    iam.setTrustPolicy('snowflake', linkedTrust(await createApiIntegration()));
    await createEchoFunction();
    echo.status = 500;

    const reply = await run("SELECT echo('hello')");

    expect(reply.status).toBe(422);
    expect(reply.body.message).toMatch(
      /^Request failed for external function ECHO with remote service error: 500 /,
    );
  });

  it('needs a warehouse to call a function', async () => {
    iam.setTrustPolicy('snowflake', linkedTrust(await createApiIntegration()));
    await createEchoFunction();

    const reply = await run("SELECT echo('hello')", { warehouse: 'NO_SUCH_WH' });

    expect(reply).toMatchObject({ status: 422, body: { code: '000606' } });
  });

  it('refuses a function on an integration that does not exist', async () => {
    const reply = await run(
      `CREATE EXTERNAL FUNCTION echo(value VARIANT) RETURNS VARIANT API_INTEGRATION = nowhere AS '${echo.url}'`,
    );

    expect(reply.body.message).toBe(
      "SQL compilation error:\nIntegration 'NOWHERE' does not exist or not authorized.",
    );
  });

  it('drops a function, after which a call names it unknown', async () => {
    await createApiIntegration();
    await createEchoFunction();

    const dropped = await run('DROP FUNCTION IF EXISTS lab.public.echo(VARIANT)');
    const call = await run("SELECT echo('hello')");

    expect(dropped.body.data).toEqual([['ECHO successfully dropped.']]);
    expect(call).toMatchObject({ status: 422, body: { code: '002140' } });
    expect(snowflake.functions()).toEqual([]);
  });
});

describe('Snowflake stand-in: overloads and grants on functions', () => {
  const analyst = (statement: string) =>
    submit(snowflake.endpoint, statement, {
      token: keyPairJwt('XY12345', 'ANALYST', key),
      database: 'LAB',
      schema: 'PUBLIC',
      warehouse: 'COMPUTE_WH',
    });

  beforeAll(() => {
    snowflake.createRole('ANALYST_ROLE');
    snowflake.createUser({ name: 'ANALYST', rsaPublicKey: key.publicKeyPem, roles: ['ANALYST_ROLE'] });
  });

  it('keeps two functions of one name that differ in argument types, and drops one by its types', async () => {
    iam.setTrustPolicy('snowflake', linkedTrust(await createApiIntegration()));
    await createEchoFunction();
    await run(`CREATE EXTERNAL FUNCTION echo(value VARCHAR) RETURNS VARCHAR
      API_INTEGRATION = echo_api AS '${echo.url}'`);

    const both = snowflake.functions().map((f) => f.parameters.map((p) => p.type));
    await run('DROP FUNCTION echo(STRING)');

    expect(both).toEqual([['VARIANT'], ['VARCHAR']]);
    expect(snowflake.functions().map((f) => f.parameters.map((p) => p.type))).toEqual([['VARIANT']]);
    await run('DROP FUNCTION echo(VARIANT)');
  });

  it('lets a role with USAGE call the function, keeps the grant through ALTER FUNCTION, and loses it on re-create', async () => {
    iam.setTrustPolicy('snowflake', linkedTrust(await createApiIntegration()));
    await createEchoFunction();
    const denied = await analyst("SELECT echo('x')");
    await run('GRANT USAGE ON FUNCTION echo(VARIANT) TO ROLE analyst_role');
    const granted = await analyst("SELECT echo('x')");
    await run('ALTER FUNCTION echo(VARIANT) SET API_INTEGRATION = echo_api');
    const shown = await run('SHOW GRANTS ON FUNCTION lab.public.echo(VARIANT)');
    const afterAlter = await analyst("SELECT echo('x')");
    await createEchoFunction();
    const afterReplace = await analyst("SELECT echo('x')");

    expect(denied).toMatchObject({ status: 422, body: { code: '002140' } });
    expect(granted.body.data).toEqual([['"x"']]);
    expect(shown.body.data?.map((row) => [row[1], row[2], row[3], row[4], row[5], row[6]])).toEqual([
      ['OWNERSHIP', 'FUNCTION', 'LAB.PUBLIC.ECHO(VARIANT)', 'ROLE', 'ACCOUNTADMIN', 'true'],
      ['USAGE', 'FUNCTION', 'LAB.PUBLIC.ECHO(VARIANT)', 'ROLE', 'ANALYST_ROLE', 'false'],
    ]);
    expect(afterAlter.body.data).toEqual([['"x"']]);
    expect(afterReplace).toMatchObject({ status: 422, body: { code: '002140' } });
    await run('DROP FUNCTION echo(VARIANT)');
  });

  it('refuses a grant to a role that does not exist, and an ALTER to an integration that does not', async () => {
    await createApiIntegration();
    await createEchoFunction();

    const noRole = await run('GRANT USAGE ON FUNCTION echo(VARIANT) TO ROLE nobody');
    const noIntegration = await run('ALTER FUNCTION echo(VARIANT) SET API_INTEGRATION = nothing');
    const wrongTypes = await run("ALTER FUNCTION echo(VARCHAR) SET COMMENT = 'x'");

    expect(noRole).toMatchObject({ status: 422, body: { code: '002003' } });
    expect(noIntegration).toMatchObject({ status: 422, body: { code: '002003' } });
    expect(wrongTypes).toMatchObject({ status: 422, body: { code: '002003' } });
    expect(snowflake.functions()[0]?.integration).toBe('ECHO_API');
    await run('DROP FUNCTION echo(VARIANT)');
  });
});

describe('Snowflake stand-in: SYSTEM$VALIDATE_STORAGE_INTEGRATION', () => {
  async function createStorageIntegration(): Promise<string> {
    await run(`CREATE OR REPLACE STORAGE INTEGRATION s3_int TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'S3'
      ENABLED = TRUE STORAGE_AWS_ROLE_ARN = '${ROLE_ARN}' STORAGE_ALLOWED_LOCATIONS = ('s3://bucket/data/')`);
    return snowflake.integration('S3_INT')?.externalId ?? '';
  }

  const validate =
    "SELECT SYSTEM$VALIDATE_STORAGE_INTEGRATION('S3_INT', 's3://bucket/data/', 'test.csv', 'all')";

  it('reports success for every action once Snowflake can assume the role', async () => {
    iam.setTrustPolicy('snowflake', linkedTrust(await createStorageIntegration()));

    const reply = await run(validate);

    expect(JSON.parse(reply.body.data?.[0]?.[0] ?? '')).toEqual({
      status: 'success',
      actions: {
        READ: { status: 'success' },
        DELETE: { status: 'success' },
        LIST: { status: 'success' },
        WRITE: { status: 'success' },
      },
    });
  });

  it('reports failure with the assume-role error when the trust is not linked', async () => {
    await createStorageIntegration();

    const reply = await run(validate);

    const report = JSON.parse(reply.body.data?.[0]?.[0] ?? '') as {
      status: string;
      actions: Record<string, object>;
    };
    expect(report.status).toBe('failure');
    expect(report.actions.READ).toEqual({ status: 'failure', message: ASSUME_ROLE_ERROR });
  });

  it('reads the name case-sensitively: a lower-case name finds no integration stored upper case', async () => {
    await createStorageIntegration();

    const reply = await run(validate.replace("'S3_INT'", "'s3_int'"));

    expect(reply).toMatchObject({ status: 422, body: { code: '002003' } });
    expect(reply.body.message).toMatch(/Integration 's3_int' does not exist or not authorized/);
  });
});
