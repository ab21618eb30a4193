// What a statement returns and how the SQL API carries it: `resultSetMetaData` (format jsonv2, a
// rowType per column) and `data`, every value a string or null
// (https://docs.snowflake.com/en/developer-guide/sql-api/handling-responses; the ResultSet schema of
// https://docs.snowflake.com/en/developer-guide/sql-api/reference).

/** A column of a result: its name and its Snowflake type, lower case as rowType gives it. */
export interface Column {
  name: string;
  type: 'text' | 'variant' | 'boolean' | 'timestamp_ltz' | 'fixed';
}

/** A statement's result: columns and rows of strings. */
export interface ResultSet {
  columns: Column[];
  rows: Array<Array<string | null>>;
}

/** The one-row result of DDL: a status message. */
export function statusResult(message: string): ResultSet {
  return { columns: [{ name: 'status', type: 'text' }], rows: [[message]] };
}

/** The body of a 200 answer. */
export function resultBody(result: ResultSet, handle: string, requestId: string, statusUrl: string): object {
  return {
    resultSetMetaData: {
      numRows: result.rows.length,
      format: 'jsonv2',
      partitionInfo: [{ rowCount: result.rows.length, uncompressedSize: JSON.stringify(result.rows).length }],
      rowType: result.columns.map(rowType),
    },
    data: result.rows,
    code: '090001',
    statementStatusUrl: statusUrl,
    requestId,
    sqlState: '00000',
    statementHandle: handle,
    message: 'Statement executed successfully.',
    createdOn: Date.now(),
  };
}

/** A timestamp as the SQL API sends TIMESTAMP_LTZ: epoch seconds with nine decimals, as a string. */
export function timestampText(date: Date): string {
  return `${Math.floor(date.getTime() / 1000)}.${String((date.getTime() % 1000) * 1_000_000).padStart(9, '0')}`;
}

// length, precision and scale are integers, 0 where they do not apply: the reference's ResultSet schema and
// its example (https://docs.snowflake.com/en/developer-guide/sql-api/reference, "ResultSet").
function rowType(column: Column): object {
  const text = column.type === 'text' || column.type === 'variant';
  return {
    name: column.name,
    database: '',
    schema: '',
    table: '',
    nullable: true,
    type: column.type,
    byteLength: text ? 16777216 : null,
    length: text ? 16777216 : 0,
    scale: 0,
    precision: column.type === 'fixed' ? 38 : 0,
    collation: null,
  };
}
