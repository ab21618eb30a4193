// Custom::SnowflakeStage against a scripted SQL API, which records the statements sent (the end-to-end suite
// runs it against the lab's stand-in, pipes included).
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
const STAGE_ID = 'SnowflakeStage:["LAB","PUBLIC","FILES"]';
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
  const fake = await startFakeSqlApi((request, index) => answer(statementOf(request), index));
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
  return { invocation, statements: () => fake.requests.map(statementOf) };
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

    await updateStage({ ...PROPERTIES, Url: 's3://my-bucket/other/' }, PROPERTIES, STAGE_ID, invocation);
    const renamed = await updateStage(
      { ...PROPERTIES, StageName: 'files2', Validate: 'false' },
      PROPERTIES,
      STAGE_ID,
      invocation,
    );

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

  it('drops the stage its id names', async () => {
    const { invocation, statements } = await start(() => rows('ok'));

    await deleteStage(PROPERTIES, STAGE_ID, invocation);

    expect(statements()).toEqual(['DROP STAGE IF EXISTS "LAB"."PUBLIC"."FILES"']);
  });

  it.each([
    ['SnowflakeStage:["LAB","PUBLIC"]', undefined],
    ['SnowflakeStage:nope', undefined],
    ['Other', undefined],
    [STAGE_ID, { database: 'LAB', schema: 'PUBLIC', name: 'FILES' }],
  ])('reads the id %s', (id, target) => {
    expect(parseStagePhysicalId(id)).toEqual(target);
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
