// Faults the Secrets Manager stand-in injects on demand, each as Secrets Manager answers it.
import { SecretsManagerError } from './secrets';

const FAULTS = {
  Throttling: () => new SecretsManagerError('ThrottlingException', 400, 'Rate exceeded'),
  InternalServiceError: () =>
    new SecretsManagerError('InternalServiceError', 500, 'An error occurred on the server side.'),
} as const;

/** A fault the stand-in can inject. */
export type SecretsFault = keyof typeof FAULTS;

/** The faults waiting for the next calls, in order, and a count of those injected. */
export class SecretsFaultPlan {
  private waiting: SecretsFault[] = [];
  private injectedCount = 0;

  /** Answers the next `times` calls with ThrottlingException. */
  throttle(times = 1): this {
    return this.add('Throttling', times);
  }

  /** Answers the next `times` calls with InternalServiceError 500. */
  serviceFailure(times = 1): this {
    return this.add('InternalServiceError', times);
  }

  /** Drops every waiting fault. */
  clear(): this {
    this.waiting = [];
    return this;
  }

  /** How many calls a fault has hit so far. */
  get injected(): number {
    return this.injectedCount;
  }

  /** The error for the next call, if a fault waits for it. */
  take(): SecretsManagerError | undefined {
    const fault = this.waiting.shift();
    if (fault === undefined) return undefined;
    this.injectedCount += 1;
    return FAULTS[fault]();
  }

  private add(fault: SecretsFault, times: number): this {
    for (let i = 0; i < times; i += 1) this.waiting.push(fault);
    return this;
  }
}
