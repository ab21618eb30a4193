// Bounded retries with full jitter, and a sleep that the deadline can cut short.

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Upper bound of the first wait, doubled on each further attempt. */
  baseMs: number;
  /** Upper bound of any wait. */
  maxMs: number;
}

/** A random wait in [0, min(maxMs, baseMs * 2^retry)): full jitter spreads writers that collided. */
export function jitteredDelay(retry: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>): number {
  return Math.floor(Math.random() * Math.min(policy.maxMs, policy.baseMs * 2 ** retry));
}

/** Resolves after ms, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs op until it succeeds, throws what isRetryable refuses, or the attempts are spent. */
export async function withRetries<T>(
  op: () => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      if (attempt >= policy.attempts || !isRetryable(error) || signal?.aborted) throw error;
      await sleep(jitteredDelay(attempt - 1, policy), signal);
    }
  }
}
