// Always answer: every invocation ends in exactly one response to CloudFormation, whether the flow
// succeeds, throws, or would outlive the function (a guard answers FAILED before the deadline). Every
// custom resource of the project runs through here and brings only its lifecycle.

import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { type CfnResponse, responseBody, sendResponse } from './cfn-response';
import { CustomResourceError, DeadlineError } from './errors';
import { type CfnEvent, identityOf, loggableEvent, parseEvent } from './event';
import { errorFields, log } from './log';

/** The resource a request comes from: a stack, and a logical id in it. */
export interface Owner {
  stackId: string;
  logicalId: string;
}

/** The stack's name in its id (arn:…:stack/<name>/<uuid>), or the id itself when it is not such an ARN. */
export function stackNameOf(stackId: string): string {
  return /:stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId;
}

/** One invocation's shared state: its deadline signal, who asks, and what to answer and undo if it fails. */
export interface Invocation {
  signal: AbortSignal;
  owner: Owner;
  /** Unique to this invocation. */
  id: string;
  /** When Lambda ends the function, in ms since the epoch. */
  deadline: number;
  /** The id a failure answers with; the lifecycle moves it once something may have changed. */
  failedPhysicalId: string;
  /** Run by the framework before it answers FAILED, with a signal of its own: the flow's may have expired. */
  undo?: (signal: AbortSignal) => Promise<void>;
}

export interface Outcome {
  physicalResourceId: string;
  data?: Record<string, string>;
}

export type Dispatch = (event: CfnEvent, invocation: Invocation) => Promise<Outcome>;

/** What a resource brings to the framework. */
export interface ResourceHandler {
  dispatch: Dispatch;
  /** The marker a Create answers with while nothing may have changed: its Delete then touches nothing. */
  failedCreateId: (requestId: string) => string;
  /** What is usually slow when the deadline comes, for the Reason. */
  slowCause: string;
}
// Lambda cuts the function off at its deadline, and an invocation cut off is an error Lambda may retry:
// the answer leaves this much time before it, even when the response URL never answers.
const ANSWER_MARGIN_MS = 1000;

/** Runs dispatch on the raw event and answers CloudFormation once. Never throws. */
export async function answerCloudFormation(
  raw: unknown,
  context: Context,
  resource: ResourceHandler,
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
    owner: { stackId: identity.StackId, logicalId: identity.LogicalResourceId },
    id: randomUUID(),
    deadline: Date.now() + context.getRemainingTimeInMillis(),
    failedPhysicalId: identity.PhysicalResourceId ?? resource.failedCreateId(identity.RequestId),
  };
  const result = await runBeforeDeadline(
    () => resource.dispatch(parseEvent(raw), invocation),
    context,
    controller,
    resource.slowCause,
  );
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
  slowCause: string,
): Promise<Result> {
  const budget = context.getRemainingTimeInMillis();
  const reserve = Math.min(10_000, Math.max(200, budget * 0.2));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Result>((resolve) => {
    timer = setTimeout(() => {
      const error = new DeadlineError(
        `The request did not finish within the function's time (${Math.round(budget / 1000)} s): ${slowCause}. Retry the stack operation; if it recurs, raise the function's Timeout.`,
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
  if (error instanceof CustomResourceError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `Unexpected error: ${message}. Details are in log stream ${context.logStreamName}.`;
}

async function deliver(responseUrl: string, response: CfnResponse, context: Context): Promise<void> {
  try {
    const remaining = context.getRemainingTimeInMillis();
    const deadline = Date.now() + remaining - Math.min(ANSWER_MARGIN_MS, remaining / 4);
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
