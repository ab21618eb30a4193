// Snowflake CLI's `snow sql -q "DESC INTEGRATION x" --format json`: a JSON array with one object per
// row. Several statements in one call print an array of such arrays, one per statement.

import { type DescribeRow, normalColumnName, PROPERTY_COLUMN, VALUE_COLUMN } from './describe-row';
import { DescribeOutputError } from './errors';

type JsonRecord = Readonly<Record<string, unknown>>;

/** The DESCRIBE rows in snow's JSON output; throws DescribeOutputError when there is not exactly one result. */
export function parseDescribeJson(text: string): DescribeRow[] {
  const results = resultSets(parseJson(text)).filter((rows) => rows.some(isDescribeRecord));
  if (results.length === 0) {
    throw new DescribeOutputError(
      'The JSON has no rows with "property" and "property_value": it is not the output of DESC INTEGRATION.',
    );
  }
  if (results.length > 1) {
    throw new DescribeOutputError(
      `The JSON holds ${results.length} DESCRIBE results: describe one integration at a time.`,
    );
  }
  return (results[0] ?? []).map(describeRow);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DescribeOutputError(
      `The output looks like JSON but does not parse (${reason}): was it cut off?`,
      {
        cause: error,
      },
    );
  }
}

// A single statement prints [row, ...]; several print [[row, ...], ...]; an object alone is one row.
function resultSets(json: unknown): JsonRecord[][] {
  if (isRecord(json)) return [[json]];
  if (!Array.isArray(json)) return [];
  if (json.every(isRecord)) return [json];
  return json.filter(Array.isArray).map((rows: unknown[]) => rows.filter(isRecord));
}

function isDescribeRecord(row: JsonRecord): boolean {
  const columns = Object.keys(row).map(normalColumnName);
  return columns.includes(PROPERTY_COLUMN) && columns.includes(VALUE_COLUMN);
}

function describeRow(row: JsonRecord): DescribeRow {
  const column = (name: string): unknown =>
    Object.entries(row).find(([key]) => normalColumnName(key) === name)?.[1];
  return { property: cellText(column(PROPERTY_COLUMN)), value: cellText(column(VALUE_COLUMN)) };
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
