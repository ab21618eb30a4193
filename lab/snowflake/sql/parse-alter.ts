// ALTER STAGE and ALTER FUNCTION as the Snowflake function sends them, and what an operator runs beside
// them in the lab: GRANT … ON FUNCTION, SHOW GRANTS ON FUNCTION, CREATE PIPE … AS COPY INTO … FROM @stage,
// LIST @stage. Each only in the form its page documents; anything else is a syntax error.
import type { Cursor } from './cursor';
import { argumentTypes, qualifiedName } from './parse-function';
// https://docs.snowflake.com/en/sql-reference/sql/create-external-table also places the stage by reference.
import type { FunctionProperty, QualifiedName, Statement } from './statements';

// https://docs.snowflake.com/en/sql-reference/sql/alter-function, "External functions": one property per
// ALTER FUNCTION … SET (or UNSET); the URL, the return type and the arguments are not among them.
const FUNCTION_PROPERTIES: readonly FunctionProperty[] = [
  'API_INTEGRATION',
  'HEADERS',
  'CONTEXT_HEADERS',
  'MAX_BATCH_ROWS',
  'COMPRESSION',
  'REQUEST_TRANSLATOR',
  'RESPONSE_TRANSLATOR',
  'COMMENT',
];

/**
 * After ALTER STAGE: `[IF EXISTS] name SET [URL = '…'] [STORAGE_INTEGRATION = name] [COMMENT = '…']`
 * (https://docs.snowflake.com/en/sql-reference/sql/alter-stage, external stage on S3: URL comes first in
 * externalStageParams, STORAGE_INTEGRATION after it).
 */
export function parseAlterStage(cursor: Cursor): Statement {
  const ifExists = cursor.accept('IF', 'EXISTS');
  const name = qualifiedName(cursor);
  cursor.expect('SET');
  const statement: Extract<Statement, { type: 'alterStage' }> = { type: 'alterStage', name, ifExists };
  if (cursor.accept('URL')) statement.url = afterEquals(cursor, () => cursor.string());
  if (cursor.accept('STORAGE_INTEGRATION'))
    statement.integration = afterEquals(cursor, () => cursor.identifier());
  if (cursor.accept('COMMENT')) statement.comment = afterEquals(cursor, () => cursor.string());
  if (statement.url === undefined && statement.integration === undefined && statement.comment === undefined)
    return cursor.fail();
  return statement;
}

/** After ALTER FUNCTION: `[IF EXISTS] name(types) SET <property> = value | UNSET <property>`. */
export function parseAlterFunction(cursor: Cursor): Statement {
  const ifExists = cursor.accept('IF', 'EXISTS');
  const name = qualifiedName(cursor);
  const types = argumentTypes(cursor);
  const base = { type: 'alterFunction' as const, name, ifExists, argumentTypes: types };
  if (cursor.accept('UNSET')) return { ...base, unset: functionProperty(cursor) };
  cursor.expect('SET');
  const property = functionProperty(cursor);
  cursor.expectSymbol('=');
  return { ...base, set: { property, value: propertyText(cursor, property) } };
}

/**
 * After GRANT: `USAGE ON FUNCTION name(types) TO ROLE role [WITH GRANT OPTION]`
 * (https://docs.snowflake.com/en/sql-reference/sql/grant-privilege: schemaObjectPrivileges for functions are
 * USAGE and OWNERSHIP; a function is named with its argument types).
 */
export function parseGrant(cursor: Cursor): Statement {
  const privileges: string[] = [];
  do {
    if (!cursor.accept('USAGE')) return cursor.fail();
    privileges.push('USAGE');
  } while (cursor.acceptSymbol(','));
  cursor.expect('ON', 'FUNCTION');
  const name = qualifiedName(cursor);
  const types = argumentTypes(cursor);
  cursor.expect('TO');
  cursor.accept('ROLE');
  const role = cursor.identifier();
  const grantOption = cursor.accept('WITH', 'GRANT', 'OPTION');
  return { type: 'grantOnFunction', privileges, name, argumentTypes: types, role, grantOption };
}

/** After SHOW GRANTS ON (https://docs.snowflake.com/en/sql-reference/sql/show-grants): `FUNCTION name(types)`. */
export function parseShowGrants(cursor: Cursor): Statement {
  cursor.expect('ON', 'FUNCTION');
  const name = qualifiedName(cursor);
  return { type: 'showGrantsOnFunction', name, argumentTypes: argumentTypes(cursor) };
}

/**
 * After CREATE [OR REPLACE] PIPE (https://docs.snowflake.com/en/sql-reference/sql/create-pipe):
 * `[IF NOT EXISTS] name [AUTO_INGEST = TRUE|FALSE] [COMMENT = '…'] AS COPY INTO table FROM @stage[/path]`.
 */
export function parseCreatePipe(cursor: Cursor, orReplace: boolean): Statement {
  const ifNotExists = cursor.accept('IF', 'NOT', 'EXISTS');
  const name = qualifiedName(cursor);
  if (cursor.accept('AUTO_INGEST')) afterEquals(cursor, () => cursor.take());
  if (cursor.accept('COMMENT')) afterEquals(cursor, () => cursor.string());
  cursor.expect('AS', 'COPY', 'INTO');
  const table = qualifiedName(cursor);
  cursor.expect('FROM');
  return { type: 'createPipe', name, orReplace, ifNotExists, table, stage: stageReference(cursor) };
}

/**
 * After CREATE [OR REPLACE] EXTERNAL TABLE (https://docs.snowflake.com/en/sql-reference/sql/create-external-table),
 * without column definitions: `[IF NOT EXISTS] name [WITH] LOCATION = @stage[/path] [REFRESH_ON_CREATE = …]
 * [AUTO_REFRESH = …] [PATTERN = '…'] FILE_FORMAT = ( TYPE = … | FORMAT_NAME = '…' )`.
 */
export function parseCreateExternalTable(cursor: Cursor, orReplace: boolean): Statement {
  const ifNotExists = cursor.accept('IF', 'NOT', 'EXISTS');
  const name = qualifiedName(cursor);
  cursor.accept('WITH');
  cursor.expect('LOCATION');
  const stage = afterEquals(cursor, () => stageReference(cursor));
  for (const option of ['REFRESH_ON_CREATE', 'AUTO_REFRESH', 'PATTERN']) {
    if (cursor.accept(option)) afterEquals(cursor, () => cursor.take());
  }
  cursor.expect('FILE_FORMAT');
  afterEquals(cursor, () => parenthesised(cursor));
  return { type: 'createExternalTable', name, orReplace, ifNotExists, stage };
}

/** After LIST (https://docs.snowflake.com/en/sql-reference/sql/list): `@stage[/path]`. */
export function parseList(cursor: Cursor): Statement {
  return { type: 'listStage', stage: stageReference(cursor) };
}

// `@name[/path/…]`: the stage, and a path the lab does not look into (it has no files).
function stageReference(cursor: Cursor): QualifiedName {
  cursor.expectSymbol('@');
  const stage = qualifiedName(cursor);
  // A path is written without spaces: a word right after a `/` is part of it, one after a space is not.
  for (let slash = cursor.peek(); slash?.text === '/' && cursor.acceptSymbol('/'); slash = cursor.peek()) {
    const next = cursor.peek();
    if ((next?.kind === 'word' || next?.kind === 'number') && next.position === slash.position + 1)
      cursor.take();
  }
  return stage;
}

function functionProperty(cursor: Cursor): FunctionProperty {
  const token = cursor.peek();
  const property = FUNCTION_PROPERTIES.find((p) => token?.kind === 'word' && token.text === p);
  if (property === undefined) return cursor.fail();
  cursor.take();
  return property;
}

// The value as text: a name for the integration and translators, the list for headers, else the literal.
function propertyText(cursor: Cursor, property: FunctionProperty): string {
  if (property === 'API_INTEGRATION' || property.endsWith('_TRANSLATOR')) return cursor.identifier();
  if (property === 'COMMENT') return cursor.string();
  if (property === 'HEADERS' || property === 'CONTEXT_HEADERS') return parenthesised(cursor);
  return cursor.take().text;
}

function parenthesised(cursor: Cursor): string {
  cursor.expectSymbol('(');
  const parts: string[] = [];
  while (!cursor.acceptSymbol(')')) parts.push(cursor.take().text);
  return parts.join(' ');
}

function afterEquals<T>(cursor: Cursor, read: () => T): T {
  cursor.expectSymbol('=');
  return read();
}
