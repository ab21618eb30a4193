// Always answer: every invocation ends in exactly one response to CloudFormation, whether the flow
// succeeds, throws, or would outlive the function (a guard answers FAILED before the deadline).

import type { Context } from 'aws-lambda';
import { type CfnResponse, responseBody, sendResponse } from './cfn-response';
import { DeadlineError, TrustLinkError } from './errors';
import { type CfnEvent, identityOf, loggableEvent, parseEvent } from './event';
import type { Invocation, Outcome } from './lifecycle';
import { initialFailedPhysicalId } from './lifecycle';
import { errorFields, log } from './log';

export type Dispatch = (event: CfnEvent, invocation: Invocation) => Promise<Outcome>;

const DEFAULT_SETTLE_MS = 2000;

/** Runs dispatch on the raw event and answers CloudFormation once. Never throws. */
export async function answerCloudFormation(
  raw: unknown,
  context: Context,
  dispatch: Dispatch,
): Promise<void> {
  const identity = identityOf(raw);
  log('info', 'Request received', { event: loggableEvent(raw) });
  if (!identity.responseUrl) {
    log(
      'error',
      'The event has no ResponseURL: there is no one to answer. Is this a CloudFormation request?',
    );
    return;
  }
  const controller = new AbortController();
  const invocation: Invocation = {
    signal: controller.signal,
    settleMs: settleMs(),
    failedPhysicalId: initialFailedPhysicalId(identity.PhysicalResourceId, identity.RequestId),
  };
  const result = await runBeforeDeadline(() => dispatch(parseEvent(raw), invocation), context, controller);
  if ('error' in result && invocation.undo) await undoBeforeAnswering(invocation.undo, context);
  const response: CfnResponse =
    'outcome' in result
      ? {
          Status: 'SUCCESS',
          PhysicalResourceId: result.outcome.physicalResourceId,
          ...identityFields(identity),
          ...(result.outcome.data ? { Data: result.outcome.data } : {}),
        }
      : {
          Status: 'FAILED',
          Reason: reasonFor(result.error, context),
          PhysicalResourceId: invocation.failedPhysicalId,
          ...identityFields(identity),
        };
  await deliver(identity.responseUrl, response, context);
}

type Result = { outcome: Outcome } | { error: unknown };

// The flow's own signal may be aborted by now (the deadline): the undo gets a signal of its own, and half
// of the time that is left, so that the answer still goes out.
async function undoBeforeAnswering(
  undo: (signal: AbortSignal) => Promise<void>,
  context: Context,
): Promise<void> {
  try {
    await undo(AbortSignal.timeout(Math.max(0, Math.floor(context.getRemainingTimeInMillis() / 2))));
  } catch (error) {
    log('error', 'Could not undo what the failed request wrote', errorFields(error));
  }
}

// The guard leaves time to answer: a fifth of the budget, between 0.2 and 10 seconds.
async function runBeforeDeadline(
  flow: () => Promise<Outcome>,
  context: Context,
  controller: AbortController,
): Promise<Result> {
  const budget = context.getRemainingTimeInMillis();
  const reserve = Math.min(10_000, Math.max(200, budget * 0.2));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Result>((resolve) => {
    timer = setTimeout(() => {
      const error = new DeadlineError(
        `The link did not finish within the function's time (${Math.round(budget / 1000)} s): IAM did not answer in time. Retry the stack operation; if it recurs, raise the function's Timeout.`,
      );
      controller.abort(error);
      resolve({ error });
    }, budget - reserve);
  });
  // A flow that throws before its first await still ends in a result.
  const work = Promise.resolve()
    .then(flow)
    .then(
      (outcome): Result => ({ outcome }),
      (error: unknown): Result => ({ error }),
    );
  const result = await Promise.race([work, deadline]);
  clearTimeout(timer);
  return result;
}

function reasonFor(error: unknown, context: Context): string {
  log('error', 'Request failed', errorFields(error));
  if (error instanceof TrustLinkError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `Unexpected error: ${message}. Details are in log stream ${context.logStreamName}.`;
}

async function deliver(responseUrl: string, response: CfnResponse, context: Context): Promise<void> {
  try {
    // Lambda ends the function at its deadline: a retry cut off there would make Lambda run the whole flow again.
    const deadline = Date.now() + context.getRemainingTimeInMillis();
    await sendResponse(responseUrl, responseBody(response), { deadline });
    log('info', 'Response sent', {
      status: response.Status,
      reason: response.Reason,
      physicalResourceId: response.PhysicalResourceId,
    });
  } catch (error) {
    log('error', 'Could not deliver the response to CloudFormation', errorFields(error));
  }
}

function identityFields(identity: ReturnType<typeof identityOf>) {
  return {
    StackId: identity.StackId,
    RequestId: identity.RequestId,
    LogicalResourceId: identity.LogicalResourceId,
  };
}

function settleMs(): number {
  const configured = Number(process.env.TRUST_LINK_SETTLE_MS);
  return Number.isFinite(configured) && configured >= 0 ? configured : DEFAULT_SETTLE_MS;
}
