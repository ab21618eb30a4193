// The function statements on the catalog: CREATE [OR REPLACE] EXTERNAL FUNCTION, DROP FUNCTION, and
// SELECT of a call, which runs the function through its integration (remote.ts), or
// SYSTEM$VALIDATE_STORAGE_INTEGRATION for a storage integration.
import type { FunctionRecord } from './catalog';
import { alreadyExists, doesNotExist, noCurrent, noWarehouse, unknownFunction } from './errors';
import { visibleTo } from './integrations';
import { callExternalFunction } from './remote';
import { type Column, type ResultSet, statusResult } from './results';
import type { Session, Workspace } from './session';
import type { Argument, QualifiedName, Statement } from './sql/statements';
import { validateStorageIntegration } from './validate-storage';

type Of<T extends Statement['type']> = Extract<Statement, { type: T }>;

const VALIDATE_STORAGE = 'SYSTEM$VALIDATE_STORAGE_INTEGRATION';

/** CREATE [OR REPLACE] [SECURE] EXTERNAL FUNCTION [IF NOT EXISTS]. */
export function createExternalFunction(
  statement: Of<'createExternalFunction'>,
  session: Session,
  space: Workspace,
): ResultSet {
  const { database, schema } = located(statement.name, session, space, 'CREATE FUNCTION');
  const integration = space.catalog.integration(statement.integration);
  if (!visibleTo(integration, session) || integration?.category !== 'API') {
    throw doesNotExist('Integration', statement.integration);
  }
  const name = statement.name.name;
  const existing = space.catalog.function(database, schema, name, statement.parameters.length);
  if (existing !== undefined && statement.ifNotExists) {
    return statusResult(`${name} already exists, statement succeeded.`);
  }
  if (existing !== undefined && !statement.orReplace) throw alreadyExists(name);
  space.catalog.putFunction({
    database,
    schema,
    name,
    parameters: statement.parameters,
    returns: statement.returns,
    integration: statement.integration,
    url: statement.url,
    owner: session.role,
  });
  return statusResult(`Function ${name} successfully created.`);
}

/** DROP FUNCTION [IF EXISTS] name(types). */
export function dropFunction(statement: Of<'dropFunction'>, session: Session, space: Workspace): ResultSet {
  const { database, schema } = located(statement.name, session, space, 'DROP FUNCTION');
  const name = statement.name.name;
  const fn = space.catalog.function(database, schema, name, statement.argumentTypes.length);
  if (fn === undefined || !ownedBy(fn, session)) {
    if (statement.ifExists)
      return statusResult(`Drop statement executed successfully (${name} already dropped).`);
    throw doesNotExist('Function', `${name}(${statement.argumentTypes.join(', ')})`);
  }
  space.catalog.removeFunction(fn);
  return statusResult(`${name} successfully dropped.`);
}

/** SELECT fn(args): one row, one column named as the call. */
export async function callFunction(
  statement: Of<'callFunction'>,
  session: Session,
  space: Workspace,
): Promise<ResultSet> {
  const args = statement.arguments.map((argument) => argumentValue(argument, session));
  if (statement.name.name === VALIDATE_STORAGE && statement.name.schema === undefined) {
    return validateStorageIntegration(args, statement.column, session, space);
  }
  if (session.warehouse === undefined || !space.account.hasWarehouse(session.warehouse)) throw noWarehouse();
  const fn = resolve(statement.name, args.length, session, space);
  const integration = space.catalog.integration(fn.integration);
  if (integration === undefined) throw doesNotExist('Integration', fn.integration);
  const [value] = await callExternalFunction(fn, integration, [args], space);
  const column = columnOf(statement.column, fn.returns);
  return { columns: [column], rows: [[cellOf(value, column)]] };
}

function resolve(name: QualifiedName, arity: number, session: Session, space: Workspace): FunctionRecord {
  const database = name.database ?? session.database;
  const schema = name.schema ?? session.schema;
  const fn =
    database === undefined || schema === undefined
      ? undefined
      : space.catalog.function(database, schema, name.name, arity);
  if (fn === undefined || !ownedBy(fn, session)) throw unknownFunction(name.name);
  return fn;
}

/** The database and schema a name is in (its own, else the session's), which must exist. */
export function located(name: QualifiedName, session: Session, space: Workspace, operation: string) {
  const database = name.database ?? session.database;
  if (database === undefined) throw noCurrent('database', operation);
  const schema = name.schema ?? session.schema;
  if (schema === undefined) throw noCurrent('schema', operation);
  if (!space.catalog.hasDatabase(database)) throw doesNotExist('Database', database);
  if (!space.catalog.hasSchema(database, schema)) throw doesNotExist('Schema', `${database}.${schema}`);
  return { database, schema };
}

/** Whether the session's role owns the object (ACCOUNTADMIN owns all): may see, replace and drop it. */
export function ownedBy(object: { owner: string }, session: Session): boolean {
  return session.role === 'ACCOUNTADMIN' || object.owner === session.role;
}

function argumentValue(argument: Argument, session: Session): unknown {
  switch (argument.kind) {
    case 'null':
      return null;
    case 'binding': {
      const binding = session.bindings[String(argument.index)];
      if (binding === undefined || binding.value === null) return null;
      return ['FIXED', 'REAL'].includes(binding.type.toUpperCase()) ? Number(binding.value) : binding.value;
    }
    default:
      return argument.value;
  }
}

function columnOf(name: string, returns: string): Column {
  const type = returns.replace(/\(.*$/, '');
  if (type === 'VARIANT' || type === 'OBJECT' || type === 'ARRAY') return { name, type: 'variant' };
  if (type === 'NUMBER' || type === 'INT' || type === 'INTEGER') return { name, type: 'fixed' };
  if (type === 'BOOLEAN') return { name, type: 'boolean' };
  return { name, type: 'text' };
}

// Every value a string: VARIANT as indented JSON, as the SQL API sends it.
function cellOf(value: unknown, column: Column): string | null {
  if (value === null || value === undefined) return null;
  if (column.type === 'variant') return JSON.stringify(value, null, 2);
  return typeof value === 'string' ? value : JSON.stringify(value);
}
