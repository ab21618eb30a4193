// Custom::SnowflakeStage: an external stage on a storage integration, made only once Snowflake has proven
// it can reach the location (SYSTEM$VALIDATE_STORAGE_INTEGRATION), retried through IAM's propagation.
// https://docs.snowflake.com/en/sql-reference/functions/system_validate_storage_integration: answers JSON
//   {"status": "success"|"failure", "actions": {"LIST": {"status": …, "message": …}}}.
// https://docs.snowflake.com/en/sql-reference/sql/create-stage: CREATE [OR REPLACE] STAGE name URL = '…'
//   STORAGE_INTEGRATION = name. Its usage notes: re-creating a stage (OR REPLACE) breaks the external tables
//   that reference it and stops its pipes (STOPPED_STAGE_DROPPED), so an update never re-creates one.
// https://docs.snowflake.com/en/sql-reference/sql/alter-stage: ALTER STAGE name SET URL = '…'
//   STORAGE_INTEGRATION = name changes an external stage in place.

import { CustomResourceError } from '../../framework/errors';
import type { Outcome } from '../../framework/framework';
import { log } from '../../framework/log';
import { sleep } from '../../framework/retry';
import type { ConnectionSource } from '../client/connection';
import { StatementFailedError } from '../client/errors';
import { type SqlText, sql, stringLiteral } from '../client/sql';
import type { SqlApiClient } from '../client/sql-api';
import { storedIdentifier } from './names';
import { PropertyReader } from './properties';
import type { SnowflakeInvocation } from './session';

/** Snowflake could not reach the location through the integration in the time given. */
export class StageValidationError extends CustomResourceError {}

/** The stage exists already and this resource did not create it. */
export class StageExistsError extends CustomResourceError {}

interface StageSpec {
  connection: ConnectionSource;
  database: string;
  schema: string;
  name: string;
  integration: string;
  url: string;
  validate: boolean;
}

type StageTarget = Pick<StageSpec, 'database' | 'schema' | 'name'>;

const PREFIX = 'SnowflakeStage:';
const PROPERTIES = ['Database', 'Schema', 'StageName', 'IntegrationName', 'Url', 'Validate'];
const PRIVILEGE =
  'USAGE on the database, USAGE and CREATE STAGE on the schema, and USAGE on the storage integration';
const ALTER_PRIVILEGE = 'OWNERSHIP of the stage, and USAGE on the storage integration';
const ASSUME_ROLE = /Error assuming AWS_ROLE/;
const VERIFY_MARGIN_MS = 15_000;

/** Validates the location, then creates the stage. */
export async function createStage(properties: unknown, invocation: SnowflakeInvocation): Promise<Outcome> {
  const spec = parseStageProperties(properties);
  const client = await invocation.connect(spec.connection, invocation.signal);
  const validation = spec.validate ? await validated(client, spec, invocation) : 'not asked';
  const marker = invocation.failedPhysicalId;
  invocation.failedPhysicalId = stagePhysicalId(spec);
  await createOwn(client, spec, invocation, () => {
    invocation.failedPhysicalId = marker;
  });
  return outcome(spec, validation);
}

/**
 * Alters its own stage in place (URL, integration), and sends nothing when neither changed; a new name is a
 * new stage (CloudFormation drops the old one at cleanup). Validation runs first, as on Create.
 */
export async function updateStage(
  properties: unknown,
  oldProperties: unknown,
  physicalId: string,
  invocation: SnowflakeInvocation,
): Promise<Outcome> {
  const spec = parseStageProperties(properties);
  const client = await invocation.connect(spec.connection, invocation.signal);
  const validation = spec.validate ? await validated(client, spec, invocation) : 'not asked';
  if (stagePhysicalId(spec) === physicalId) {
    if (stageChanged(oldProperties, spec)) {
      await client.execute(alterStageSql(spec), { signal: invocation.signal, privilege: ALTER_PRIVILEGE });
    }
    return outcome(spec, validation);
  }
  invocation.undo = (signal) => dropStage(client, spec, signal);
  await createOwn(client, spec, invocation, () => {
    invocation.undo = undefined;
  });
  invocation.undo = undefined;
  return outcome(spec, validation);
}

/** Drops the stage the id names; any other id names nothing. */
export async function deleteStage(
  properties: unknown,
  physicalId: string,
  invocation: SnowflakeInvocation,
): Promise<Outcome> {
  const target = parseStagePhysicalId(physicalId);
  if (!target) {
    log('info', 'Nothing to drop: the physical id names no stage', { physicalId });
    return { physicalResourceId: physicalId };
  }
  const reader = new PropertyReader(properties, 'Custom::SnowflakeStage', 'any');
  const connection = reader.connection();
  reader.done();
  const client = await invocation.connect(connection, invocation.signal);
  await dropStage(client, target, invocation.signal);
  return { physicalResourceId: physicalId };
}

/** Parses ResourceProperties; throws InvalidPropertiesError naming every problem. */
export function parseStageProperties(properties: unknown): StageSpec {
  const read = new PropertyReader(properties, 'Custom::SnowflakeStage', PROPERTIES);
  const connection = read.connection();
  const url = read.required('Url', 'the stage location, s3://<bucket>/<path>/');
  if (url && !/^s3(gov|china)?:\/\/[^\s']+$/.test(url))
    read.problems.push(`Url "${url}" must be an s3:// URL (s3gov:// or s3china:// in those regions).`);
  const spec: StageSpec = {
    connection,
    database: read.name('Database', 'the database the stage is created in'),
    schema: read.name('Schema', 'the schema the stage is created in (e.g. PUBLIC)'),
    name: read.name('StageName', 'the name of the stage'),
    integration: read.name('IntegrationName', 'the storage integration the stage reads through'),
    url,
    validate: read.boolean('Validate', true),
  };
  read.done();
  return spec;
}

/** The id naming a stage: database, schema and name as JSON after the prefix. */
export function stagePhysicalId(spec: StageTarget): string {
  return `${PREFIX}${JSON.stringify([spec.database, spec.schema, spec.name])}`;
}

/** The stage an id names, or undefined for any other id. */
export function parseStagePhysicalId(physicalId: string): StageTarget | undefined {
  if (!physicalId.startsWith(PREFIX)) return undefined;
  try {
    const parts = JSON.parse(physicalId.slice(PREFIX.length)) as unknown;
    if (!Array.isArray(parts) || parts.length !== 3 || !parts.every((p) => typeof p === 'string' && p !== ''))
      return undefined;
    const [database, schema, name] = parts as [string, string, string];
    return { database, schema, name };
  } catch {
    return undefined;
  }
}

// Until the report says success: an assume-role failure is IAM propagating; any other failure is final.
async function validated(
  client: SqlApiClient,
  spec: StageSpec,
  invocation: SnowflakeInvocation,
): Promise<string> {
  const until = Math.min(Date.now() + invocation.verifyMs, invocation.deadline - VERIFY_MARGIN_MS);
  const started = Date.now();
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10_000)) {
    const report = await validationReport(client, spec, invocation.signal);
    if (report.status === 'success') return 'success';
    const seconds = Math.round((Date.now() - started) / 1000);
    if (!ASSUME_ROLE.test(report.message) || Date.now() + wait > until) {
      throw new StageValidationError(
        `SYSTEM$VALIDATE_STORAGE_INTEGRATION('${spec.integration}', '${spec.url}') failed after ${seconds} s: ${report.message}${ASSUME_ROLE.test(report.message) ? " Check that the link's SnowflakeExternalId holds the integration's ExternalId and its RoleArn is the integration's role; if both are right, IAM has not yet propagated the trust: retry the stack operation." : ''}`,
      );
    }
    log('info', 'Storage validation not yet successful; retrying', { message: report.message });
    await sleep(wait, invocation.signal);
  }
}

async function validationReport(
  client: SqlApiClient,
  spec: StageSpec,
  signal: AbortSignal,
): Promise<{ status: string; message: string }> {
  const result = await client.execute(
    sql`SELECT SYSTEM$VALIDATE_STORAGE_INTEGRATION(${stringLiteral(spec.integration)}, ${stringLiteral(spec.url, 'Url')}, 'validate_all.txt', 'list')`,
    { signal, privilege: 'USAGE on the storage integration' },
  );
  try {
    const report = JSON.parse(result.rows[0]?.[0] ?? '') as {
      status?: string;
      actions?: Record<string, { message?: string }>;
    };
    const messages = Object.values(report.actions ?? {}).flatMap((a) => (a.message ? [a.message] : []));
    return { status: report.status ?? 'failure', message: messages.join(' ') || 'no message' };
  } catch {
    return { status: 'failure', message: `an answer that is not JSON: ${result.rows[0]?.[0]}` };
  }
}

async function createOwn(
  client: SqlApiClient,
  spec: StageSpec,
  invocation: SnowflakeInvocation,
  nothingWritten: () => void,
): Promise<void> {
  try {
    await client.execute(createStageSql(spec), { signal: invocation.signal, privilege: PRIVILEGE });
  } catch (error) {
    if (!(error instanceof StatementFailedError && error.failure.code === '002002')) throw error;
    nothingWritten();
    throw new StageExistsError(
      `The stage ${spec.database}.${spec.schema}.${spec.name} exists already, and this stack did not create it. Choose another StageName, or drop it.`,
      { cause: error },
    );
  }
}

function stageName(target: StageTarget): SqlText {
  return sql`${storedIdentifier(target.database)}.${storedIdentifier(target.schema)}.${storedIdentifier(target.name)}`;
}

function createStageSql(spec: StageSpec): SqlText {
  return sql`CREATE STAGE ${stageName(spec)} URL = ${stringLiteral(spec.url, 'Url')} STORAGE_INTEGRATION = ${storedIdentifier(spec.integration)}`;
}

/**
 * ALTER STAGE … SET URL = '…' STORAGE_INTEGRATION = name: both in one statement, in the grammar's order, so
 * that a new URL is never checked against the old integration's locations, nor the old URL against the new
 * one's. On a rotation this re-points the stage to the new integration: the remedy the storage integration
 * caution gives (https://docs.snowflake.com/en/user-guide/tables-external-ts, error 003139).
 */
export function alterStageSql(spec: Pick<StageSpec, 'database' | 'schema' | 'name' | 'url' | 'integration'>) {
  return sql`ALTER STAGE ${stageName(spec)} SET URL = ${stringLiteral(spec.url, 'Url')} STORAGE_INTEGRATION = ${storedIdentifier(spec.integration)}`;
}

// Whether the declared stage differs from the old declaration in what the stage holds: its URL or its
// integration. Validate and the connection are not the stage's. Unreadable old properties: assume it differs.
function stageChanged(oldProperties: unknown, spec: StageSpec): boolean {
  try {
    const old = parseStageProperties(oldProperties);
    return old.url !== spec.url || old.integration !== spec.integration;
  } catch {
    return true;
  }
}

async function dropStage(client: SqlApiClient, target: StageTarget, signal: AbortSignal): Promise<void> {
  await client.execute(sql`DROP STAGE IF EXISTS ${stageName(target)}`, {
    signal,
    privilege: 'OWNERSHIP of the stage, and USAGE on its database and schema',
  });
}

function outcome(spec: StageSpec, validation: string): Outcome {
  return {
    physicalResourceId: stagePhysicalId(spec),
    data: { StageName: `${spec.database}.${spec.schema}.${spec.name}`, Validation: validation },
  };
}
