// The one module that talks to Snowflake's SQL API: submit a statement, poll while it runs, read its result.
// https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests: POST /api/v2/statements with
//   requestId=<uuid>; "Resubmitting a request to execute SQL statements": a resubmit carries the same requestId
//   and retry=true, so that a statement that already ran successfully is not run again. The first submit sends
//   no retry (it would only add work); body fields statement, timeout (seconds), role, warehouse
//   (case-sensitive, as SHOW shows them).
// https://docs.snowflake.com/en/developer-guide/sql-api/handling-responses: 200 with the result; 202 (code
//   333334) while the statement runs, even without async=true once it passes about 45 s; poll
//   GET /api/v2/statements/{handle}; more partitions with ?partition=N; 429 asks the client to back off.
// https://docs.snowflake.com/en/developer-guide/sql-api/cancelling-statements: POST …/{handle}/cancel.

import { randomUUID } from 'node:crypto';
import { log } from '../../framework/log';
import { jitteredDelay, type RetryPolicy, sleep } from '../../framework/retry';
import type { Authenticator } from './credentials';
import {
  SnowflakeDeadlineError,
  SnowflakeUnavailableError,
  StatementTimeoutError,
  UnexpectedResponseError,
} from './errors';
import { explainRefusal, failureOf } from './refusals';
import { parseResultSet, parseRows, type StatementResult } from './results';
import type { ConnectionSettings } from './settings';
import type { SqlText } from './sql';

/** How the client behaves; every field has a default fit for a custom resource. */
export interface SqlApiOptions {
  /** Test and lab only: the SQL API's origin, where http:// is allowed. Never read from a secret. */
  endpointOverride?: string;
  retry?: RetryPolicy;
  /** Bound of one HTTP exchange; above the 45 s Snowflake may hold a POST before answering 202. */
  requestTimeoutMs?: number;
  /** Statement timeout sent to Snowflake, and after which this client cancels and gives up. */
  statementTimeoutSeconds?: number;
  /** How long past the statement timeout the client waits for Snowflake's own 408 before cancelling. */
  timeoutGraceMs?: number;
  /** Waits between polls of a running statement: the first, doubled up to the largest. */
  poll?: { firstMs: number; maxMs: number };
}

/** Per statement: the caller's deadline, and what the error should name if access is refused. */
export interface ExecuteOptions {
  signal?: AbortSignal;
  privilege?: string;
  timeoutSeconds?: number;
}

interface Answer {
  status: number;
  body: unknown;
}

interface Run {
  requestId: string;
  summary: string;
  handle?: string;
  attempts: number;
}

export const SQL_API_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, maxMs: 8000 };
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const USER_AGENT = 'snowflake-trust-link/0.1';
const CANCEL_BUDGET_MS = 2000;

/** A client of the SQL API for one connection. */
export class SqlApiClient {
  private readonly origin: string;
  private readonly retry: RetryPolicy;
  private readonly requestTimeoutMs: number;
  private readonly timeoutSeconds: number;
  private readonly timeoutGraceMs: number;
  private readonly poll: { firstMs: number; maxMs: number };

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly auth: Authenticator,
    options: SqlApiOptions = {},
  ) {
    this.origin = options.endpointOverride ? new URL(options.endpointOverride).origin : settings.origin;
    this.retry = options.retry ?? SQL_API_RETRY;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.timeoutSeconds = options.statementTimeoutSeconds ?? 120;
    // The server-side timeout cancels the statement; the client waits a little longer for that answer.
    this.timeoutGraceMs = options.timeoutGraceMs ?? 15_000;
    this.poll = options.poll ?? { firstMs: 500, maxMs: 5000 };
  }

  /** Runs one statement to its end: its result, or an error that says what to do. */
  async execute(statement: SqlText, options: ExecuteOptions = {}): Promise<StatementResult> {
    const run: Run = { requestId: randomUUID(), summary: statementSummary(statement.text), attempts: 0 };
    const timeoutSeconds = options.timeoutSeconds ?? this.timeoutSeconds;
    const timer = AbortSignal.timeout(timeoutSeconds * 1000 + this.timeoutGraceMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timer]) : timer;
    const started = Date.now();
    try {
      const body = this.requestBody(statement.text, timeoutSeconds);
      const path = `/api/v2/statements?requestId=${run.requestId}`;
      const submitted = await this.exchange(run, 'POST', path, body, signal, `${path}&retry=true`);
      const answer = await this.untilDone(run, submitted, signal);
      if (answer.status !== 200) throw this.refusal(run, answer, options.privilege);
      const result = await this.withAllPartitions(run, parseResultSet(answer.body), signal);
      log('info', 'Snowflake statement done', {
        ...runFields(run, result.statementHandle),
        ms: Date.now() - started,
      });
      return result;
    } catch (error) {
      throw await this.afterFailure(error, run, { caller: options.signal, timer, timeoutSeconds });
    }
  }

  private requestBody(statement: string, timeout: number): Record<string, unknown> {
    const { role, warehouse } = this.settings;
    // Whole seconds, at least one: Snowflake reads 0 as "the longest allowed" (7 days).
    const seconds = Math.max(1, Math.ceil(timeout));
    return { statement, timeout: seconds, ...(role ? { role } : {}), ...(warehouse ? { warehouse } : {}) };
  }

  // A 202 means "still running": wait, then ask again by handle, as long as the deadline allows.
  private async untilDone(run: Run, first: Answer, signal: AbortSignal): Promise<Answer> {
    let answer = first;
    for (let wait = this.poll.firstMs; answer.status === 202; wait = Math.min(wait * 2, this.poll.maxMs)) {
      run.handle = handleOf(answer.body);
      await sleep(wait, signal);
      answer = await this.exchange(
        run,
        'GET',
        `/api/v2/statements/${encodeURIComponent(run.handle)}`,
        undefined,
        signal,
      );
    }
    return answer;
  }

  private async withAllPartitions(
    run: Run,
    result: StatementResult,
    signal: AbortSignal,
  ): Promise<StatementResult> {
    const handle = encodeURIComponent(result.statementHandle);
    for (let partition = 1; partition < result.partitions; partition++) {
      const path = `/api/v2/statements/${handle}?partition=${partition}`;
      const answer = await this.exchange(run, 'GET', path, undefined, signal);
      if (answer.status !== 200) throw this.refusal(run, answer);
      result.rows.push(...parseRows((answer.body as { data?: unknown } | undefined)?.data));
    }
    return result;
  }

  // One request, retried with jitter on 429, 5xx and the network; a resubmit goes to `resubmitPath` (the same
  // requestId with retry=true), so that Snowflake does not run again a statement that already succeeded.
  private async exchange(
    run: Run,
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal,
    resubmitPath: string = path,
  ): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const headers = this.auth.headers();
      let answer: Answer | undefined;
      let failure: unknown;
      try {
        answer = await this.send(method, attempt === 1 ? path : resubmitPath, headers, body, signal);
      } catch (error) {
        if (signal.aborted) throw error;
        failure = error;
      }
      run.attempts = attempt;
      if (answer && !RETRY_STATUSES.has(answer.status)) return answer;
      if (attempt >= this.retry.attempts) throw unavailable(run, answer, failure);
      log('warn', 'Snowflake retry', { ...runFields(run), status: answer?.status, error: describe(failure) });
      await sleep(jitteredDelay(attempt - 1, this.retry), signal);
    }
  }

  private async send(
    method: string,
    path: string,
    credentials: Record<string, string>,
    body: unknown,
    signal: AbortSignal,
  ): Promise<Answer> {
    const response = await fetch(new URL(path, this.origin), {
      method,
      headers: {
        ...credentials,
        Accept: 'application/json',
        'User-Agent': USER_AGENT,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.requestTimeoutMs)]),
    });
    return { status: response.status, body: parseJson(await response.text()) };
  }

  private refusal(run: Run, answer: Answer, privilege?: string): Error {
    const context = {
      summary: run.summary,
      auth: this.auth.diagnostics,
      role: this.settings.role,
      privilege,
    };
    return explainRefusal(answer.status, answer.body, context);
  }

  // The caller's deadline or the statement's timeout ended the run: ask Snowflake to stop, then say so.
  private async afterFailure(
    error: unknown,
    run: Run,
    ends: { caller?: AbortSignal; timer: AbortSignal; timeoutSeconds: number },
  ): Promise<unknown> {
    const byDeadline = ends.caller?.aborted === true;
    if (!byDeadline && !ends.timer.aborted) return this.abandoned(error, run);
    const cancelled = await this.cancel(run);
    const handle = run.handle
      ? ` (statement ${run.handle}${cancelled ? ', cancelled' : ', cancel not confirmed'})`
      : '';
    if (byDeadline) {
      return new SnowflakeDeadlineError(
        `The function's time ran out while Snowflake was running ${run.summary}${handle}; it may still take ` +
          'effect in Snowflake. Retry the stack operation, or give the function a longer Timeout.',
        { cause: ends.caller?.reason ?? error },
      );
    }
    return new StatementTimeoutError(
      `${run.summary} did not finish within its ${ends.timeoutSeconds} s timeout${handle}. Check the ` +
        "warehouse (suspended, queued or too small), or raise the function's statement timeout " +
        '(SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS in its environment).',
      { cause: error },
    );
  }

  // Polls that failed past their retries leave the statement running: stop it, so that it cannot act after
  // the failure is reported (a rollback would find nothing to undo, and the statement would land later).
  private async abandoned(error: unknown, run: Run): Promise<unknown> {
    if (!(error instanceof SnowflakeUnavailableError) || !run.handle) return error;
    const outcome = (await this.cancel(run))
      ? `Statement ${run.handle} was cancelled.`
      : `Statement ${run.handle} could not be cancelled: it may still take effect in Snowflake.`;
    return new SnowflakeUnavailableError(`${error.message} ${outcome}`, { cause: error.cause });
  }

  private async cancel(run: Run): Promise<boolean> {
    if (!run.handle) return false;
    try {
      const signal = AbortSignal.timeout(CANCEL_BUDGET_MS);
      const path = `/api/v2/statements/${encodeURIComponent(run.handle)}/cancel`;
      const answer = await this.send('POST', path, this.auth.headers(), undefined, signal);
      log('info', 'Snowflake statement cancel', { ...runFields(run), status: answer.status });
      return answer.status === 200;
    } catch (error) {
      log('warn', 'Snowflake statement cancel failed', { ...runFields(run), error: describe(error) });
      return false;
    }
  }
}

/** The statement's leading keywords and first (quoted) name: enough to say which it was, never a literal. */
export function statementSummary(statement: string): string {
  const keywords = /^\s*((?:[A-Za-z_]+\s+)*[A-Za-z_]+)/.exec(statement)?.[1] ?? 'statement';
  const rest = statement.trimStart().slice(keywords.length);
  const name = /^\s*("(?:[^"]|"")*"(?:\."(?:[^"]|"")*")*)/.exec(rest)?.[1];
  const summary = `${keywords.replace(/\s+/g, ' ')}${name ? ` ${name}` : ''}`;
  return summary.length > 200 ? `${summary.slice(0, 200)}…` : summary;
}

function handleOf(body: unknown): string {
  const handle = failureOf(body).statementHandle;
  if (!handle) {
    throw new UnexpectedResponseError('Snowflake answered 202 without a statementHandle to poll.', 202);
  }
  return handle;
}

function unavailable(run: Run, answer: Answer | undefined, failure: unknown): SnowflakeUnavailableError {
  const failureFields = failureOf(answer?.body);
  const last = answer
    ? `HTTP ${answer.status}${failureFields.code ? ` ${failureFields.code}` : ''}${failureFields.message ? ` ${failureFields.message}` : ''}`
    : `network error: ${describe(failure)}`;
  return new SnowflakeUnavailableError(
    `Snowflake did not answer ${run.summary} after ${run.attempts} tries (last: ${last}). Retry the stack ` +
      "operation; if it persists, check https://status.snowflake.com and the function's network path to Snowflake.",
    { cause: failure },
  );
}

function runFields(run: Run, handle = run.handle): Record<string, unknown> {
  return { requestId: run.requestId, statement: run.summary, ...(handle ? { statementHandle: handle } : {}) };
}

function describe(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
