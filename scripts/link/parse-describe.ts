// DESCRIBE INTEGRATION output in any of the forms people have: tells the form apart and hands it to
// the parser for that form.

import { parseDescribeCsv } from './describe-csv';
import { parseDescribeJson } from './describe-json';
import type { DescribeRow } from './describe-row';
import { parseDescribeTable } from './describe-table';
import { DescribeOutputError } from './errors';

export type DescribeForm = 'json' | 'table' | 'csv';

export interface DescribeOutput {
  readonly form: DescribeForm;
  readonly rows: readonly DescribeRow[];
}

const PARSERS: Record<DescribeForm, (text: string) => DescribeRow[]> = {
  json: parseDescribeJson,
  table: parseDescribeTable,
  csv: parseDescribeCsv,
};

/** Parses DESCRIBE INTEGRATION output; throws DescribeOutputError when it is empty or not whole. */
export function parseDescribe(text: string): DescribeOutput {
  const form = describeForm(text);
  return { form, rows: PARSERS[form](text.replace(/^\uFEFF/, '')) };
}

/** Which form the output is in: JSON starts with [ or {, a table has lines starting with | or +. */
export function describeForm(text: string): DescribeForm {
  const content = text.replace(/^\uFEFF/, '').trim();
  if (content === '') {
    throw new DescribeOutputError('The DESCRIBE INTEGRATION output is empty: nothing to link.');
  }
  if (content.startsWith('[') || content.startsWith('{')) return 'json';
  const lines = content.split(/\r?\n/).map((line) => line.trim());
  if (lines.some((line) => line.startsWith('|') || line.startsWith('+-'))) return 'table';
  return 'csv';
}
