// The life of a submitted statement: a handle, a time to act (slow statements on demand), its
// timeout (408, and nothing applied), cancellation, and the answer any later poll or retry gets.
// A statement acts on the catalog at most once per handle; `requestId` + `retry=true` finds the handle again.
// https://docs.snowflake.com/en/developer-guide/sql-api/handling-responses: 202 333334 past 45 s or with
// async=true; https://docs.snowflake.com/en/developer-guide/sql-api/handling-errors: 408 past the timeout;
// https://docs.snowflake.com/en/developer-guide/sql-api/cancelling-statements: cancel by handle. The timeout
// default is STATEMENT_TIMEOUT_IN_SECONDS's (https://docs.snowflake.com/en/sql-reference/parameters).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SnowflakeError, statementCanceled, statementTimeout } from './errors';
import { execute } from './execute';
import type { SnowflakeFaultPlan } from './faults';
import { resultBody } from './results';
import type { Session, Workspace } from './session';
import type { Grammar } from './sql/cursor';
import { parseStatement } from './sql/parse';

/** An HTTP answer of the SQL API. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One submitted statement. */
export interface StatementRecord {
  handle: string;
  requestId: string;
  text: string;
  /** Set once the statement has finished, failed, timed out or been cancelled. */
  answer: Answer | undefined;
  /** Settles when `answer` is set. */
  finished: Promise<void>;
}

/** A statement that acted on the account: what tests count to prove a retry never runs twice. */
export interface Execution {
  handle: string;
  requestId: string;
  statement: string;
  user: string;
  role: string;
  at: number;
}

// Snowflake's STATEMENT_TIMEOUT_IN_SECONDS default, and the maximum that `timeout: 0` means.
const DEFAULT_TIMEOUT_S = 172_800;
const MAX_TIMEOUT_S = 604_800;

/** Starts statements and keeps them by handle and by request id. */
export class StatementRunner {
  /** Every statement that acted, in order. */
  readonly executions: Execution[] = [];
  private readonly byHandle = new Map<string, StatementRecord>();
  private readonly byRequestId = new Map<string, StatementRecord>();

  constructor(
    private readonly space: Workspace,
    private readonly faults: SnowflakeFaultPlan,
    private readonly grammar: Grammar = {},
  ) {}

  /** The statement of a handle, or undefined. */
  statement(handle: string): StatementRecord | undefined {
    return this.byHandle.get(handle);
  }

  /** The statement first submitted with this request id, or undefined. */
  submitted(requestId: string): StatementRecord | undefined {
    return this.byRequestId.get(requestId);
  }

  /** Starts a statement; it runs in the background and sets its answer when done. */
  start(text: string, session: Session, requestId: string, timeoutS: number | undefined): StatementRecord {
    let settle = () => {};
    const record: StatementRecord = {
      handle: randomUUID(),
      requestId,
      text,
      answer: undefined,
      finished: new Promise<void>((resolve) => {
        settle = resolve;
      }),
    };
    this.byHandle.set(record.handle, record);
    this.byRequestId.set(requestId, record);
    const seconds = timeoutS === undefined ? DEFAULT_TIMEOUT_S : timeoutS === 0 ? MAX_TIMEOUT_S : timeoutS;
    void this.run(record, session, seconds).finally(settle);
    return record;
  }

  /** Cancels a running statement: it will never act. Returns false when it had already finished. */
  cancel(record: StatementRecord): boolean {
    if (record.answer !== undefined) return false;
    record.answer = this.failure(record, statementCanceled());
    return true;
  }

  /** The 202 of a statement still running. */
  inProgress(record: StatementRecord): Answer {
    return {
      status: 202,
      body: {
        code: '333334',
        message:
          'Asynchronous execution in progress. Use provided query id to perform query monitoring and management.',
        statementHandle: record.handle,
        statementStatusUrl: statusUrl(record.handle),
      },
    };
  }

  private async run(record: StatementRecord, session: Session, timeoutS: number): Promise<void> {
    const delay = this.faults.delayFor(record.text);
    await sleep(Math.min(delay, timeoutS * 1000));
    if (record.answer !== undefined) return; // cancelled meanwhile
    if (delay > timeoutS * 1000) {
      record.answer = this.failure(record, statementTimeout(timeoutS));
      return;
    }
    try {
      const statement = parseStatement(record.text, this.grammar);
      this.executions.push({
        handle: record.handle,
        requestId: record.requestId,
        statement: record.text,
        user: session.user.name,
        role: session.role,
        at: Date.now(),
      });
      const result = await execute(statement, session, this.space);
      record.answer = {
        status: 200,
        body: resultBody(result, record.handle, record.requestId, statusUrl(record.handle)) as Record<
          string,
          unknown
        >,
      };
    } catch (error) {
      record.answer = this.failure(record, error);
    }
  }

  private failure(record: StatementRecord, error: unknown): Answer {
    const failure =
      error instanceof SnowflakeError
        ? error
        : new SnowflakeError(500, '000603', 'Internal error processing request');
    return {
      status: failure.status,
      body: {
        code: failure.code,
        message: failure.message,
        ...(failure.sqlState === undefined ? {} : { sqlState: failure.sqlState }),
        statementHandle: record.handle,
        statementStatusUrl: statusUrl(record.handle),
      },
    };
  }
}

/** The path a client polls for a statement's status. */
export function statusUrl(handle: string): string {
  return `/api/v2/statements/${handle}`;
}
