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

/** A row of fixed-width columns: a label, ours, bare ES module, bare CommonJS, the two ratios, the goal. */
export function row(label: string, ...cells: string[]): string {
  const figures = cells.slice(0, 5).map((cell) => cell.padStart(11));
  const goal = cells[5] === undefined ? '' : `  ${cells[5]}`;
  return `${label.padEnd(60)}${figures.join('')}${goal}`.trimEnd();
}

/** "met" or "NOT met" for a goal. */
export function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}

/** The goals of one run: each is judged where its figure is printed, and the run fails if one is missed. */
export class Goals {
  private readonly missed: string[] = [];
  private count = 0;

  /** Records a goal and returns its verdict for the table. */
  judge(name: string, met: boolean): string {
    this.count++;
    if (!met) this.missed.push(name);
    return verdict(met);
  }

  /** One line for the end of the report, and whether every goal was met. */
  summary(): { line: string; allMet: boolean } {
    const met = this.count - this.missed.length;
    const line =
      this.missed.length === 0
        ? `All ${this.count} goals met.`
        : `${met} of ${this.count} goals met; missed: ${this.missed.join('; ')}.`;
    return { line, allMet: this.missed.length === 0 };
  }
}
