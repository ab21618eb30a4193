// examples/storage-integration.yaml's one-deploy stack (SnowflakeConnection given) through the lab's
// CloudFormation stand-in, with the built bundles: the storage integration, the link, and the stage made
// once SYSTEM$VALIDATE_STORAGE_INTEGRATION says Snowflake reaches the bucket. After each operation both
// sides are checked: Snowflake's catalog and the storage role's trust.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { identifier, qualifiedName, sql, stringLiteral } from '../../handler/snowflake/client/sql';
import type { SqlApiClient } from '../../handler/snowflake/client/sql-api';
import type { Lab, Stack, Template, TrustPolicy } from '../../lab';
import { statementsOf } from './harness';
import { startOneDeployLab } from './one-deploy-lab';

const BUNDLES = ['dist/snowflake/index.mjs', 'dist/trust-link/index.mjs'];
const INTEGRATION = 'S3_STORAGE_INTEGRATION';
const STAGE = 'LAB.PUBLIC.SNOWFLAKE_TRUST_LINK_STAGE';
const VALIDATE = 'SYSTEM$VALIDATE_STORAGE_INTEGRATION';

let lab: Lab;
let template: Template;
let secretArn: string;
let client: SqlApiClient;
let stackCount = 0;

beforeAll(async () => {
  ({ lab, template, secretArn, client } = await startOneDeployLab({
    templatePath: 'examples/storage-integration.yaml',
    // The example's CodeUri is ../dist/…, relative to the example.
    templateDir: 'examples',
    bundles: BUNDLES,
    secretName: 'snowflake/storage-connection',
  }));
});

afterAll(async () => {
  await lab?.close();
});

beforeEach(async () => {
  lab.snowflake.propagationMs = 400;
  for (const stage of lab.snowflake.stages()) {
    await client.execute(sql`DROP STAGE IF EXISTS ${qualifiedName(['LAB', 'PUBLIC', `"${stage.name}"`])}`);
  }
  for (const { name } of lab.snowflake.integrations()) {
    await client.execute(sql`DROP INTEGRATION IF EXISTS ${identifier(`"${name}"`)}`);
  }
});

afterEach(async () => {
  await lab.cfn.settled();
  expect(lab.cfn.violations).toEqual([]);
});

function newStack(): Stack {
  stackCount += 1;
  return lab.cfn.stack(`storage-one-deploy-${stackCount}`);
}

/** Integrations and stages in Snowflake: names, and each stage's integration. */
function catalog(): { integrations: string[]; stages: Array<[string, string | undefined]> } {
  return {
    integrations: lab.snowflake
      .integrations()
      .map((i) => i.name)
      .sort(),
    stages: lab.snowflake.stages().map((s) => [`${s.database}.${s.schema}.${s.name}`, s.integration]),
  };
}

/** The external ids the link's statement on the storage role trusts; undefined once the role is gone. */
function trustedIds(roleName: string): unknown[] | undefined {
  const policy = lab.iam.trustPolicy(roleName) as TrustPolicy | undefined;
  if (policy === undefined) return undefined;
  const link = statementsOf(policy).find((s) => s.Sid === 'SnowflakeTrustLink');
  const ids = link?.Condition?.StringEquals?.['sts:ExternalId'];
  return ids === undefined ? [] : [ids].flat();
}

/** What SYSTEM$VALIDATE_STORAGE_INTEGRATION says now of the integration and the stage's URL. */
async function validation(integration: string, url: string): Promise<string | undefined> {
  const result = await client.execute(
    sql`SELECT SYSTEM$VALIDATE_STORAGE_INTEGRATION(${stringLiteral(integration)}, ${stringLiteral(url)}, 'check.txt', 'all')`,
  );
  return (JSON.parse(result.rows[0]?.[0] ?? '{}') as { status?: string }).status;
}

/** SYSTEM$PIPE_STATUS's executionState for a pipe. */
async function pipeState(pipe: string): Promise<string | undefined> {
  const result = await client.execute(sql`SELECT SYSTEM$PIPE_STATUS(${stringLiteral(pipe)})`);
  return (JSON.parse(result.rows[0]?.[0] ?? '{}') as { executionState?: string }).executionState;
}

function failures(result: { events: Array<{ logicalResourceId: string; reason?: string }> }): string[] {
  return result.events.filter((e) => e.reason).map((e) => `${e.logicalResourceId}: ${e.reason}`);
}

function validationsOf(integration: string): number {
  return lab.snowflake.executions.filter(
    (e) => e.statement.includes(VALIDATE) && e.statement.includes(`'${integration}'`),
  ).length;
}

describe('one deploy: examples/storage-integration.yaml with SnowflakeConnection', () => {
  it('creates the integration, the link and a validated stage; rotates; and deletes them all', async () => {
    const stack = newStack();

    const created = await stack.create(template, {
      SnowflakeConnection: secretArn,
      SnowflakeDatabase: 'LAB',
    });

    const roleName = stack.resource('SnowflakeStorageRole')?.physicalId ?? '';
    const url = `s3://${stack.resource('StageBucket')?.physicalId}/snowflake/`;
    const first = lab.snowflake.integration(INTEGRATION)?.externalId;
    expect(failures(created)).toEqual([]);
    expect(created.status).toBe('CREATE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [INTEGRATION], stages: [[STAGE, INTEGRATION]] });
    expect(lab.snowflake.stages()[0]?.url).toBe(url);
    expect(stack.resource('SnowflakeStage')?.attributes).toMatchObject({ Validation: 'success' });
    expect(validationsOf(INTEGRATION)).toBeGreaterThan(0);
    expect(trustedIds(roleName)).toEqual([first]);
    expect(await validation(INTEGRATION, url)).toBe('success');

    const rotated = await stack.update({ parameters: { SnowflakeRotation: 'r2' } });

    const second = lab.snowflake.integration(`${INTEGRATION}_R2`)?.externalId;
    expect(failures(rotated)).toEqual([]);
    expect(rotated.status).toBe('UPDATE_COMPLETE');
    expect(catalog()).toEqual({
      integrations: [`${INTEGRATION}_R2`],
      stages: [[STAGE, `${INTEGRATION}_R2`]],
    });
    expect(validationsOf(`${INTEGRATION}_R2`)).toBeGreaterThan(0);
    // Revoked at the cleanup: any integration of the account may present a retired id.
    expect(trustedIds(roleName)).toEqual([second]);
    expect(stack.outputs().SnowflakeRetiredExternalIds).toBe(first);
    expect(await validation(`${INTEGRATION}_R2`, url)).toBe('success');

    const deleted = await stack.delete();

    expect(deleted.status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [], stages: [] });
    expect(trustedIds(roleName)).toBeUndefined();
    expect(lab.iam.role(roleName)).toBeUndefined();
  });

  it('rotates with a pipe and an external table on the stage: the stage is altered, never re-created, so both keep working', async () => {
    const stack = newStack();
    await stack.create(template, { SnowflakeConnection: secretArn, SnowflakeDatabase: 'LAB' });
    await client.execute(
      sql`CREATE PIPE "LAB"."PUBLIC"."LOADER" AS COPY INTO "LAB"."PUBLIC"."EVENTS" FROM @${qualifiedName(['LAB', 'PUBLIC', 'SNOWFLAKE_TRUST_LINK_STAGE'])}/in/`,
    );
    await client.execute(
      sql`CREATE EXTERNAL TABLE "LAB"."PUBLIC"."EVENTS_EXT" LOCATION = @${qualifiedName(['LAB', 'PUBLIC', 'SNOWFLAKE_TRUST_LINK_STAGE'])}/in/ FILE_FORMAT = (TYPE = CSV)`,
    );
    const from = lab.snowflake.executions.length;

    const rotated = await stack.update({ parameters: { SnowflakeRotation: 'r2' } });

    const ddl = lab.snowflake.executions
      .slice(from)
      .map((e) => e.statement)
      .filter((statement) => /^(CREATE|ALTER|DROP) STAGE/.test(statement));
    expect(failures(rotated)).toEqual([]);
    expect(rotated.status).toBe('UPDATE_COMPLETE');
    expect(ddl).toEqual([
      `ALTER STAGE "LAB"."PUBLIC"."SNOWFLAKE_TRUST_LINK_STAGE" SET URL = '${lab.snowflake.stages()[0]?.url}' STORAGE_INTEGRATION = "${INTEGRATION}_R2"`,
    ]);
    expect(await pipeState('LAB.PUBLIC.LOADER')).toBe('RUNNING');
    expect(lab.snowflake.externalTables()).toContainEqual({
      name: 'LAB.PUBLIC.EVENTS_EXT',
      stageLinked: true,
    });
    // The old integration is dropped at cleanup: the stage reads through the new one, by its id.
    expect(catalog().integrations).toEqual([`${INTEGRATION}_R2`]);
    expect(
      (await client.execute(sql`LIST @${qualifiedName(['LAB', 'PUBLIC', 'SNOWFLAKE_TRUST_LINK_STAGE'])}`))
        .rows,
    ).toEqual([]);
    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
  });

  it('fails at the stage when Snowflake cannot assume the role, and rolls back both sides', async () => {
    lab.snowflake.propagationMs = 600_000;
    const stack = newStack();

    const created = await stack.create(template, {
      SnowflakeConnection: secretArn,
      SnowflakeDatabase: 'LAB',
    });

    const roleName = created.events.find(
      (e) => e.logicalResourceId === 'SnowflakeStorageRole' && e.status === 'CREATE_COMPLETE',
    )?.physicalResourceId;
    expect(roleName).toMatch(/-SnowflakeStorageRole-/);
    expect(created.status).toBe('ROLLBACK_COMPLETE');
    expect(failures(created).find((f) => f.startsWith('SnowflakeStage: '))).toMatch(
      /SYSTEM\$VALIDATE_STORAGE_INTEGRATION\('S3_STORAGE_INTEGRATION', .*\) failed after \d+ s: Error assuming AWS_ROLE/,
    );
    // The link had written its statement before the stage failed: the rollback had something to undo.
    expect(lab.iam.callsOf('UpdateAssumeRolePolicy', roleName).length).toBeGreaterThan(0);
    expect(catalog()).toEqual({ integrations: [], stages: [] });
    expect(trustedIds(roleName ?? '')).toBeUndefined();
  });
});
