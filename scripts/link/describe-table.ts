// A result printed as a text table: SnowSQL's (+---+ borders, | cells, "N Row(s) produced."), Snowflake
// CLI's default table (long values folded onto continuation lines), or a Markdown copy of either.
// A table is taken whole or not at all: one cut at the top or the bottom is refused.

import { type DescribeRow, normalColumnName, PROPERTY_COLUMN, VALUE_COLUMN } from './describe-row';
import { DescribeOutputError } from './errors';

type TableLine =
  | { readonly kind: 'border' }
  | { readonly kind: 'separator' }
  | { readonly kind: 'row'; readonly cells: string[] };

interface TableBlock {
  readonly lines: TableLine[];
  /** The count SnowSQL printed under the table, if it did. */
  readonly rowsProduced?: number;
}

// Rules are made of - = + | and :, a border starts and ends with +. SnowSQL draws the rule under the
// header as |---+---| or as +---+---|.
const RULE = /^[-=+:| ]*-[-=+:| ]*$/;
const ROWS_PRODUCED = /^(\d+) Row\(s\) produced/;

/** The DESCRIBE rows of a text table; throws DescribeOutputError when the table is not whole. */
export function parseDescribeTable(text: string): DescribeRow[] {
  const blocks = tableBlocks(text.split(/\r?\n/).map((line) => line.trim()));
  const described = blocks.filter(isDescribeTable);
  if (described.length > 1) {
    throw new DescribeOutputError(
      `The text holds ${described.length} DESCRIBE tables: describe one integration at a time.`,
    );
  }
  const table = described[0];
  if (table === undefined) {
    throw new DescribeOutputError(
      'The table has no header row "| property | property_type | property_value | ... |": it looks cut off at the top. Copy the whole table.',
    );
  }
  return describeRows(table);
}

// Runs of consecutive table lines, each with the "N Row(s) produced" line that follows it.
function tableBlocks(lines: readonly string[]): TableBlock[] {
  const blocks: { lines: TableLine[]; rowsProduced?: number }[] = [];
  let inTable = false;
  lines.forEach((line, index) => {
    const isTableLine = line.startsWith('|') || line.startsWith('+');
    if (isTableLine && !inTable) blocks.push({ lines: [] });
    inTable = isTableLine;
    const block = blocks.at(-1);
    if (isTableLine) block?.lines.push(tableLine(line, index + 1));
    const produced = ROWS_PRODUCED.exec(line);
    if (produced && block && block.rowsProduced === undefined) block.rowsProduced = Number(produced[1]);
  });
  return blocks;
}

function tableLine(line: string, lineNumber: number): TableLine {
  if (RULE.test(line)) return { kind: line.startsWith('+') && line.endsWith('+') ? 'border' : 'separator' };
  if (line.startsWith('|') && line.endsWith('|') && line.length > 1) {
    return {
      kind: 'row',
      cells: line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    };
  }
  throw new DescribeOutputError(
    `Line ${lineNumber} of the table is cut off: ${JSON.stringify(line)}. Copy the whole table, or use snow --format json.`,
  );
}

function isDescribeTable(block: TableBlock): boolean {
  const first = block.lines.find((line) => line.kind === 'row');
  const columns = first?.kind === 'row' ? first.cells.map(normalColumnName) : [];
  return columns.includes(PROPERTY_COLUMN) && columns.includes(VALUE_COLUMN);
}

function describeRows(table: TableBlock): DescribeRow[] {
  assertClosed(table);
  const [header = [], ...body] = joinFoldedRows(table.lines);
  const columns = header.map(normalColumnName);
  if (table.rowsProduced !== undefined && body.length !== table.rowsProduced) {
    throw new DescribeOutputError(
      `The table shows ${body.length} of the ${table.rowsProduced} rows it says it produced: it was cut. Copy the whole table.`,
    );
  }
  const propertyAt = columns.indexOf(PROPERTY_COLUMN);
  const valueAt = columns.indexOf(VALUE_COLUMN);
  return body.map((cells) => ({ property: cells[propertyAt] ?? '', value: cells[valueAt] ?? '' }));
}

// A table that opens with a border closes with one; one that does not was cut at the bottom.
function assertClosed(table: TableBlock): void {
  if (table.lines[0]?.kind === 'border' && table.lines.at(-1)?.kind !== 'border') {
    throw new DescribeOutputError(
      'The table has no closing +---+ border: it looks cut off at the bottom. Copy the whole table.',
    );
  }
}

// Snowflake CLI folds a long value (or column name) onto the next lines, leaving the first cell of those
// lines empty; a rule line ends a row.
function joinFoldedRows(lines: readonly TableLine[]): string[][] {
  const rows: string[][] = [];
  let width: number | undefined;
  let continues = false;
  for (const line of lines) {
    if (line.kind !== 'row') {
      continues = false;
      continue;
    }
    width ??= line.cells.length;
    if (line.cells.length !== width) {
      throw new DescribeOutputError(
        `A table row has ${line.cells.length} cells where the header has ${width}: the table is damaged. Use snow --format json or a CSV export.`,
      );
    }
    const previous = rows.at(-1);
    if (continues && previous && line.cells[0] === '') {
      rows[rows.length - 1] = previous.map((cell, i) => cell + (line.cells[i] ?? ''));
    } else {
      rows.push(line.cells);
    }
    continues = true;
  }
  return rows;
}
