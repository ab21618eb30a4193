// Reading the SQL API's answers: a 200's result set (every value a string or null) and its pieces.
// https://docs.snowflake.com/en/developer-guide/sql-api/handling-responses: `resultSetMetaData.rowType` names
// the columns, `data` holds the rows of the first partition, `partitionInfo` lists every partition.
// https://docs.snowflake.com/en/sql-reference/sql/desc-integration: DESCRIBE INTEGRATION answers rows of
// property | property_type | property_value | property_default; lists are comma-joined, `[]` when empty.

import { UnexpectedResponseError } from './errors';

/** One statement's result set. */
export interface StatementResult {
  statementHandle: string;
  columns: string[];
  rows: (string | null)[][];
  /** How many partitions the result has; rows holds them all once sql-api.ts has fetched the rest. */
  partitions: number;
}

type Json = Record<string, unknown>;

/** Checks a 200 body's shape and keeps what the callers use. */
export function parseResultSet(body: unknown): StatementResult {
  const json = asObject(body);
  const meta = asObject(json?.resultSetMetaData);
  const rowType = meta?.rowType;
  const handle = json?.statementHandle;
  if (typeof handle !== 'string' || !Array.isArray(rowType)) {
    throw new UnexpectedResponseError(
      'Snowflake answered 200 without a statementHandle or resultSetMetaData.rowType: check that "host" is ' +
        "the account's SQL API endpoint.",
      200,
    );
  }
  const columns = rowType.map((column) => String(asObject(column)?.name ?? ''));
  const partitions = Array.isArray(meta?.partitionInfo) ? Math.max(1, meta.partitionInfo.length) : 1;
  return { statementHandle: handle, columns, rows: parseRows(json?.data), partitions };
}

/** The rows of a partition: `data` of a 200 answer. */
export function parseRows(data: unknown): (string | null)[][] {
  if (data === undefined || data === null) return [];
  if (!Array.isArray(data) || !data.every(Array.isArray)) {
    throw new UnexpectedResponseError('Snowflake answered 200 with "data" that is not a list of rows.', 200);
  }
  return data.map((row: unknown[]) => row.map((value) => (value === null ? null : String(value))));
}

/** Each row as an object keyed by column name, as the result names them. */
export function rowsByName(
  result: Pick<StatementResult, 'columns' | 'rows'>,
): Record<string, string | null>[] {
  return result.rows.map((row) =>
    Object.fromEntries(result.columns.map((name, index) => [name, row[index] ?? null])),
  );
}

/** DESCRIBE INTEGRATION (or USER, …) as property → property_value, property names upper case. */
export function describeProperties(
  result: Pick<StatementResult, 'columns' | 'rows'>,
): Map<string, string | null> {
  const columns = result.columns.map((name) => name.toLowerCase());
  const property = columns.indexOf('property');
  const value = columns.indexOf('property_value');
  if (property < 0 || value < 0) {
    throw new UnexpectedResponseError(
      `A DESCRIBE result has no property and property_value columns (it has ${result.columns.join(', ')}).`,
      200,
    );
  }
  return new Map(result.rows.map((row) => [String(row[property] ?? '').toUpperCase(), row[value] ?? null]));
}

/** A list property's items: `a,b` or `[a, b]`; empty for `[]`, an empty string or null. */
export function listProperty(value: string | null | undefined): string[] {
  const inner = (value ?? '').trim().replace(/^\[(.*)\]$/s, '$1');
  return inner
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}
