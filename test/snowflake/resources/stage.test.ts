// Custom::SnowflakeStage against a scripted SQL API, which records the statements sent and answers who the
// session is (SVC, SVC_ROLE) itself (the end-to-end suite runs it against the lab's stand-in, pipes included).
import { afterEach, describe, expect, it } from 'vitest';
import { authenticatorFor } from '../../../handler/snowflake/client/credentials';
import { parseConnectionSecret } from '../../../handler/snowflake/client/settings';
import { SqlApiClient } from '../../../handler/snowflake/client/sql-api';
import type { Connect, SnowflakeInvocation } from '../../../handler/snowflake/resources/session';
import {
  createStage,
  deleteStage,
  parseStagePhysicalId,
  parseStageProperties,
  StageExistsError,
  StageValidationError,
  updateStage,
} from '../../../handler/snowflake/resources/stage';
import { type FakeSqlApi, type RecordedRequest, type Reply, startFakeSqlApi } from '../fake-sql-api';
import { FAILED_CREATE, STACK_ID } from './lab';

const PROPERTIES = {
  Connection: 'snowflake/connection',
  Database: 'LAB',
  Schema: 'PUBLIC',
  StageName: 'files',
  IntegrationName: 'S3_INT',
  Url: 's3://my-bucket/snowflake/',
};
const STAGE_ID = 'SnowflakeStage:["LAB","PUBLIC","FILES",["SVC","SVC_ROLE"]]';
// As 0.1 made it: no maker recorded.
const STAGE_ID_01 = 'SnowflakeStage:["LAB","PUBLIC","FILES"]';
const WHO = 'SELECT CURRENT_USER(), CURRENT_ROLE()';
const ASSUME =
  'Error assuming AWS_ROLE. Please verify the role and externalId are configured correctly in your AWS policy.';

let api: FakeSqlApi | undefined;

afterEach(async () => {
  await api?.close();
});

function rows(value: string): Reply {
  return {
    status: 200,
    body: { statementHandle: 'h', resultSetMetaData: { rowType: [{ name: 'X' }] }, data: [[value]] },
  };
}

function report(status: string, message?: string): Reply {
  return rows(JSON.stringify({ status, actions: { LIST: { status, ...(message ? { message } : {}) } } }));
}

// The statement of a request.
function statementOf(request: RecordedRequest): string {
  return (request.body as { statement?: string } | undefined)?.statement ?? '';
}

async function start(
  answer: (statement: string, index: number) => Reply,
): Promise<{ invocation: SnowflakeInvocation; statements: () => string[] }> {
  const fake = await startFakeSqlApi((request, index) =>
    statementOf(request) === WHO
      ? {
          status: 200,
          body: {
            statementHandle: 'h',
            resultSetMetaData: { rowType: [{ name: 'CURRENT_USER()' }, { name: 'CURRENT_ROLE()' }] },
            data: [['SVC', 'SVC_ROLE']],
          },
        }
      : answer(statementOf(request), index),
  );
  api = fake;
  const settings = parseConnectionSecret(
    JSON.stringify({ account: 'MYORG-MYACCOUNT', user: 'SVC', token: 't' }),
    'test',
  );
  const connect: Connect = async () =>
    new SqlApiClient(settings, authenticatorFor(settings), {
      endpointOverride: fake.url,
      retry: { attempts: 1, baseMs: 1, maxMs: 1 },
    });
  const invocation: SnowflakeInvocation = {
    signal: new AbortController().signal,
    owner: { stackId: STACK_ID, logicalId: 'Stage' },
    id: 'invocation-1',
    deadline: Date.now() + 300_000,
    failedPhysicalId: FAILED_CREATE,
    connect,
    verifyMs: 2500,
  };
  return { invocation, statements: () => fake.requests.map(statementOf).filter((s) => s !== WHO) };
}

describe('Custom::SnowflakeStage', () => {
  it('validates the location through the integration, retrying through propagation, then creates the stage', async () => {
    const { invocation, statements } = await start((statement, index) =>
      statement.startsWith('SELECT')
        ? index === 0
          ? report('failure', ASSUME)
          : report('success')
        : rows('ok'),
    );

    const outcome = await createStage(PROPERTIES, invocation);

    expect(outcome).toEqual({
      physicalResourceId: STAGE_ID,
      data: { StageName: 'LAB.PUBLIC.FILES', Validation: 'success' },
    });
    expect(statements()).toEqual([
      "SELECT SYSTEM$VALIDATE_STORAGE_INTEGRATION('S3_INT', 's3://my-bucket/snowflake/', 'validate_all.txt', 'list')",
      "SELECT SYSTEM$VALIDATE_STORAGE_INTEGRATION('S3_INT', 's3://my-bucket/snowflake/', 'validate_all.txt', 'list')",
      `CREATE STAGE "LAB"."PUBLIC"."FILES" URL = 's3://my-bucket/snowflake/' STORAGE_INTEGRATION = "S3_INT"`,
    ]);
    expect(invocation.failedPhysicalId).toBe(STAGE_ID);
  });

  it('fails without creating anything when the location is not allowed, saying so', async () => {
    const { invocation, statements } = await start(() =>
      report('failure', "Location 's3://x/' is not allowed by the integration."),
    );

    await expect(createStage(PROPERTIES, invocation)).rejects.toThrow(StageValidationError);

    expect(statements().filter((s) => s.startsWith('CREATE'))).toEqual([]);
    expect(invocation.failedPhysicalId).toBe(FAILED_CREATE);
  });

  it('gives up on an assume-role failure after its time, naming the likely causes', async () => {
    const { invocation } = await start(() => report('failure', ASSUME));

    await expect(createStage(PROPERTIES, invocation)).rejects.toThrow(
      /failed after \d+ s: Error assuming AWS_ROLE.*SnowflakeExternalId holds the integration's ExternalId/,
    );
  });

  it('refuses a stage it did not create, and its marker then drops nothing', async () => {
    const { invocation, statements } = await start((statement) =>
      statement.startsWith('CREATE')
        ? {
            status: 422,
            body: {
              code: '002002',
              message: "SQL compilation error: Object 'FILES' already exists.",
              sqlState: '42710',
            },
          }
        : report('success'),
    );

    await expect(createStage(PROPERTIES, invocation)).rejects.toThrow(StageExistsError);
    await deleteStage(PROPERTIES, invocation.failedPhysicalId, invocation);

    expect(invocation.failedPhysicalId).toBe(FAILED_CREATE);
    expect(statements().filter((s) => s.startsWith('DROP'))).toEqual([]);
  });

  it('alters its own stage in place for a new URL, and creates a renamed one beside the old', async () => {
    const { invocation, statements } = await start((statement) =>
      statement.startsWith('SELECT') ? report('success') : rows('ok'),
    );

    const inPlace = await updateStage(
      { ...PROPERTIES, Url: 's3://my-bucket/other/' },
      PROPERTIES,
      STAGE_ID_01,
      invocation,
    );
    const renamed = await updateStage(
      { ...PROPERTIES, StageName: 'files2', Validate: 'false' },
      PROPERTIES,
      STAGE_ID,
      invocation,
    );

    expect(inPlace.physicalResourceId).toBe(STAGE_ID_01);
    expect(renamed.physicalResourceId).toBe('SnowflakeStage:["LAB","PUBLIC","FILES2",["SVC","SVC_ROLE"]]');

    expect(statements().filter((s) => !s.startsWith('SELECT'))).toEqual([
      `ALTER STAGE "LAB"."PUBLIC"."FILES" SET URL = 's3://my-bucket/other/' STORAGE_INTEGRATION = "S3_INT"`,
      `CREATE STAGE "LAB"."PUBLIC"."FILES2" URL = 's3://my-bucket/snowflake/' STORAGE_INTEGRATION = "S3_INT"`,
    ]);
    expect(statements().some((s) => s.includes('OR REPLACE'))).toBe(false);
    expect(renamed.data?.Validation).toBe('not asked');
    expect(invocation.undo).toBeUndefined();
  });

  it('re-points the stage to a rotated integration with ALTER STAGE, once Snowflake has validated the new one', async () => {
    const { invocation, statements } = await start((statement) =>
      statement.startsWith('SELECT') ? report('success') : rows('ok'),
    );

    const updated = await updateStage(
      { ...PROPERTIES, IntegrationName: 'S3_INT_R2' },
      PROPERTIES,
      STAGE_ID,
      invocation,
    );

    expect(statements()).toEqual([
      `SELECT SYSTEM$VALIDATE_STORAGE_INTEGRATION('S3_INT_R2', 's3://my-bucket/snowflake/', 'validate_all.txt', 'list')`,
      `ALTER STAGE "LAB"."PUBLIC"."FILES" SET URL = 's3://my-bucket/snowflake/' STORAGE_INTEGRATION = "S3_INT_R2"`,
    ]);
    expect(updated).toEqual({
      physicalResourceId: STAGE_ID,
      data: { StageName: 'LAB.PUBLIC.FILES', Validation: 'success' },
    });
  });

  it.each([
    ['Validate turned off', { Validate: 'false' }, []],
    ['Validate turned on', { Validate: 'true' }, ['SELECT']],
    ['another connection', { Connection: 'snowflake/other' }, ['SELECT']],
    ['the same properties', {}, ['SELECT']],
  ])('sends no DDL when only %s changes (a validation may still run)', async (_case, change, expected) => {
    const { invocation, statements } = await start((statement) =>
      statement.startsWith('SELECT') ? report('success') : rows('ok'),
    );

    const updated = await updateStage({ ...PROPERTIES, ...change }, PROPERTIES, STAGE_ID, invocation);

    expect(statements().map((s) => s.split(' ')[0])).toEqual(expected);
    expect(updated.physicalResourceId).toBe(STAGE_ID);
  });

  it('alters in place when the old properties cannot be read, rather than re-create', async () => {
    const { invocation, statements } = await start((statement) =>
      statement.startsWith('SELECT') ? report('success') : rows('ok'),
    );

    await updateStage({ ...PROPERTIES, Validate: 'false' }, { Url: 'ftp://x' }, STAGE_ID, invocation);

    expect(statements()).toEqual([
      `ALTER STAGE "LAB"."PUBLIC"."FILES" SET URL = 's3://my-bucket/snowflake/' STORAGE_INTEGRATION = "S3_INT"`,
    ]);
  });

  it('leaves the stage as it was when validating the new integration fails', async () => {
    const { invocation, statements } = await start((statement) =>
      statement.startsWith('SELECT')
        ? report('failure', "Location 's3://my-bucket/snowflake/' is not allowed")
        : rows('ok'),
    );

    const update = updateStage(
      { ...PROPERTIES, IntegrationName: 'S3_INT_R2' },
      PROPERTIES,
      STAGE_ID,
      invocation,
    );

    await expect(update).rejects.toBeInstanceOf(StageValidationError);
    expect(statements().filter((s) => !s.startsWith('SELECT'))).toEqual([]);
  });

  it.each([STAGE_ID, STAGE_ID_01])('drops the stage the id %s names, without IF EXISTS', async (id) => {
    const { invocation, statements } = await start(() => rows('ok'));

    await deleteStage(PROPERTIES, id, invocation);

    expect(statements()).toEqual(['DROP STAGE "LAB"."PUBLIC"."FILES"']);
  });

  it.each([
    ['gone: the connection is its maker', STAGE_ID, 'SVC_ROLE', undefined],
    [
      'hidden: another role',
      STAGE_ID,
      'OTHER_ROLE',
      /made by user SVC with role SVC_ROLE.*--retain-resources Stage/,
    ],
    ['unknowable: a 0.1 id', STAGE_ID_01, 'SVC_ROLE', /did not record its user and role/],
  ])('reads 002003 on DROP as %s', async (_case, id, role, reason) => {
    const { invocation } = await start((statement) =>
      statement.startsWith('DROP')
        ? {
            status: 422,
            body: {
              code: '002003',
              message: "Stage 'FILES' does not exist or not authorized.",
              sqlState: '02000',
            },
          }
        : rows('ok'),
    );
    const whoAnswers = invocation.connect;
    invocation.connect = async (source, signal) => {
      const client = await whoAnswers(source, signal);
      const execute = client.execute.bind(client);
      client.execute = async (statement, options) => {
        const result = await execute(statement, options);
        return statement.text === WHO ? { ...result, rows: [['SVC', role]] } : result;
      };
      return client;
    };

    const deleting = deleteStage(PROPERTIES, id, invocation);

    if (reason) await expect(deleting).rejects.toThrow(reason);
    else await expect(deleting).resolves.toEqual({ physicalResourceId: id });
  });

  it.each([
    ['SnowflakeStage:["LAB","PUBLIC"]', undefined],
    ['SnowflakeStage:nope', undefined],
    ['Other', undefined],
    [STAGE_ID_01, { parts: ['LAB', 'PUBLIC', 'FILES'] }],
    [STAGE_ID, { parts: ['LAB', 'PUBLIC', 'FILES'], creator: { user: 'SVC', role: 'SVC_ROLE' } }],
  ])('reads the id %s', (id, target) => {
    expect(parseStagePhysicalId(id)).toEqual(target);
  });

  it('keeps the id of long names under 1,024 bytes and still drops the stage by its properties', async () => {
    // Quoted names of 255 two-byte characters: 1,530 bytes of names alone.
    const [d, sc, n] = ['d', 's', 'n'].map((c) => `${c}${'é'.repeat(254)}`) as [string, string, string];
    const long = { ...PROPERTIES, Database: `"${d}"`, Schema: `"${sc}"`, StageName: `"${n}"` };
    const { invocation, statements } = await start(() => rows('ok'));

    const created = await createStage({ ...long, Validate: 'false' }, invocation);
    await deleteStage(long, created.physicalResourceId, invocation);

    expect(Buffer.byteLength(created.physicalResourceId)).toBeLessThanOrEqual(1024);
    expect(statements().at(-1)).toBe(`DROP STAGE "${d}"."${sc}"."${n}"`);
    for (const properties of [PROPERTIES, { Connection: 'snowflake/connection' }]) {
      await expect(deleteStage(properties, created.physicalResourceId, invocation)).rejects.toThrow(
        /digest of the stage's long name/,
      );
    }
  });

  it('refuses a location that is not on S3 before sending anything', async () => {
    const { invocation, statements } = await start(() => rows('ok'));

    await expect(createStage({ ...PROPERTIES, Url: 'https://x/' }, invocation)).rejects.toThrow(
      /must be an s3:\/\/ URL/,
    );
    expect(statements()).toEqual([]);
  });

  it.each(['s3://b/p/', 's3gov://b/p/', 's3china://b/p/'])('takes the location %s', (url) => {
    expect(parseStageProperties({ ...PROPERTIES, Url: url }).url).toBe(url);
  });
});
