// The link's settings from the function's environment, read once per invocation.

const DEFAULT_SETTLE_MS = 2000;
const DEFAULT_MAX_READ_LAG_MS = 10_000;
// A write IAM received may be applied after its caller gave up: a lease is kept this much longer.
const DEFAULT_LATE_WRITE_MS = 10_000;

/** How a link waits for IAM, and which stack it serves. */
export interface LinkSettings {
  /** Upper bound of the wait between a write and its read-back (TRUST_LINK_SETTLE_MS). */
  settleMs: number;
  /** How long a read may lag behind a write (TRUST_LINK_MAX_READ_LAG_MS). */
  maxReadLagMs: number;
  /** How long a write that went unanswered may still land (TRUST_LINK_LATE_WRITE_MS). */
  lateWriteMs: number;
  /** The stack whose function this is (TRUST_LINK_STACK_ID): new links come from it only. */
  servedStackId?: string;
}

export function linkSettings(environment = process.env): LinkSettings {
  const servedStackId = environment.TRUST_LINK_STACK_ID;
  return {
    settleMs: milliseconds(environment.TRUST_LINK_SETTLE_MS, DEFAULT_SETTLE_MS),
    maxReadLagMs: milliseconds(environment.TRUST_LINK_MAX_READ_LAG_MS, DEFAULT_MAX_READ_LAG_MS),
    lateWriteMs: milliseconds(environment.TRUST_LINK_LATE_WRITE_MS, DEFAULT_LATE_WRITE_MS),
    ...(servedStackId ? { servedStackId } : {}),
  };
}

function milliseconds(value: string | undefined, fallback: number): number {
  const configured = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(configured) && configured >= 0
    ? configured
    : fallback;
}
