// One request to a custom resource, as CloudFormation makes it: the event (every scalar property
// turned into a string), an asynchronous invocation of the function, and a wait of ServiceTimeout
// for the answer at the response URL.
import { randomUUID } from 'node:crypto';
import type { Invocation, LambdaFunction } from './lambda';
import type { ReceivedResponse, ResponseReceiver } from './receiver';

export type RequestType = 'Create' | 'Update' | 'Delete';

/** The event a custom resource's function receives. */
export interface CustomResourceEvent {
  RequestType: RequestType;
  ServiceToken: string;
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  ResourceType: string;
  LogicalResourceId: string;
  ResourceProperties: Record<string, unknown>;
  PhysicalResourceId?: string;
  OldResourceProperties?: Record<string, unknown>;
}

/** What to ask. Properties are given as the template resolves them; the event carries them as strings. */
export interface CustomResourceRequest {
  requestType: RequestType;
  stackId: string;
  logicalResourceId: string;
  resourceType: string;
  properties: Record<string, unknown>;
  oldProperties?: Record<string, unknown>;
  physicalResourceId?: string;
  /** How long CloudFormation waits for the answer. */
  serviceTimeoutMs: number;
}

/** How CloudFormation saw the request end. */
export interface CustomResourceOutcome {
  event: CustomResourceEvent;
  status: 'SUCCESS' | 'FAILED';
  /** The reason CloudFormation shows: the response's, or its own when it got none it could use. */
  reason: string;
  physicalResourceId: string | undefined;
  data: Record<string, unknown>;
  /** The first response stored at the URL, if any. */
  response: ReceivedResponse | undefined;
  timedOut: boolean;
  /** The function's invocations for this request, retries included, once they have ended. */
  invocations: Promise<Invocation[]>;
}

/** Sends one request and waits for its answer or its ServiceTimeout. */
export async function sendRequest(
  fn: LambdaFunction,
  receiver: ResponseReceiver,
  request: CustomResourceRequest,
): Promise<CustomResourceOutcome> {
  const requestId = randomUUID();
  const slot = {
    StackId: request.stackId,
    RequestId: requestId,
    LogicalResourceId: request.logicalResourceId,
    RequestType: request.requestType,
  };
  const pending = receiver.expect(slot);
  const event = buildEvent(request, requestId, pending.url);
  const invocations = fn.invokeAsync(event);
  const response = await pending.first(request.serviceTimeoutMs);
  pending.expire();
  return outcomeOf(event, response, invocations);
}

/** Every scalar becomes a string, as CloudFormation passes properties; lists and maps keep their shape. */
export function stringifyProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringifyProperties);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyProperties(v)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

function buildEvent(
  request: CustomResourceRequest,
  requestId: string,
  responseUrl: string,
): CustomResourceEvent {
  const properties = stringifyProperties(request.properties) as Record<string, unknown>;
  return {
    RequestType: request.requestType,
    ServiceToken: String(properties.ServiceToken ?? ''),
    ResponseURL: responseUrl,
    StackId: request.stackId,
    RequestId: requestId,
    ResourceType: request.resourceType,
    LogicalResourceId: request.logicalResourceId,
    ResourceProperties: properties,
    ...(request.physicalResourceId === undefined ? {} : { PhysicalResourceId: request.physicalResourceId }),
    ...(request.oldProperties === undefined
      ? {}
      : { OldResourceProperties: stringifyProperties(request.oldProperties) as Record<string, unknown> }),
  };
}

function outcomeOf(
  event: CustomResourceEvent,
  response: ReceivedResponse | undefined,
  invocations: Promise<Invocation[]>,
): CustomResourceOutcome {
  const common = { event, response, invocations };
  if (response === undefined) {
    const reason =
      'CloudFormation did not receive a response from your Custom Resource. ' +
      `Please check your logs for requestId [${event.RequestId}].`;
    return { ...common, status: 'FAILED', reason, physicalResourceId: undefined, data: {}, timedOut: true };
  }
  const body = response.response;
  if (body === undefined || !response.accepted) {
    const reason = `Invalid response object: ${response.problems.join(' ')}`;
    return { ...common, status: 'FAILED', reason, physicalResourceId: undefined, data: {}, timedOut: false };
  }
  return {
    ...common,
    status: body.Status,
    reason: body.Reason ?? '',
    physicalResourceId: body.PhysicalResourceId,
    data: body.Data ?? {},
    timedOut: false,
  };
}
