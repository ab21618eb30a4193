import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CfnResponse,
  MAX_BODY_BYTES,
  ResponseRefusedError,
  responseBody,
  sendResponse,
} from '../../handler/framework/cfn-response';
import { type ResponseReceiver, startResponseReceiver } from '../helpers/response-receiver';

const base: CfnResponse = {
  Status: 'FAILED',
  Reason: 'IAM said no',
  PhysicalResourceId: 'SnowflakeTrustLink:snowflake:SnowflakeTrustLink',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/guid',
  RequestId: 'request-1',
  LogicalResourceId: 'SnowflakeTrustLink',
};
const fast = { timeoutMs: 300, retry: { attempts: 3, baseMs: 5, maxMs: 10 } };

describe('responseBody', () => {
  it('copies the fields CloudFormation matches the response by', () => {
    expect(JSON.parse(responseBody(base))).toEqual({ ...base, Data: {} });
  });

  it('turns control characters in Reason into spaces', () => {
    const body = JSON.parse(
      responseBody({ ...base, Reason: 'line one\nline two\ttab\u0000\u0085c1\u2028end' }),
    );
    expect(body.Reason).toBe('line one line two tab c1 end');
  });

  it.each([
    ['ascii', 'x'],
    ['multi-byte', 'é€😀'],
  ])('cuts a long %s Reason to fit 4096 bytes', (_, unit) => {
    const body = responseBody({ ...base, Reason: unit.repeat(5000) });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_BODY_BYTES - 200);
    expect(JSON.parse(body).Reason).toMatch(/…$/);
  });

  it('leaves out the largest Data value when the body would not fit', () => {
    const body = JSON.parse(
      responseBody({
        ...base,
        Status: 'SUCCESS',
        Reason: undefined,
        Data: { RoleName: 'snowflake', TrustPolicy: 'p'.repeat(5000) },
      }),
    );
    expect(body.Data).toEqual({ RoleName: 'snowflake' });
  });

  it('falls back to the logical id when the physical id is empty, and caps it at 1 KB', () => {
    expect(JSON.parse(responseBody({ ...base, PhysicalResourceId: '' })).PhysicalResourceId).toBe(
      'SnowflakeTrustLink',
    );
    expect(
      JSON.parse(responseBody({ ...base, PhysicalResourceId: 'i'.repeat(2000) })).PhysicalResourceId,
    ).toHaveLength(1024);
  });

  it('gives a FAILED response a reason even when the error had none', () => {
    expect(JSON.parse(responseBody({ ...base, Reason: '\n' })).Reason).toBe('Failed without a reason.');
  });
});

describe('sendResponse', () => {
  let receiver: ResponseReceiver;
  beforeAll(async () => {
    receiver = await startResponseReceiver();
  });
  afterAll(() => receiver.close());
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.answers.length = 0;
  });

  it('PUTs with an empty Content-Type and the length in bytes', async () => {
    const body = responseBody({ ...base, Reason: 'rôle introuvable €' });

    await sendResponse(receiver.url, body, fast);

    const [put] = receiver.received;
    expect(put?.method).toBe('PUT');
    expect(put?.headers['content-type']).toBe('');
    expect(Number(put?.headers['content-length'])).toBe(Buffer.byteLength(body));
    expect(put?.rawBody.toString('utf8')).toBe(body);
  });

  it('retries a 5xx answer and stops at the first success', async () => {
    receiver.answers.push(503, 500);

    await sendResponse(receiver.url, '{}', fast);

    expect(receiver.received).toHaveLength(3);
  });

  it('does not resend a body the URL refused', async () => {
    receiver.answers.push(403);

    await expect(sendResponse(receiver.url, '{}', fast)).rejects.toBeInstanceOf(ResponseRefusedError);
    expect(receiver.received).toHaveLength(1);
  });

  it('gives up after a bounded number of failed attempts', async () => {
    receiver.answers.push(500, 500, 500, 500);

    await expect(sendResponse(receiver.url, '{}', fast)).rejects.toThrow('not delivered in 3 attempts');
    expect(receiver.received).toHaveLength(3);
  });

  it('times out an answer that never comes, and retries', async () => {
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const { port } = hanging.address() as AddressInfo;
    let requests = 0;
    hanging.on('request', () => requests++);

    await expect(sendResponse(`http://127.0.0.1:${port}/r`, '{}', fast)).rejects.toThrow('not delivered');
    hanging.closeAllConnections();
    hanging.close();

    expect(requests).toBe(3);
  });

  it('makes no attempt past the deadline it is given', async () => {
    receiver.answers.push(500, 500, 500, 500);
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.99);

    const sent = sendResponse(receiver.url, '{}', {
      ...fast,
      retry: { attempts: 9, baseMs: 400, maxMs: 400 },
      deadline: Date.now() + 200,
    });
    await expect(sent.finally(() => random.mockRestore())).rejects.toThrow('not delivered in 1 attempts');

    expect(receiver.received).toHaveLength(1);
  });

  it('retries a URL it cannot reach', async () => {
    await expect(sendResponse('http://127.0.0.1:9/unreachable', '{}', fast)).rejects.toThrow(
      'not delivered in 3 attempts',
    );
  });
});
