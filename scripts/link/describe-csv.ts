// A result exported from Snowsight as CSV (header property,property_type,property_value,property_default),
// or the same cells copied from its grid, which arrive tab-separated.

import { CsvError, parse } from 'csv-parse/sync';
import { type DescribeRow, normalColumnName, PROPERTY_COLUMN, VALUE_COLUMN } from './describe-row';
import { DescribeOutputError } from './errors';

/** The DESCRIBE rows of a CSV or TSV export; throws DescribeOutputError when it does not parse whole. */
export function parseDescribeCsv(text: string): DescribeRow[] {
  const records = parseRecords(text);
  const [header = [], ...rows] = records;
  const columns = header.map(normalColumnName);
  const propertyAt = columns.indexOf(PROPERTY_COLUMN);
  const valueAt = columns.indexOf(VALUE_COLUMN);
  if (propertyAt < 0 || valueAt < 0) {
    throw new DescribeOutputError(
      'The CSV has no header with "property" and "property_value": export the whole DESC INTEGRATION result, header included.',
    );
  }
  return rows.map((row) => ({ property: row[propertyAt] ?? '', value: row[valueAt] ?? '' }));
}

function parseRecords(text: string): string[][] {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  try {
    return parse(text, {
      bom: true,
      delimiter: firstLine.includes('\t') ? '\t' : ',',
      skip_empty_lines: true,
    });
  } catch (error) {
    // A record with too few fields or an unclosed quote is what a file cut in half looks like.
    const reason = error instanceof CsvError ? error.message : String(error);
    throw new DescribeOutputError(`The CSV does not parse (${reason}): was it cut off?`, { cause: error });
  }
}
