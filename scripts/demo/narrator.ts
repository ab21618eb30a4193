// What the demo prints: per step, the commands a person would run, how each watched role's trust policy
// changed, and one line of verdict; the whole CloudFormation responses only when asked (--verbose).
import type { CustomResourceOutcome, StackOperationResult } from '../../lab';
import { diffTrustPolicies, formatTrustDiff } from './trust-diff';

/** A role's trust policy at one moment; undefined when the role does not exist. */
export type TrustSnapshot = ReadonlyMap<string, unknown>;

export class Narrator {
  /** Every check that failed, in every step. */
  readonly problems: string[] = [];
  private stepProblems: string[] = [];

  constructor(
    private readonly verbose: boolean,
    private readonly print: (line: string) => void = console.log,
  ) {}

  /** Starts a step: its title, then what a person runs (`$ ` for a shell, `sql> ` for Snowflake). */
  step(title: string, commands: readonly string[]): void {
    this.stepProblems = [];
    this.print(`\n== ${title}`);
    for (const command of commands) this.print(`  ${command}`);
  }

  /** The change of each role's trust policy between two snapshots (role name -> policy). */
  trustChanges(before: TrustSnapshot, after: TrustSnapshot): void {
    for (const roleName of new Set([...before.keys(), ...after.keys()])) {
      const [old, current] = [before.get(roleName), after.get(roleName)];
      const lines = formatTrustDiff(diffTrustPolicies(old, current));
      if (current === undefined && old !== undefined)
        this.print(`  trust policy of ${roleName}: role deleted`);
      else if (lines.length === 0) this.print(`  trust policy of ${roleName}: unchanged`);
      else {
        const created = old === undefined ? ' (role created)' : '';
        this.print(`  trust policy of ${roleName}${created}:`);
        for (const line of lines) this.print(`    ${line}`);
        if (this.verbose) this.print(indent(`now: ${JSON.stringify(current, null, 2)}`, 4));
      }
    }
  }

  /** With --verbose, every CloudFormation request of the operation and the whole response to it. */
  responses(result: StackOperationResult): void {
    if (!this.verbose) return;
    for (const request of result.requests) this.print(describeResponse(request));
  }

  /** Records one expectation of the step; with --verbose, prints it. */
  check(ok: boolean, what: string): void {
    if (this.verbose) this.print(`  [${ok ? 'ok' : 'NOT OK'}] ${what}`);
    if (ok) return;
    this.stepProblems.push(what);
    this.problems.push(what);
  }

  /** The step's one line: the summary when every check held, else what did not. */
  verdict(summary: string): void {
    const failed = this.stepProblems;
    this.print(failed.length === 0 ? `  ok: ${summary}` : `  NOT OK: ${failed.join('; ')}`);
  }
}

function describeResponse(outcome: CustomResourceOutcome): string {
  const { event } = outcome;
  const target = event.PhysicalResourceId === undefined ? '' : ` ${event.PhysicalResourceId}`;
  const body = outcome.response?.body;
  const shown = body === undefined ? '(no response)' : JSON.stringify(JSON.parse(body), null, 2);
  return `  CloudFormation -> ${event.RequestType} ${event.LogicalResourceId}${target}\n  <- response:\n${indent(shown, 4)}`;
}

function indent(text: string, spaces: number): string {
  return text.replace(/^/gm, ' '.repeat(spaces));
}
