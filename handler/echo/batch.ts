// Snowflake's external-function wire format: the request body is {"data": [[row, arg...], ...]} and the
// response body is {"data": [[row, result], ...]}, one entry per row, in the order received.
import { MalformedBatchError } from './errors';

/** One row of a batch: Snowflake's row number, then the function's arguments. */
export interface BatchRow {
  readonly row: number;
  readonly args: readonly unknown[];
}

/** One answered row: its row number and the function's result. */
export type ResultRow = readonly [row: number, result: unknown];

const FORMAT = 'Snowflake sends {"data": [[row number, argument...], ...]}.';

/** Parses a request body into rows, or throws MalformedBatchError saying what is wrong. */
export function parseBatch(body: string | null | undefined): BatchRow[] {
  if (body === null || body === undefined || body.trim() === '') {
    throw new MalformedBatchError(`The request body is empty. ${FORMAT}`);
  }
  const data = dataOf(parseJson(body));
  return data.map(parseRow);
}

/** The response body for answered rows. */
export function formatResults(rows: readonly ResultRow[]): string {
  return JSON.stringify({ data: rows });
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (cause) {
    throw new MalformedBatchError(`The request body is not JSON. ${FORMAT}`, { cause });
  }
}

function dataOf(parsed: unknown): unknown[] {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedBatchError(`The request body is not a JSON object. ${FORMAT}`);
  }
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new MalformedBatchError(`The request body has no "data" array. ${FORMAT}`);
  return data;
}

function parseRow(entry: unknown, index: number): BatchRow {
  if (!Array.isArray(entry) || entry.length === 0) {
    throw new MalformedBatchError(
      `Entry ${index} of "data" is not a [row number, argument...] array. ${FORMAT}`,
    );
  }
  const [row, ...args] = entry;
  if (typeof row !== 'number' || !Number.isSafeInteger(row) || row < 0) {
    throw new MalformedBatchError(
      `Entry ${index} of "data" starts with ${JSON.stringify(row)}, not a row number. ${FORMAT}`,
    );
  }
  return { row, args };
}
