// The stage statements on the catalog, with the rules the other objects follow: the database and schema
// must exist; the storage integration must be one the role may see (standing in for USAGE on it); a stage
// is seen, replaced, altered and dropped only by its owner role and ACCOUNTADMIN. A stage holds its
// integration by hidden id, and a pipe its stage: CREATE OR REPLACE breaks both links, ALTER keeps them.
import type { IntegrationRecord, StageRecord } from './catalog';
import { alreadyExists, doesNotExist, insufficientPrivilegesOn, SnowflakeError } from './errors';
import { located, ownedBy } from './functions';
import { visibleTo } from './integrations';
import { type ResultSet, statusResult } from './results';
import type { Session, Workspace } from './session';
import { Cursor } from './sql/cursor';
import { qualifiedName } from './sql/parse-function';
import type { QualifiedName, Statement } from './sql/statements';
import { tokenize } from './sql/tokens';

type Of<T extends Statement['type']> = Extract<Statement, { type: T }>;

/** CREATE [OR REPLACE] STAGE [IF NOT EXISTS] name URL = '...' [STORAGE_INTEGRATION = name] [COMMENT = '...']. */
export function createStage(statement: Of<'createStage'>, session: Session, space: Workspace): ResultSet {
  const { database, schema } = located(statement.name, session, space, 'CREATE STAGE');
  const name = statement.name.name;
  const existing = space.catalog.stage(database, schema, name);
  if (existing !== undefined && statement.ifNotExists) {
    return statusResult(`${name} already exists, statement succeeded.`);
  }
  if (existing !== undefined && !statement.orReplace) throw alreadyExists(name);
  if (existing !== undefined && !ownedBy(existing, session)) throw insufficientPrivilegesOn('stage', name);
  const integration =
    statement.integration === undefined
      ? undefined
      : storageIntegration(statement.integration, session, space);
  // A new hidden id: pipes on the stage it replaces stop (create-stage, usage notes).
  space.catalog.putStage({
    id: space.catalog.newId(),
    database,
    schema,
    name,
    url: statement.url,
    integration: statement.integration,
    integrationId: integration?.id,
    comment: statement.comment,
    owner: session.role,
    createdOn: new Date(),
  });
  return statusResult(`Stage area ${name} successfully created.`);
}

/** DROP STAGE [IF EXISTS] name: a stage the role does not own is, to it, one that does not exist. */
export function dropStage(statement: Of<'dropStage'>, session: Session, space: Workspace): ResultSet {
  const { database, schema } = located(statement.name, session, space, 'DROP STAGE');
  const name = statement.name.name;
  const stage = space.catalog.stage(database, schema, name);
  if (stage === undefined || !ownedBy(stage, session)) {
    if (statement.ifExists)
      return statusResult(`Drop statement executed successfully (${name} already dropped).`);
    throw doesNotExist('Stage', name);
  }
  space.catalog.removeStage(stage);
  return statusResult(`${name} successfully dropped.`);
}

/** ALTER STAGE [IF EXISTS] name SET URL / STORAGE_INTEGRATION / COMMENT: the stage, its id and its pipes stay. */
export function alterStage(statement: Of<'alterStage'>, session: Session, space: Workspace): ResultSet {
  const stage = ownStage(statement.name, session, space, 'ALTER STAGE', statement.ifExists);
  if (stage === undefined) return statusResult('Statement executed successfully.');
  if (statement.integration !== undefined) {
    // Re-links by the integration's id now: the remedy the storage integration caution gives (tables-external-ts).
    stage.integrationId = storageIntegration(statement.integration, session, space).id;
    stage.integration = statement.integration;
  }
  if (statement.url !== undefined) stage.url = statement.url;
  if (statement.comment !== undefined) stage.comment = statement.comment;
  return statusResult('Statement executed successfully.');
}

/** CREATE [OR REPLACE] PIPE name AS COPY INTO table FROM @stage: the pipe holds the stage's id. */
export function createPipe(statement: Of<'createPipe'>, session: Session, space: Workspace): ResultSet {
  const { database, schema } = located(statement.name, session, space, 'CREATE PIPE');
  const name = statement.name.name;
  const existing = space.catalog.pipe(database, schema, name);
  if (existing !== undefined && statement.ifNotExists) {
    return statusResult(`${name} already exists, statement succeeded.`);
  }
  if (existing !== undefined && !statement.orReplace) throw alreadyExists(name);
  const stage = ownStage(statement.stage, session, space, 'CREATE PIPE', false) as StageRecord;
  space.catalog.putPipe({
    database,
    schema,
    name,
    stageId: stage.id,
    stageName: `${stage.database}.${stage.schema}.${stage.name}`,
    table: [statement.table.database, statement.table.schema, statement.table.name].filter(Boolean).join('.'),
    owner: session.role,
    createdOn: new Date(),
  });
  return statusResult(`Pipe ${name} successfully created.`);
}

/** CREATE [OR REPLACE] EXTERNAL TABLE name LOCATION = @stage …: the table holds the stage's id. */
export function createExternalTable(
  statement: Of<'createExternalTable'>,
  session: Session,
  space: Workspace,
): ResultSet {
  const { database, schema } = located(statement.name, session, space, 'CREATE EXTERNAL TABLE');
  const name = statement.name.name;
  const existing = space.catalog.externalTable(database, schema, name);
  if (existing !== undefined && statement.ifNotExists) {
    return statusResult(`${name} already exists, statement succeeded.`);
  }
  if (existing !== undefined && !statement.orReplace) throw alreadyExists(name);
  const stage = ownStage(statement.stage, session, space, 'CREATE EXTERNAL TABLE', false) as StageRecord;
  space.catalog.putExternalTable({ database, schema, name, stageId: stage.id, owner: session.role });
  return statusResult(`Table ${name} successfully created.`);
}

/**
 * SYSTEM$PIPE_STATUS('<pipe>'): `{"executionState": …, "pendingFileCount": 0}`
 * (https://docs.snowflake.com/en/sql-reference/functions/system_pipe_status). STOPPED_STAGE_DROPPED once the
 * stage it loads from was dropped or re-created (create-stage, usage notes); RUNNING otherwise.
 */
export function pipeStatus(args: readonly unknown[], column: string, session: Session, space: Workspace) {
  const name = nameIn(typeof args[0] === 'string' ? args[0] : '');
  const { database, schema } = located(name, session, space, 'SYSTEM$PIPE_STATUS');
  const pipe = space.catalog.pipe(database, schema, name.name);
  if (pipe === undefined || !ownedBy(pipe, session)) throw doesNotExist('Pipe', name.name);
  const state = space.catalog.stageById(pipe.stageId) ? 'RUNNING' : 'STOPPED_STAGE_DROPPED';
  const report = { executionState: state, pendingFileCount: 0 };
  return { columns: [{ name: column, type: 'text' as const }], rows: [[JSON.stringify(report)]] };
}

/**
 * LIST @stage: the files (the lab has none, so no rows), once the stage's integration is found by its id;
 * else 003139 as https://docs.snowflake.com/en/user-guide/tables-external-ts gives it.
 */
export function listStage(statement: Of<'listStage'>, session: Session, space: Workspace): ResultSet {
  const stage = ownStage(statement.stage, session, space, 'LIST', false) as StageRecord;
  if (stage.integrationId !== undefined && !space.catalog.integrationById(stage.integrationId)) {
    throw new SnowflakeError(
      422,
      '003139',
      `SQL compilation error:\nIntegration '${stage.integration}' associated with the stage '${stage.name}' cannot be found.`,
    );
  }
  return {
    columns: ['name', 'size', 'md5', 'last_modified'].map((name) => ({ name, type: 'text' as const })),
    rows: [],
  };
}

// The stage a name gives, if the role owns it (ACCOUNTADMIN owns all); else "does not exist or not authorized".
function ownStage(
  name: QualifiedName,
  session: Session,
  space: Workspace,
  operation: string,
  ifExists: boolean,
): StageRecord | undefined {
  const { database, schema } = located(name, session, space, operation);
  const stage = space.catalog.stage(database, schema, name.name);
  if (stage !== undefined && ownedBy(stage, session)) return stage;
  if (ifExists) return undefined;
  throw doesNotExist('Stage', name.name);
}

function storageIntegration(name: string, session: Session, space: Workspace): IntegrationRecord {
  const integration = space.catalog.integration(name);
  if (!visibleTo(integration, session) || integration?.category !== 'STORAGE') {
    throw doesNotExist('Integration', name);
  }
  return integration;
}

// A name inside a string argument is read as an identifier: unquoted upper case, "quoted" as written.
function nameIn(text: string): QualifiedName {
  const cursor = new Cursor(tokenize(text));
  const name = qualifiedName(cursor);
  cursor.end();
  return name;
}
