import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SnowflakeStandIn } from '../../lab/snowflake';
import { described, type KeyPair, keyPairJwt, newKeyPair, type Reply, submit } from './snowflake-helpers';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/snowflake';
const CREATE_API = `CREATE API INTEGRATION echo_api
  API_PROVIDER = aws_api_gateway
  API_AWS_ROLE_ARN = '${ROLE_ARN}'
  API_ALLOWED_PREFIXES = ('https://abc.execute-api.us-east-1.amazonaws.com/prod/')
  ENABLED = TRUE
  COMMENT = 'made by a test'`;
let snowflake: SnowflakeStandIn;
let key: KeyPair;

function as(user: string, statement: string, role?: string): Promise<Reply> {
  return submit(snowflake.endpoint, statement, {
    token: keyPairJwt('XY12345', user, key),
    ...(role === undefined ? {} : { role }),
  });
}

const admin = (statement: string) => as('ADMIN', statement);

beforeAll(async () => {
  key = newKeyPair();
  snowflake = await SnowflakeStandIn.start();
  snowflake.createRole('INTEGRATOR', ['CREATE INTEGRATION']);
  snowflake.createRole('ANALYST');
  snowflake.createUser({ name: 'ADMIN', rsaPublicKey: key.publicKeyPem, roles: ['ACCOUNTADMIN'] });
  snowflake.createUser({ name: 'LINKER', rsaPublicKey: key.publicKeyPem, roles: ['INTEGRATOR', 'ANALYST'] });
});

afterEach(async () => {
  for (const integration of snowflake.integrations()) await admin(`DROP INTEGRATION "${integration.name}"`);
});

afterAll(async () => {
  await snowflake.close();
});

describe('Snowflake stand-in: API integrations', () => {
  it('creates an integration and describes it with the account IAM user and a new external id', async () => {
    const created = await admin(CREATE_API);
    const description = await admin('DESC API INTEGRATION echo_api');

    expect(created.body.data).toEqual([['Integration ECHO_API successfully created.']]);
    expect(description.body.resultSetMetaData?.rowType.map((c) => c.name)).toEqual([
      'property',
      'property_type',
      'property_value',
      'property_default',
    ]);
    expect(described(description)).toMatchObject({
      ENABLED: 'true',
      API_PROVIDER: 'AWS_API_GATEWAY',
      API_AWS_ROLE_ARN: ROLE_ARN,
      API_AWS_IAM_USER_ARN: snowflake.iamUserArn,
      API_ALLOWED_PREFIXES: 'https://abc.execute-api.us-east-1.amazonaws.com/prod/',
      API_BLOCKED_PREFIXES: '',
      COMMENT: 'made by a test',
    });
    expect(described(description).API_AWS_EXTERNAL_ID).toMatch(/^XY12345_SFCRole=2_[A-Za-z0-9+/=]+$/);
  });

  it('answers every value as a string', async () => {
    await admin(CREATE_API);

    const reply = await admin('SHOW INTEGRATIONS');

    expect(reply.body.data?.flat().every((value) => value === null || typeof value === 'string')).toBe(true);
    expect(reply.body.data?.[0]?.slice(0, 4)).toEqual(['ECHO_API', 'EXTERNAL_API', 'API', 'true']);
  });

  it('gives a new external id on CREATE OR REPLACE, and keeps it on ALTER', async () => {
    await admin(CREATE_API);
    const first = described(await admin('DESCRIBE INTEGRATION echo_api')).API_AWS_EXTERNAL_ID;

    await admin(CREATE_API.replace('CREATE', 'CREATE OR REPLACE'));
    const replaced = described(await admin('DESCRIBE INTEGRATION echo_api')).API_AWS_EXTERNAL_ID;
    await admin("ALTER API INTEGRATION echo_api SET ENABLED = FALSE API_BLOCKED_PREFIXES = ('https://x/')");
    const altered = described(await admin('DESCRIBE INTEGRATION echo_api'));

    expect(replaced).not.toBe(first);
    expect(altered.API_AWS_EXTERNAL_ID).toBe(replaced);
    expect(altered).toMatchObject({ ENABLED: 'false', API_BLOCKED_PREFIXES: 'https://x/' });
  });

  it('refuses to create an integration that exists, and leaves it alone with IF NOT EXISTS', async () => {
    await admin(CREATE_API);
    const externalId = snowflake.integration('ECHO_API')?.externalId;

    const again = await admin(CREATE_API);
    const ifNotExists = await admin(
      CREATE_API.replace('INTEGRATION echo_api', 'INTEGRATION IF NOT EXISTS echo_api'),
    );

    expect(again).toMatchObject({ status: 422, body: { code: '002002', sqlState: '42710' } });
    expect(ifNotExists.body.data).toEqual([['ECHO_API already exists, statement succeeded.']]);
    expect(snowflake.integration('ECHO_API')?.externalId).toBe(externalId);
  });

  it('drops an integration, and DROP IF EXISTS of a missing one succeeds', async () => {
    await admin(CREATE_API);

    const dropped = await admin('DROP API INTEGRATION echo_api');
    const again = await admin('DROP INTEGRATION IF EXISTS echo_api');
    const missing = await admin('DROP INTEGRATION echo_api');

    expect(dropped.body.data).toEqual([['ECHO_API successfully dropped.']]);
    expect(again.status).toBe(200);
    expect(missing).toMatchObject({ status: 422, body: { code: '002003', sqlState: '02000' } });
    expect(missing.body.message).toBe(
      "SQL compilation error:\nIntegration 'ECHO_API' does not exist or not authorized.",
    );
  });

  it('keeps a quoted name as written and a quoted literal whole', async () => {
    const comment = "it's; DROP INTEGRATION x; -- $$ \\\\ \n";
    const literal = `'${comment.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\n/g, '\\n')}'`;

    const reply = await admin(
      `${CREATE_API.replace('echo_api', '"Echo Api"').replace("'made by a test'", () => literal)}`,
    );

    expect(reply.status).toBe(200);
    expect(snowflake.integration('Echo Api')?.values.get('COMMENT')).toBe(comment);
    expect(snowflake.integrations()).toHaveLength(1);
  });

  it('creates a storage integration and describes its STORAGE_ properties', async () => {
    await admin(`CREATE STORAGE INTEGRATION s3_int TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'S3' ENABLED = TRUE
      STORAGE_AWS_ROLE_ARN = '${ROLE_ARN}' STORAGE_ALLOWED_LOCATIONS = ('s3://bucket/a/', 's3://bucket/b/')`);

    const rows = described(await admin('DESCRIBE STORAGE INTEGRATION s3_int'));

    expect(rows).toMatchObject({
      STORAGE_PROVIDER: 'S3',
      STORAGE_ALLOWED_LOCATIONS: 's3://bucket/a/,s3://bucket/b/',
      STORAGE_AWS_IAM_USER_ARN: snowflake.iamUserArn,
    });
    expect(rows.STORAGE_AWS_EXTERNAL_ID).toMatch(/^XY12345_SFCRole=/);
  });
});

describe('Snowflake stand-in: roles and grants', () => {
  it('refuses CREATE INTEGRATION to a role without the privilege', async () => {
    const reply = await as('LINKER', CREATE_API, 'ANALYST');

    expect(reply).toMatchObject({ status: 422, body: { code: '003001', sqlState: '42501' } });
    expect(reply.body.message).toBe(
      "SQL access control error:\nInsufficient privileges to operate on account 'XY12345'",
    );
    expect(snowflake.integrations()).toEqual([]);
  });

  it('lets a role with CREATE INTEGRATION create, and hides the integration from other roles', async () => {
    const created = await as('LINKER', CREATE_API, 'INTEGRATOR');
    const seenByOther = await as('LINKER', 'DESCRIBE INTEGRATION echo_api', 'ANALYST');
    const shownToOther = await as('LINKER', 'SHOW INTEGRATIONS', 'ANALYST');

    expect(created.status).toBe(200);
    expect(seenByOther.body.code).toBe('002003');
    expect(shownToOther.body.data).toEqual([]);
  });

  it('refuses a role that is not granted to the user', async () => {
    const reply = await as('LINKER', 'SHOW INTEGRATIONS', 'ACCOUNTADMIN');

    expect(reply).toMatchObject({ status: 422, body: { code: '390189' } });
  });

  it('stops a role whose privilege is revoked', async () => {
    snowflake.setPrivilege('INTEGRATOR', 'CREATE INTEGRATION', false);
    try {
      expect((await as('LINKER', CREATE_API, 'INTEGRATOR')).body.code).toBe('003001');
    } finally {
      snowflake.setPrivilege('INTEGRATOR', 'CREATE INTEGRATION', true);
    }
  });
});

describe('Snowflake stand-in: statements it does not understand', () => {
  it.each([
    [
      'an unknown statement',
      'CREATE WAREHOUSE wh',
      "SQL compilation error:\nsyntax error line 1 at position 7 unexpected 'WAREHOUSE'.",
    ],
    [
      'an unknown property',
      'ALTER API INTEGRATION x SET COLOR = 1',
      "SQL compilation error:\nsyntax error line 1 at position 28 unexpected 'COLOR'.",
    ],
    [
      'a CREATE without ENABLED',
      "CREATE API INTEGRATION x API_PROVIDER = aws_api_gateway API_AWS_ROLE_ARN = 'a' API_ALLOWED_PREFIXES = ('b')",
      undefined,
    ],
    ['an unterminated literal', "DESCRIBE INTEGRATION 'x", undefined],
  ])('answers 422 001003 for %s', async (_case, statement, message) => {
    const reply = await admin(statement);

    expect(reply).toMatchObject({ status: 422, body: { code: '001003', sqlState: '42000' } });
    if (message !== undefined) expect(reply.body.message).toBe(message);
    expect(reply.body.statementHandle).toBeDefined();
  });

  it('refuses several statements in one request', async () => {
    const reply = await admin(`${CREATE_API}; DROP INTEGRATION echo_api;`);

    expect(reply).toMatchObject({ status: 422, body: { code: '000008' } });
    expect(snowflake.integrations()).toEqual([]);
  });
});
