// Custom::SnowflakeExternalFunction's properties, parsed once, and the statements built from them.
// https://docs.snowflake.com/en/sql-reference/sql/create-external-function: CREATE [OR REPLACE] EXTERNAL
//   FUNCTION name(arg type, …) RETURNS type API_INTEGRATION = name AS '<url>' (no COPY GRANTS in its grammar);
//   a function is named by its name and argument types (DROP FUNCTION name(types)).
// https://docs.snowflake.com/en/sql-reference/sql/alter-function, "External functions": ALTER FUNCTION
//   name(types) SET API_INTEGRATION = name (and HEADERS, CONTEXT_HEADERS, MAX_BATCH_ROWS, COMPRESSION, the
//   translators, COMMENT), one property a statement; nothing changes the URL, the return type or the arguments.
// https://docs.snowflake.com/en/sql-reference/sql/show-grants: SHOW GRANTS ON FUNCTION name(types).
// https://docs.snowflake.com/en/sql-reference/sql/grant-privilege: GRANT USAGE ON FUNCTION name(types) TO ROLE
//   role [WITH GRANT OPTION].

import type { ConnectionSource } from '../client/connection';
import { UnsafeSqlValueError } from '../client/errors';
import { keyword, type SqlText, sql, stringLiteral } from '../client/sql';
import { storedIdentifier } from './names';
import { PropertyReader } from './properties';

/** The data types an argument or the result may have (without precision, which Snowflake ignores for calls). */
export const DATA_TYPES = [
  'VARIANT',
  'OBJECT',
  'ARRAY',
  'VARCHAR',
  'STRING',
  'TEXT',
  'NUMBER',
  'INT',
  'INTEGER',
  'FLOAT',
  'DOUBLE',
  'BOOLEAN',
  'DATE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP_NTZ',
  'TIMESTAMP_LTZ',
  'TIMESTAMP_TZ',
  'BINARY',
] as const;

/** An external function as the properties declare it; names as Snowflake stores them. */
export interface FunctionSpec {
  connection: ConnectionSource;
  database: string;
  schema: string;
  name: string;
  parameters: Array<{ name: string; type: string }>;
  returns: string;
  integration: string;
  url: string;
  /** The arguments of the call that proves the function works; undefined: no call. */
  verify?: Array<string | null>;
  /** The link's RoleArn and ExternalIds, to say why Snowflake could not assume the role. */
  trustedRoleArn?: string;
  trustedExternalIds?: string[];
}

const PROPERTIES = [
  'Database',
  'Schema',
  'FunctionName',
  'Arguments',
  'Returns',
  'IntegrationName',
  'Url',
  'Verify',
  'TrustedRoleArn',
  'TrustedExternalIds',
];
const ARGUMENT = /^("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s+([A-Za-z_]+)$/;

/** Parses ResourceProperties; throws InvalidPropertiesError naming every problem. */
export function parseFunctionProperties(properties: unknown): FunctionSpec {
  const read = new PropertyReader(properties, 'Custom::SnowflakeExternalFunction', PROPERTIES);
  const connection = read.connection();
  const parameters = read.attempt(() => parseArguments(read.text('Arguments') ?? ''), []);
  const url = read.required('Url', "the API's resource URL, https://…");
  if (url && !/^https:\/\/[^\s']+$/.test(url)) read.problems.push(`Url "${url}" must be an https:// URL.`);
  const verify = parseVerify(properties, read);
  if (verify && verify.length !== parameters.length) {
    read.problems.push(
      `Verify gives ${verify.length} argument(s), and the function takes ${parameters.length} (Arguments).`,
    );
  }
  const trustedRoleArn = read.text('TrustedRoleArn');
  const trustedIds = read.list('TrustedExternalIds', { required: false }).flatMap((id) => id.split(','));
  const spec: FunctionSpec = {
    connection,
    database: read.name('Database', 'the database the function is created in'),
    schema: read.name('Schema', 'the schema the function is created in (e.g. PUBLIC)'),
    name: read.name('FunctionName', 'the name of the external function'),
    parameters,
    returns: read.attempt(() => dataType(read.text('Returns') ?? 'VARIANT', 'Returns'), 'VARIANT'),
    integration: read.name('IntegrationName', 'the API integration the function calls through'),
    url,
    ...(verify ? { verify } : {}),
    ...(trustedRoleArn ? { trustedRoleArn } : {}),
    ...(trustedIds.length > 0 ? { trustedExternalIds: trustedIds } : {}),
  };
  read.done();
  return spec;
}

/** `value VARIANT, n NUMBER` → its parameters; types from DATA_TYPES only. */
export function parseArguments(text: string): Array<{ name: string; type: string }> {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const match = ARGUMENT.exec(part.trim());
    if (!match?.[1] || !match[2]) {
      throw new UnsafeSqlValueError(
        `Arguments "${text}" must be "name TYPE" pairs separated by commas, e.g. "value VARIANT".`,
      );
    }
    return { name: storedOf(match[1]), type: dataType(match[2], 'Arguments') };
  });
}

// Verify: a list of values, or SQL string literals as a person writes them: 'hello', 'a''b', NULL.
function parseVerify(properties: unknown, read: PropertyReader): Array<string | null> | undefined {
  const value = (properties as Record<string, unknown> | undefined)?.Verify;
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return read.list('Verify', { required: false });
  const text = read.text('Verify') ?? '';
  const values: Array<string | null> = [];
  const literal = /\s*(?:'((?:[^']|'')*)'|(NULL))\s*(,|$)/iy;
  let match: RegExpExecArray | null;
  for (let at = 0; at < text.length; at = literal.lastIndex) {
    literal.lastIndex = at;
    match = literal.exec(text);
    if (!match) {
      read.problems.push(`Verify "${text}" must be SQL string literals separated by commas, e.g. 'hello'.`);
      return undefined;
    }
    values.push(match[2] ? null : (match[1] ?? '').replaceAll("''", "'"));
  }
  return values;
}

/** A data type of DATA_TYPES, or UnsafeSqlValueError. */
function dataType(type: string, what: string): string {
  return keyword(type, DATA_TYPES, `${what} type`).text;
}

function storedOf(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name.toUpperCase();
}

/** database.schema.name, quoted. */
export function functionName(
  spec: Pick<FunctionSpec, 'database' | 'schema' | 'name'>,
  name = spec.name,
): SqlText {
  return sql`${storedIdentifier(spec.database)}.${storedIdentifier(spec.schema)}.${storedIdentifier(name)}`;
}

/** CREATE [OR REPLACE] EXTERNAL FUNCTION, under the spec's name or another (a probe's). */
export function createFunctionSql(spec: FunctionSpec, replace: boolean, name = spec.name): SqlText {
  const parameters = joined(
    spec.parameters.map((p) => sql`${storedIdentifier(p.name)} ${keyword(p.type, DATA_TYPES)}`),
  );
  return sql`CREATE ${replace ? sql`OR REPLACE ` : sql``}EXTERNAL FUNCTION ${functionName(spec, name)}(${parameters}) RETURNS ${keyword(spec.returns, DATA_TYPES)} API_INTEGRATION = ${storedIdentifier(spec.integration)} AS ${stringLiteral(spec.url, 'Url')}`;
}

/** DROP FUNCTION IF EXISTS name(types). */
export function dropFunctionSql(
  target: Pick<FunctionSpec, 'database' | 'schema' | 'name'> & { types: string[] },
  name = target.name,
): SqlText {
  const types = joined(target.types.map((type) => keyword(type, DATA_TYPES)));
  return sql`DROP FUNCTION IF EXISTS ${functionName(target, name)}(${types})`;
}

/** The name and argument types that name one function among its overloads. */
export type FunctionSignature = Pick<FunctionSpec, 'database' | 'schema' | 'name'> & { types: string[] };

/** ALTER FUNCTION name(types) SET API_INTEGRATION = integration: moves the function, keeping it and its grants. */
export function alterFunctionIntegrationSql(target: FunctionSignature, integration: string): SqlText {
  return sql`ALTER FUNCTION ${signatureOf(target)} SET API_INTEGRATION = ${storedIdentifier(integration)}`;
}

/** SHOW GRANTS ON FUNCTION name(types). */
export function showGrantsSql(target: FunctionSignature): SqlText {
  return sql`SHOW GRANTS ON FUNCTION ${signatureOf(target)}`;
}

/** A privilege a role holds on a function, as SHOW GRANTS lists it. */
export interface RoleGrant {
  privilege: 'USAGE';
  role: string;
  grantOption: boolean;
}

/** GRANT USAGE ON FUNCTION name(types) TO ROLE role [WITH GRANT OPTION]. */
export function grantSql(target: FunctionSignature, grant: RoleGrant): SqlText {
  return sql`GRANT ${keyword(grant.privilege, ['USAGE'])} ON FUNCTION ${signatureOf(target)} TO ROLE ${storedIdentifier(grant.role)}${grant.grantOption ? sql` WITH GRANT OPTION` : sql``}`;
}

function signatureOf(target: FunctionSignature): SqlText {
  return sql`${functionName(target)}(${joined(target.types.map((type) => keyword(type, DATA_TYPES)))})`;
}

/** SELECT name(args): the call Verify makes. */
export function callSql(spec: FunctionSpec, args: Array<string | null>, name = spec.name): SqlText {
  const values = joined(args.map((arg) => (arg === null ? sql`NULL` : stringLiteral(arg, 'Verify'))));
  return sql`SELECT ${functionName(spec, name)}(${values})`;
}

function joined(parts: SqlText[]): SqlText {
  return parts.reduce((all, part, index) => (index === 0 ? part : sql`${all}, ${part}`), sql``);
}
