// The function statements on the catalog: CREATE [OR REPLACE] EXTERNAL FUNCTION, ALTER FUNCTION, DROP
// FUNCTION, GRANT USAGE ON FUNCTION and SHOW GRANTS ON FUNCTION, and SELECT of a call, which runs the
// function through its integration (remote.ts), or SYSTEM$VALIDATE_STORAGE_INTEGRATION / SYSTEM$PIPE_STATUS.
// A function is named by its name and argument types (create-external-function: "functions are identified
// and resolved by their name and argument types"); a role calls it if it owns it or holds USAGE on it.
import { type FunctionRecord, signatureType } from './catalog';
import {
  alreadyExists,
  doesNotExist,
  insufficientPrivilegesOn,
  noCurrent,
  noWarehouse,
  unknownFunction,
} from './errors';
import { visibleTo } from './integrations';
import { callExternalFunction } from './remote';
import { type Column, type ResultSet, statusResult, timestampText } from './results';
import type { Session, Workspace } from './session';
import type { Argument, QualifiedName, Statement } from './sql/statements';
import { pipeStatus } from './stages';
import { validateStorageIntegration } from './validate-storage';

type Of<T extends Statement['type']> = Extract<Statement, { type: T }>;

const VALIDATE_STORAGE = 'SYSTEM$VALIDATE_STORAGE_INTEGRATION';
const PIPE_STATUS = 'SYSTEM$PIPE_STATUS';

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
  const types = statement.parameters.map((p) => p.type);
  const existing = space.catalog.function(database, schema, name, types);
  if (existing !== undefined && statement.ifNotExists) {
    return statusResult(`${name} already exists, statement succeeded.`);
  }
  if (existing !== undefined && !statement.orReplace) throw alreadyExists(name);
  if (existing !== undefined && !ownedBy(existing, session)) throw insufficientPrivilegesOn('function', name);
  // A new object: the grants others held on the one it replaces are gone (no COPY GRANTS in its grammar).
  space.catalog.putFunction({
    database,
    schema,
    name,
    parameters: statement.parameters,
    returns: statement.returns,
    integration: statement.integration,
    url: statement.url,
    owner: session.role,
    grants: [],
  });
  return statusResult(`Function ${name} successfully created.`);
}

/** ALTER FUNCTION [IF EXISTS] name(types) SET / UNSET one property: the function, and its grants, stay. */
export function alterFunction(statement: Of<'alterFunction'>, session: Session, space: Workspace): ResultSet {
  const fn = named(statement, session, space, 'ALTER FUNCTION', ownedBy);
  if (fn === undefined) return statusResult('Statement executed successfully.');
  if (statement.set?.property === 'API_INTEGRATION') {
    const integration = space.catalog.integration(statement.set.value);
    if (!visibleTo(integration, session) || integration?.category !== 'API') {
      throw doesNotExist('Integration', statement.set.value);
    }
    fn.integration = statement.set.value;
  }
  if (statement.set?.property === 'COMMENT') fn.comment = statement.set.value;
  if (statement.unset === 'COMMENT') delete fn.comment;
  return statusResult('Statement executed successfully.');
}

/** GRANT USAGE ON FUNCTION name(types) TO ROLE role: by the owner (or ACCOUNTADMIN), to a role that exists. */
export function grantOnFunction(
  statement: Of<'grantOnFunction'>,
  session: Session,
  space: Workspace,
): ResultSet {
  const fn = named({ ...statement, ifExists: false }, session, space, 'GRANT', ownedBy) as FunctionRecord;
  if (!space.account.hasRole(statement.role)) throw doesNotExist('Role', statement.role);
  for (const privilege of statement.privileges) {
    const held = fn.grants.find((g) => g.privilege === privilege && g.role === statement.role);
    if (held) held.grantOption ||= statement.grantOption;
    else
      fn.grants.push({
        privilege,
        role: statement.role,
        grantOption: statement.grantOption,
        grantedBy: session.role,
        createdOn: new Date(),
      });
  }
  return statusResult('Statement executed successfully.');
}

/**
 * SHOW GRANTS ON FUNCTION name(types): the owner's OWNERSHIP, then each grant, in show-grants' columns. The
 * name column is `DB.SCHEMA.NAME(TYPES)`, its form since the 2026_01 bundle (release-notes/bcr-bundles/2026_01/
 * bcr-2190); a client reads the privilege and the grantee, never that name.
 */
export function showGrantsOnFunction(
  statement: Of<'showGrantsOnFunction'>,
  session: Session,
  space: Workspace,
): ResultSet {
  const fn = named(
    { ...statement, ifExists: false },
    session,
    space,
    'SHOW GRANTS',
    mayUse,
  ) as FunctionRecord;
  const shown = `${fn.database}.${fn.schema}.${fn.name}(${fn.parameters.map((p) => p.type).join(', ')})`;
  const row = (privilege: string, role: string, option: boolean, by: string, on: Date) => [
    timestampText(on),
    privilege,
    'FUNCTION',
    shown,
    'ROLE',
    role,
    option ? 'true' : 'false',
    by,
  ];
  return {
    columns: [
      { name: 'created_on', type: 'timestamp_ltz' },
      ...['privilege', 'granted_on', 'name', 'granted_to', 'grantee_name', 'grant_option', 'granted_by'].map(
        (name) => ({ name, type: 'text' as const }),
      ),
    ],
    rows: [
      row('OWNERSHIP', fn.owner, true, fn.owner, new Date(0)),
      ...fn.grants.map((g) => row(g.privilege, g.role, g.grantOption, g.grantedBy, g.createdOn)),
    ],
  };
}

/** DROP FUNCTION [IF EXISTS] name(types). */
export function dropFunction(statement: Of<'dropFunction'>, session: Session, space: Workspace): ResultSet {
  const { database, schema } = located(statement.name, session, space, 'DROP FUNCTION');
  const name = statement.name.name;
  const fn = space.catalog.function(database, schema, name, statement.argumentTypes);
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
  if (statement.name.name === PIPE_STATUS && statement.name.schema === undefined) {
    return pipeStatus(args, statement.column, session, space);
  }
  if (session.warehouse === undefined || !space.account.hasWarehouse(session.warehouse)) throw noWarehouse();
  const fn = resolve(statement.name, args, session, space);
  const integration = space.catalog.integration(fn.integration);
  if (integration === undefined) throw doesNotExist('Integration', fn.integration);
  const [value] = await callExternalFunction(fn, integration, [args], space);
  const column = columnOf(statement.column, fn.returns);
  return { columns: [column], rows: [[cellOf(value, column)]] };
}

// Among the overloads of that arity the role may use, the one whose types take the arguments as they are;
// else one taking VARIANT; else the only one (the lab's simplification of Snowflake's implicit casts).
function resolve(name: QualifiedName, args: unknown[], session: Session, space: Workspace): FunctionRecord {
  const database = name.database ?? session.database;
  const schema = name.schema ?? session.schema;
  const candidates =
    database === undefined || schema === undefined
      ? []
      : space.catalog.functionsOf(database, schema, name.name, args.length).filter((f) => mayUse(f, session));
  const fits = (want: (type: string, arg: unknown) => boolean) =>
    candidates.find((f) => f.parameters.every((p, i) => want(signatureType(p.type), args[i])));
  const fn =
    fits((type, arg) => arg === null || type === kindOf(arg)) ??
    fits((type, arg) => arg === null || type === 'VARIANT' || type === kindOf(arg)) ??
    (candidates.length === 1 ? candidates[0] : undefined);
  if (fn === undefined) throw unknownFunction(name.name);
  return fn;
}

function kindOf(arg: unknown): string {
  if (typeof arg === 'number') return Number.isInteger(arg) ? 'NUMBER' : 'FLOAT';
  return typeof arg === 'boolean' ? 'BOOLEAN' : 'VARCHAR';
}

// The function a statement names by name and types; IF EXISTS makes absence no error. A role that may not
// see it (not `allowed`) meets "does not exist or not authorized", as for any object.
function named(
  statement: { name: QualifiedName; argumentTypes: string[]; ifExists: boolean },
  session: Session,
  space: Workspace,
  operation: string,
  allowed: (fn: FunctionRecord, session: Session) => boolean,
): FunctionRecord | undefined {
  const { database, schema } = located(statement.name, session, space, operation);
  const fn = space.catalog.function(database, schema, statement.name.name, statement.argumentTypes);
  if (fn !== undefined && allowed(fn, session)) return fn;
  if (statement.ifExists) return undefined;
  throw doesNotExist('Function', `${statement.name.name}(${statement.argumentTypes.join(', ')})`);
}

/** Whether the session's role may call the function: it owns it, or holds USAGE on it. */
export function mayUse(fn: FunctionRecord, session: Session): boolean {
  return ownedBy(fn, session) || fn.grants.some((g) => g.privilege === 'USAGE' && g.role === session.role);
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
