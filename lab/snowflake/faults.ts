// Faults the Snowflake stand-in injects on demand: 429 storms, server errors, connections cut, and
// statements that take long (answered 202, or cut by their timeout). Each rule hits the next calls
// of its kind (a statement's submission or a poll of its status). The statuses are the reference's (429,
// 503: https://docs.snowflake.com/en/developer-guide/sql-api/reference); their codes are assumptions
// (lab/README.md).

/** Which requests a fault hits: submissions (POST /api/v2/statements), polls (GET .../{handle}), or both. */
export interface SnowflakeFaultScope {
  on?: 'submit' | 'poll';
  /** How many matching requests it hits; default 1. */
  times?: number;
}

/** What a fault does to a request. */
export type SnowflakeFault = 'TooManyRequests' | 'ServiceUnavailable' | 'DropConnection';

interface Rule {
  fault: SnowflakeFault;
  on: 'submit' | 'poll' | undefined;
  remaining: number;
}

interface Slowness {
  ms: number;
  matching: RegExp | undefined;
  remaining: number;
}

/** The faults waiting for the next requests, and a count of those injected. */
export class SnowflakeFaultPlan {
  private rules: Rule[] = [];
  private slowness: Slowness[] = [];
  private injectedCount = 0;

  /** Answers 429 390505 "Too many requests." */
  tooManyRequests(scope: SnowflakeFaultScope = {}): this {
    return this.add('TooManyRequests', scope);
  }

  /** Answers 503, as a gateway in front of Snowflake may. */
  serviceUnavailable(scope: SnowflakeFaultScope = {}): this {
    return this.add('ServiceUnavailable', scope);
  }

  /** Cuts the connection without an answer (a submitted statement is then not run). */
  dropConnection(scope: SnowflakeFaultScope = {}): this {
    return this.add('DropConnection', scope);
  }

  /**
   * Makes the next statements (matching `matching`, default all) take `ms` before they act: past the
   * stand-in's `asyncAfterMs` they are answered 202 and polled; past their timeout, 408 and never applied.
   */
  slowStatements(ms: number, { matching, times = 1 }: { matching?: RegExp; times?: number } = {}): this {
    this.slowness.push({ ms, matching, remaining: times });
    return this;
  }

  /** Drops every waiting fault. */
  clear(): this {
    this.rules = [];
    this.slowness = [];
    return this;
  }

  /** How many requests a fault has hit so far (slow statements not counted). */
  get injected(): number {
    return this.injectedCount;
  }

  /** The fault for the next request of this kind, if a rule matches. */
  take(on: 'submit' | 'poll'): SnowflakeFault | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && (r.on === undefined || r.on === on));
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    this.injectedCount += 1;
    return rule.fault;
  }

  /** How long the statement takes before it acts, in ms. */
  delayFor(statement: string): number {
    const slow = this.slowness.find((s) => s.remaining > 0 && (s.matching?.test(statement) ?? true));
    if (slow === undefined) return 0;
    slow.remaining -= 1;
    this.slowness = this.slowness.filter((s) => s.remaining > 0);
    return slow.ms;
  }

  private add(fault: SnowflakeFault, { on, times = 1 }: SnowflakeFaultScope): this {
    this.rules.push({ fault, on, remaining: times });
    return this;
  }
}
