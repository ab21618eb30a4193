// Faults the IAM stand-in injects on demand: errors IAM really answers with, a call that never
// answers, and slow answers. Each rule applies to the next matching calls, in the order given.
import { type ErrorFault, FAULT_ERRORS, type IamError } from './errors';

/** What a fault does to a call: answer with an IAM error, or hang until released. */
export type FaultKind = ErrorFault | 'Hang';

/** Which calls a fault rule applies to and how many of them. */
export interface FaultScope {
  /** Only calls of this action (e.g. 'UpdateAssumeRolePolicy'); every action when absent. */
  action?: string;
  /** Only calls on this role; every role when absent. */
  role?: string;
  /** How many matching calls it hits; default 1. `Infinity` hits every one. */
  times?: number;
}

interface FaultRule {
  kind: FaultKind;
  action: string | undefined;
  role: string | undefined;
  remaining: number;
}

/** The faults waiting for the next calls, and a count of those injected so far. */
export class FaultPlan {
  private rules: FaultRule[] = [];
  private delayMs = 0;
  private staleMs = 0;
  private injectedCount = 0;

  /** Answers the next calls with Throttling 400 "Rate exceeded". */
  throttle(scope: FaultScope = {}): this {
    return this.add('Throttling', scope);
  }

  /** Answers the next calls with ServiceFailure 500. */
  serviceFailure(scope: FaultScope = {}): this {
    return this.add('ServiceFailure', scope);
  }

  /** Answers the next calls with ConcurrentModification 409. */
  concurrentModification(scope: FaultScope = {}): this {
    return this.add('ConcurrentModification', scope);
  }

  /** Leaves the next calls unanswered until `IamStandIn.release()` or `close()`; default every call. */
  hang(scope: FaultScope = {}): this {
    return this.add('Hang', { times: Number.POSITIVE_INFINITY, ...scope });
  }

  /** Delays every answer by `ms` milliseconds (0 turns it off). */
  delayEachAnswer(ms: number): this {
    this.delayMs = ms;
    return this;
  }

  /**
   * Makes GetRole eventually consistent, as IAM is: it returns the trust policy as it was `ms`
   * milliseconds ago (0 turns it off). Writes take effect at once for later writes.
   */
  staleReads(ms: number): this {
    this.staleMs = ms;
    return this;
  }

  /** Drops every waiting rule, the delay and stale reads. */
  clear(): this {
    this.rules = [];
    this.delayMs = 0;
    this.staleMs = 0;
    return this;
  }

  /** How far behind the writes GetRole reads, in ms. */
  get staleness(): number {
    return this.staleMs;
  }

  /** How many calls a fault has hit so far (delays not counted). */
  get injected(): number {
    return this.injectedCount;
  }

  /** The delay to apply to every answer, in ms. */
  get delay(): number {
    return this.delayMs;
  }

  /** Takes the fault for a call of `action` on `role`, if a rule matches, and counts it. */
  take(action: string, role?: string): FaultKind | undefined {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.action === undefined || r.action === action) &&
        (r.role === undefined || r.role === role),
    );
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    this.injectedCount += 1;
    return rule.kind;
  }

  private add(kind: FaultKind, { action, role, times = 1 }: FaultScope): this {
    this.rules.push({ kind, action, role, remaining: times });
    return this;
  }
}

/** The IAM error an error fault answers with. */
export function faultError(kind: ErrorFault): IamError {
  return FAULT_ERRORS[kind]();
}
