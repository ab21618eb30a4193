// Small statistics and formatting for the benchmark's table.

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** A ratio as "1.07x". */
export function ratio(ours: number, baseline: number): string {
  return `${(ours / baseline).toFixed(2)}x`;
}

/** Milliseconds with one decimal. */
export function msText(value: number): string {
  return `${value.toFixed(1)} ms`;
}

/** A row of fixed-width columns. */
export function row(...cells: string[]): string {
  const widths = [46, 14, 14, 10, 12];
  return cells
    .map((cell, i) => cell.padEnd(widths[i] ?? 0))
    .join('')
    .trimEnd();
}

/** "met" or "NOT met" for a goal. */
export function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}
