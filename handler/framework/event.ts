// CloudFormation's custom-resource request, parsed once at the edge into a typed value.

import { MalformedEventError } from './errors';

export type RequestType = 'Create' | 'Update' | 'Delete';

export interface CfnEvent {
  RequestType: RequestType;
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  ResourceType: string;
  /** Present on Update and Delete. */
  PhysicalResourceId?: string;
  ResourceProperties: unknown;
  /** Present on Update. */
  OldResourceProperties?: unknown;
}

/** What a response needs to be matched to its request; empty where the event lacks it. */
export interface RequestIdentity {
  responseUrl?: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
}

const REQUEST_TYPES: readonly string[] = ['Create', 'Update', 'Delete'];

/** The fields a response is built from, read leniently so that even a malformed event gets an answer. */
export function identityOf(raw: unknown): RequestIdentity {
  const text = (key: string) =>
    isRecord(raw) && typeof raw[key] === 'string' ? (raw[key] as string) : undefined;
  const physicalId = text('PhysicalResourceId');
  const responseUrl = text('ResponseURL');
  return {
    ...(responseUrl ? { responseUrl } : {}),
    StackId: text('StackId') ?? '',
    RequestId: text('RequestId') ?? '',
    LogicalResourceId: text('LogicalResourceId') ?? '',
    ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
  };
}

/** The event as a typed request; throws MalformedEventError naming what is missing. */
export function parseEvent(raw: unknown): CfnEvent {
  if (!isRecord(raw))
    throw new MalformedEventError('The event is not a CloudFormation custom-resource request.');
  const required = [
    'RequestType',
    'ResponseURL',
    'StackId',
    'RequestId',
    'LogicalResourceId',
    'ResourceType',
  ];
  const missing = required.filter((key) => typeof raw[key] !== 'string' || raw[key] === '');
  if (missing.length === 0 && !REQUEST_TYPES.includes(raw.RequestType as string)) {
    throw new MalformedEventError(
      `Unknown RequestType "${raw.RequestType}": expected Create, Update or Delete.`,
    );
  }
  if (raw.RequestType !== 'Create' && typeof raw.PhysicalResourceId !== 'string')
    missing.push('PhysicalResourceId');
  if (missing.length > 0) {
    throw new MalformedEventError(`The request lacks ${missing.join(', ')}: it is not from CloudFormation.`);
  }
  return raw as unknown as CfnEvent;
}

/** The event as it may be logged: without the response URL, which is a credential. */
export function loggableEvent(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const { ResponseURL: _url, ...rest } = raw;
  return rest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
