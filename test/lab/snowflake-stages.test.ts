import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SnowflakeStandIn } from '../../lab/snowflake';
import { type KeyPair, keyPairJwt, newKeyPair, type Reply, submit } from './snowflake-helpers';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/snowflake';
const URL = 's3://bucket/snowflake/';
// As handler/snowflake/resources/stage.ts writes it: every name quoted, as Snowflake stores it.
const CREATE_STAGE = `CREATE STAGE "LAB"."PUBLIC"."LANDING" URL = '${URL}' STORAGE_INTEGRATION = "S3_INT"`;
let snowflake: SnowflakeStandIn;
let key: KeyPair;

function as(user: string, statement: string, role?: string): Promise<Reply> {
  return submit(snowflake.endpoint, statement, {
    token: keyPairJwt('XY12345', user, key),
    database: 'LAB',
    schema: 'PUBLIC',
    ...(role === undefined ? {} : { role }),
  });
}

const admin = (statement: string) => as('ADMIN', statement);
const loader = (statement: string) => as('LOADER', statement, 'LOADER');

function storageIntegration(name: string, run = admin): Promise<Reply> {
  return run(`CREATE STORAGE INTEGRATION ${name} TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'S3' ENABLED = TRUE
    STORAGE_AWS_ROLE_ARN = '${ROLE_ARN}' STORAGE_ALLOWED_LOCATIONS = ('${URL}')`);
}

function stages(): Array<[string, string, string | undefined, string]> {
  return snowflake
    .stages()
    .map((s) => [`${s.database}.${s.schema}.${s.name}`, s.url, s.integration, s.owner]);
}

beforeAll(async () => {
  key = newKeyPair();
  snowflake = await SnowflakeStandIn.start();
  snowflake.createRole('LOADER', ['CREATE INTEGRATION']);
  snowflake.createUser({ name: 'ADMIN', rsaPublicKey: key.publicKeyPem, roles: ['ACCOUNTADMIN'] });
  snowflake.createUser({ name: 'LOADER', rsaPublicKey: key.publicKeyPem, roles: ['LOADER'] });
  snowflake.createDatabase('LAB');
});

beforeEach(async () => {
  await storageIntegration('s3_int');
});

afterEach(async () => {
  for (const s of snowflake.stages()) await admin(`DROP STAGE "${s.database}"."${s.schema}"."${s.name}"`);
  for (const i of snowflake.integrations()) await admin(`DROP INTEGRATION "${i.name}"`);
});

afterAll(async () => {
  await snowflake.close();
});

describe('Snowflake stand-in: external stages', () => {
  it('creates a stage on a storage integration, and drops it', async () => {
    const created = await admin(CREATE_STAGE);
    const kept = stages();
    const dropped = await admin('DROP STAGE IF EXISTS "LAB"."PUBLIC"."LANDING"');

    expect(created.body.data).toEqual([['Stage area LANDING successfully created.']]);
    expect(kept).toEqual([['LAB.PUBLIC.LANDING', URL, 'S3_INT', 'ACCOUNTADMIN']]);
    expect(dropped.body.data).toEqual([['LANDING successfully dropped.']]);
    expect(stages()).toEqual([]);
  });

  it("resolves an unqualified name in the request's database and schema, and keeps a quoted name as written", async () => {
    const plain = await admin(
      `CREATE STAGE landing URL = '${URL}' STORAGE_INTEGRATION = s3_int COMMENT = 'x'`,
    );
    const quoted = await admin(CREATE_STAGE.replace('"LANDING"', '"landing"'));

    expect([plain.status, quoted.status]).toEqual([200, 200]);
    expect(stages().map(([name]) => name)).toEqual(['LAB.PUBLIC.LANDING', 'LAB.PUBLIC.landing']);
    expect(snowflake.stages()[0]?.comment).toBe('x');
  });

  it('refuses to create a stage that exists, replaces it with OR REPLACE, and leaves it with IF NOT EXISTS', async () => {
    await admin(CREATE_STAGE);

    const again = await admin(CREATE_STAGE);
    const ifNotExists = await admin(
      CREATE_STAGE.replace('STAGE', 'STAGE IF NOT EXISTS').replace(URL, 's3://bucket/other/'),
    );
    const kept = stages();
    const replaced = await admin(
      CREATE_STAGE.replace('CREATE', 'CREATE OR REPLACE').replace(URL, 's3://bucket/new/'),
    );

    expect(again).toMatchObject({ status: 422, body: { code: '002002', sqlState: '42710' } });
    expect(again.body.message).toBe("SQL compilation error:\nObject 'LANDING' already exists.");
    expect(ifNotExists.body.data).toEqual([['LANDING already exists, statement succeeded.']]);
    expect(kept.map(([, url]) => url)).toEqual([URL]);
    expect(replaced.status).toBe(200);
    expect(stages().map(([, url]) => url)).toEqual(['s3://bucket/new/']);
  });

  it.each([
    ['a storage integration that does not exist', 'S3_INT', 'NONE', "Integration 'NONE'"],
    ['an API integration', 'S3_INT', 'ECHO_API', "Integration 'ECHO_API'"],
    ['a database that does not exist', '"LAB"', '"NOPE"', "Database 'NOPE'"],
    ['a schema that does not exist', '"PUBLIC"', '"RAW"', "Schema 'LAB.RAW'"],
  ])('refuses a stage on %s, and makes none', async (_case, from, to, named) => {
    await admin(`CREATE API INTEGRATION echo_api API_PROVIDER = aws_api_gateway API_AWS_ROLE_ARN = '${ROLE_ARN}'
      API_ALLOWED_PREFIXES = ('https://x/') ENABLED = TRUE`);

    const reply = await admin(CREATE_STAGE.replace(from, to));

    expect(reply).toMatchObject({ status: 422, body: { code: '002003', sqlState: '02000' } });
    expect(reply.body.message).toBe(`SQL compilation error:\n${named} does not exist or not authorized.`);
    expect(stages()).toEqual([]);
  });

  it('needs a database for an unqualified name when the request gives none', async () => {
    const reply = await submit(snowflake.endpoint, `CREATE STAGE landing URL = '${URL}'`, {
      token: keyPairJwt('XY12345', 'ADMIN', key),
    });

    expect(reply).toMatchObject({ status: 422, body: { code: '090105' } });
    expect(stages()).toEqual([]);
  });
});

describe('Snowflake stand-in: stages and roles', () => {
  it('refuses a stage on an integration the role may not see (it stands in for USAGE)', async () => {
    const reply = await loader(CREATE_STAGE);

    expect(reply).toMatchObject({ status: 422, body: { code: '002003' } });
    expect(stages()).toEqual([]);
  });

  it('lets a role create a stage on its own integration, which it then owns', async () => {
    await storageIntegration('loader_int', loader);

    const reply = await loader(CREATE_STAGE.replace('"S3_INT"', 'loader_int'));

    expect(reply.status).toBe(200);
    expect(stages()).toEqual([['LAB.PUBLIC.LANDING', URL, 'LOADER_INT', 'LOADER']]);
  });

  it('neither replaces nor drops a stage another role owns, and DROP IF EXISTS leaves it', async () => {
    await storageIntegration('loader_int', loader);
    await admin(CREATE_STAGE);
    const before = stages();

    const replaced = await loader(
      CREATE_STAGE.replace('CREATE', 'CREATE OR REPLACE').replace('"S3_INT"', 'loader_int'),
    );
    const dropIfExists = await loader('DROP STAGE IF EXISTS "LAB"."PUBLIC"."LANDING"');
    const drop = await loader('DROP STAGE "LAB"."PUBLIC"."LANDING"');

    expect(replaced).toMatchObject({ status: 422, body: { code: '003001', sqlState: '42501' } });
    expect(replaced.body.message).toBe(
      "SQL access control error:\nInsufficient privileges to operate on stage 'LANDING'",
    );
    expect(dropIfExists.body.data).toEqual([
      ['Drop statement executed successfully (LANDING already dropped).'],
    ]);
    expect(drop.body.message).toBe(
      "SQL compilation error:\nStage 'LANDING' does not exist or not authorized.",
    );
    expect(stages()).toEqual(before);
  });
});

describe('Snowflake stand-in: stage statements it does not understand', () => {
  it.each([
    ['an internal stage (no URL)', 'CREATE STAGE landing', '<EOF>'],
    [
      'credentials instead of an integration',
      `CREATE STAGE landing URL = '${URL}' CREDENTIALS = (AWS_KEY_ID = 'a')`,
      'CREDENTIALS',
    ],
    ['a URL given twice', `CREATE STAGE landing URL = '${URL}' URL = '${URL}'`, 'URL'],
    ['DESCRIBE STAGE', 'DESCRIBE STAGE landing', 'STAGE'],
  ])('answers 422 001003 for %s', async (_case, statement, unexpected) => {
    const reply = await admin(statement);

    expect(reply).toMatchObject({ status: 422, body: { code: '001003' } });
    expect(reply.body.message).toMatch(new RegExp(`unexpected '${unexpected}'\\.$`));
    expect(stages()).toEqual([]);
  });
});

describe('Snowflake stand-in: what a stage is linked to, by identity', () => {
  const pipe = `CREATE PIPE lab.public.loader AS COPY INTO lab.public.events FROM @lab.public.landing/in/`;
  const status = "SELECT SYSTEM$PIPE_STATUS('lab.public.loader')";
  const stateOf = (reply: Reply) =>
    (JSON.parse(reply.body.data?.[0]?.[0] ?? '{}') as { executionState?: string }).executionState;

  it('loses its storage integration when the integration is re-created, until ALTER STAGE re-links it', async () => {
    await admin(CREATE_STAGE);
    await admin(`CREATE OR REPLACE STORAGE INTEGRATION s3_int TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'S3'
      ENABLED = TRUE STORAGE_AWS_ROLE_ARN = '${ROLE_ARN}' STORAGE_ALLOWED_LOCATIONS = ('${URL}')`);

    const broken = await admin('LIST @landing');
    await admin('ALTER STAGE landing SET STORAGE_INTEGRATION = s3_int');
    const relinked = await admin('LIST @landing');

    expect(broken).toMatchObject({ status: 422, body: { code: '003139' } });
    expect(broken.body.message).toBe(
      "SQL compilation error:\nIntegration 'S3_INT' associated with the stage 'LANDING' cannot be found.",
    );
    expect(relinked.status).toBe(200);
  });

  it('keeps its pipes running and its external tables linked through ALTER STAGE, and breaks both when re-created', async () => {
    await storageIntegration('s3_int_r2');
    await admin(CREATE_STAGE);
    await admin(pipe);
    await admin(
      'CREATE EXTERNAL TABLE lab.public.events_ext WITH LOCATION = @landing/in/ FILE_FORMAT = (TYPE = CSV)',
    );

    const altered = await admin(`ALTER STAGE landing SET URL = '${URL}' STORAGE_INTEGRATION = s3_int_r2`);
    const afterAlter = await admin(status);
    await admin(`CREATE OR REPLACE STAGE landing URL = '${URL}' STORAGE_INTEGRATION = s3_int_r2`);
    const afterReplace = await admin(status);

    expect(altered.status).toBe(200);
    expect(stateOf(afterAlter)).toBe('RUNNING');
    expect(stateOf(afterReplace)).toBe('STOPPED_STAGE_DROPPED');
    expect(snowflake.externalTables()).toEqual([{ name: 'LAB.PUBLIC.EVENTS_EXT', stageLinked: false }]);
    expect(snowflake.stages()[0]?.integration).toBe('S3_INT_R2');
  });

  it('neither alters a stage another role owns nor re-links it to an integration the role may not see', async () => {
    await admin(CREATE_STAGE);
    await storageIntegration('loader_int', loader);

    const byLoader = await loader("ALTER STAGE lab.public.landing SET COMMENT = 'x'");
    const toHidden = await admin('ALTER STAGE landing SET STORAGE_INTEGRATION = missing_int');
    const missing = await admin("ALTER STAGE IF EXISTS nothing SET COMMENT = 'x'");

    expect(byLoader).toMatchObject({ status: 422, body: { code: '002003' } });
    expect(toHidden).toMatchObject({ status: 422, body: { code: '002003' } });
    expect(missing.status).toBe(200);
    expect(stages()).toEqual([['LAB.PUBLIC.LANDING', URL, 'S3_INT', 'ACCOUNTADMIN']]);
  });
});
