import type { BatchRow, ResultRow } from './batch';

/**
 * The sample remote function: answers each row with its argument (or, for several arguments, the list
 * of them; for none, null), keeping Snowflake's row numbers and order.
 */
export function echoRows(rows: readonly BatchRow[]): ResultRow[] {
  return rows.map(({ row, args }) => [row, echoed(args)]);
}

function echoed(args: readonly unknown[]): unknown {
  if (args.length === 0) return null;
  return args.length === 1 ? args[0] : args;
}
