// The one module that talks to the response URL: builds a body CloudFormation accepts and PUTs it,
// with a timeout and bounded retries. The URL is presigned, a credential: it is never logged.

import https from 'node:https';
import { log } from './log';
import { jitteredDelay, type RetryPolicy, sleep } from './retry';

export interface CfnResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string>;
}

/** CloudFormation refuses a response body over 4096 bytes. */
export const MAX_BODY_BYTES = 4096;
const MAX_PHYSICAL_ID_BYTES = 1024;
const PUT_RETRY: RetryPolicy = { attempts: 4, baseMs: 250, maxMs: 2000 };
const PUT_TIMEOUT_MS = 5000;

/**
 * The response as JSON of at most 4096 bytes: control characters in Reason become spaces (they break
 * DescribeStackEvents), a long Reason is cut, and Data values too large to fit are left out, largest first.
 */
export function responseBody(response: CfnResponse): string {
  const reason = response.Reason === undefined ? undefined : cleanReason(response.Reason);
  const physicalId = truncateBytes(
    response.PhysicalResourceId || response.LogicalResourceId,
    MAX_PHYSICAL_ID_BYTES,
  );
  const data = { ...response.Data };
  for (;;) {
    const body = { ...response, PhysicalResourceId: physicalId, Reason: reason, Data: data };
    const json = JSON.stringify(body);
    const excess = Buffer.byteLength(json) - MAX_BODY_BYTES;
    if (excess <= 0) return json;
    const largest = Object.keys(data).sort((a, b) => (data[b]?.length ?? 0) - (data[a]?.length ?? 0))[0];
    if (largest !== undefined) {
      log('warn', 'Left a Data value out of the response: the body would exceed 4096 bytes', {
        key: largest,
      });
      delete data[largest];
    } else {
      return JSON.stringify({ ...body, Reason: truncateJsonString(reason ?? '', excess) });
    }
  }
}

/** The response URL answered, and not with success: sending the same body again will not help. */
export class ResponseRefusedError extends Error {
  constructor(readonly status: number) {
    super(`The response URL answered HTTP ${status}`);
    this.name = 'ResponseRefusedError';
  }
}

export interface SendOptions {
  /** Per attempt. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** When the function's time ends (ms since the epoch): no attempt or wait goes past it. */
  deadline?: number;
}

/** PUTs the body to the presigned URL: empty Content-Type, byte length, a timeout, bounded retries. */
export async function sendResponse(
  responseUrl: string,
  body: string,
  { timeoutMs = PUT_TIMEOUT_MS, retry = PUT_RETRY, deadline = Number.POSITIVE_INFINITY }: SendOptions = {},
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const status = await put(responseUrl, body, Math.min(timeoutMs, deadline - Date.now()));
      if (status >= 200 && status < 300) return;
      if (status < 500 && status !== 429) throw new ResponseRefusedError(status);
      log('warn', 'The response URL failed to take the response', { status, attempt });
    } catch (error) {
      if (error instanceof ResponseRefusedError) throw error;
      log('warn', 'Could not reach the response URL', { attempt, error: String(error) });
    }
    const wait = jitteredDelay(attempt - 1, retry);
    if (attempt >= retry.attempts || Date.now() + wait >= deadline) {
      throw new Error(`The response was not delivered in ${attempt} attempts`);
    }
    await sleep(wait);
  }
}

async function put(responseUrl: string, body: string, timeoutMs: number): Promise<number> {
  const url = new URL(responseUrl);
  // Only the lab answers on http:. Imported as an ES module, node:http loads undici (~15 ms of a cold start).
  const transport = url.protocol === 'http:' ? await import('node:http') : https;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'PUT',
        // A presigned S3 URL was signed for an empty content type: any other fails with SignatureDoesNotMatch.
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

// Control characters break DescribeStackEvents; \p{Cc} covers C0, DEL and C1, and line separators count too.
const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029]+/gu;

function cleanReason(reason: string): string {
  return reason.replace(CONTROL_CHARACTERS, ' ').trim() || 'Failed without a reason.';
}

// The longest prefix of text, ending in an ellipsis, whose JSON encoding is at least `bytes` shorter.
function truncateJsonString(text: string, bytes: number): string {
  const chars = Array.from(text);
  const budget = jsonBytes(text) - bytes;
  let [low, high] = [0, chars.length];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (jsonBytes(`${chars.slice(0, middle).join('')}…`) <= budget) low = middle;
    else high = middle - 1;
  }
  return `${chars.slice(0, low).join('')}…`;
}

function truncateBytes(text: string, maxBytes: number): string {
  let cut = text;
  while (Buffer.byteLength(cut) > maxBytes) cut = cut.slice(0, -1);
  return cut;
}

function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}
