import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaFunction, ResponseReceiver, sendRequest } from '../../lab/cloudformation';
import { handlerDir } from './tiny-handlers';

const handlers = handlerDir();
const functions: LambdaFunction[] = [];
let receiver: ResponseReceiver;

const STACK_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/lab/0f0e0d0c-0000-4000-8000-000000000000';

beforeAll(async () => {
  receiver = await ResponseReceiver.start({ bodyTimeoutMs: 500 });
});

afterAll(async () => {
  await Promise.all(functions.map((fn) => fn.close()));
  await receiver.close();
  handlers.remove();
});

/** Sends a Create to a tiny handler and returns the outcome and the problems found with its answers. */
async function create(name: string, body: string, { serviceTimeoutMs = 3000, properties = {} } = {}) {
  const fn = new LambdaFunction({
    functionName: name,
    modulePath: handlers.write(name, body),
    timeoutMs: 2000,
    asyncRetries: 0,
  });
  functions.push(fn);
  const outcome = await sendRequest(fn, receiver, {
    requestType: 'Create',
    stackId: STACK_ID,
    logicalResourceId: name,
    resourceType: 'Custom::Tiny',
    properties: { ServiceToken: fn.arn, ...properties },
    serviceTimeoutMs,
  });
  const invocations = await outcome.invocations;
  const violations = receiver.violations
    .filter((v) => v.slot.RequestId === outcome.event.RequestId)
    .map((v) => v.problem);
  return { outcome, invocations, violations };
}

describe('custom resource requests', () => {
  it('takes a right answer as the resource’s outcome', async () => {
    const { outcome, violations } = await create(
      'right',
      'await send(event, answer(event, { Data: { Arn: "x" } }), {});',
    );

    expect(outcome).toMatchObject({
      status: 'SUCCESS',
      physicalResourceId: 'tiny-right',
      data: { Arn: 'x' },
      timedOut: false,
    });
    expect(violations).toEqual([]);
  });

  it('sends every scalar property as a string and keeps lists', async () => {
    const { outcome } = await create(
      'strings',
      'await send(event, answer(event, { Data: event.ResourceProperties }), {});',
      {
        properties: { Count: 3, Flag: true, Ids: ['a', 1] },
      },
    );

    expect(outcome.data).toMatchObject({ Count: '3', Flag: 'true', Ids: ['a', '1'] });
  });

  it('gives each request a presigned-looking URL of its own', async () => {
    const first = await create('url1', 'await send(event, answer(event), {});');
    const second = await create('url2', 'await send(event, answer(event), {});');

    expect(first.outcome.event.ResponseURL).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/.+X-Amz-Signature=[0-9a-f]{64}$/,
    );
    expect(first.outcome.event.ResponseURL).not.toBe(second.outcome.event.ResponseURL);
  });

  it('refuses a PUT with Content-Type application/json as S3 does, and then times out', async () => {
    const { outcome, invocations, violations } = await create(
      'json-type',
      'return send(event, answer(event), { "content-type": "application/json" });',
      { serviceTimeoutMs: 800 },
    );

    expect(invocations[0]?.value).toBe(403);
    expect(violations).toEqual([
      expect.stringContaining('SignatureDoesNotMatch (403): Content-Type "application/json"'),
    ]);
    expect(outcome).toMatchObject({ status: 'FAILED', timedOut: true });
    expect(outcome.reason).toContain('CloudFormation did not receive a response from your Custom Resource');
  });

  it('refuses a request that is not a PUT', async () => {
    const { invocations, violations } = await create(
      'post',
      'const body = answer(event); return put(event.ResponseURL, body, { method: "POST", headers: { "content-length": Buffer.byteLength(body) } });',
      { serviceTimeoutMs: 500 },
    );

    expect(invocations[0]?.value).toBe(403);
    expect(violations).toEqual([expect.stringContaining('the presigned URL is for PUT, not POST')]);
  });

  it('finds a Content-Length counted in characters, which cuts a non-ASCII body short', async () => {
    const { outcome, violations } = await create(
      'char-length',
      'const body = answer(event, { Status: "FAILED", Reason: "Rôle introuvable" }); await send(event, body, { "content-length": body.length }).catch(() => 0);',
    );

    expect(violations).toContainEqual(expect.stringContaining('not valid JSON'));
    expect(outcome.status).toBe('FAILED');
    expect(outcome.reason).toContain('Invalid response object');
  });

  it('finds a Content-Length larger than the body', async () => {
    const { violations } = await create(
      'long-length',
      'const body = answer(event); return send(event, body, { "content-length": Buffer.byteLength(body) + 10 }).catch(() => 0);',
      { serviceTimeoutMs: 1500 },
    );

    expect(violations).toContainEqual(expect.stringContaining('RequestTimeout'));
  });

  it('refuses a body over 4096 bytes', async () => {
    const { outcome, violations } = await create(
      'too-long',
      'await send(event, answer(event, { Data: { Big: "x".repeat(5000) } }), {});',
    );

    expect(violations).toEqual([expect.stringContaining('Response object is too long')]);
    expect(outcome).toMatchObject({ status: 'FAILED', timedOut: false });
  });

  it('answers 503 SlowDown to PUTs it was told to fail, storing nothing', async () => {
    receiver.failNextPuts(1);
    const injected = receiver.faultsInjected;

    const { outcome, invocations, violations } = await create(
      'slow-down',
      'const first = await send(event, answer(event), {}); const second = await send(event, answer(event), {}); return [first, second];',
    );

    expect(invocations[0]?.value).toEqual([503, 200]);
    expect(receiver.faultsInjected - injected).toBe(1);
    expect(outcome.status).toBe('SUCCESS');
    expect(violations).toEqual([]);
  });

  it('fails the request when no answer comes within the ServiceTimeout', async () => {
    const { outcome, violations } = await create('silent', 'return "forgot to answer";', {
      serviceTimeoutMs: 400,
    });

    expect(outcome).toMatchObject({ status: 'FAILED', timedOut: true, physicalResourceId: undefined });
    expect(violations).toEqual([]);
  });

  it('takes the first of two answers and records the second as a violation', async () => {
    const { outcome, violations } = await create(
      'twice',
      'await send(event, answer(event), {}); await send(event, answer(event, { Status: "FAILED", Reason: "second" }), {});',
    );

    expect(outcome.status).toBe('SUCCESS');
    expect(violations).toEqual([expect.stringContaining('Response number 2 to one request')]);
  });

  it('records an answer after the ServiceTimeout as late', async () => {
    const { outcome, violations } = await create(
      'late',
      'await new Promise((r) => setTimeout(r, 400)); await send(event, answer(event), {});',
      { serviceTimeoutMs: 150 },
    );

    expect(outcome.timedOut).toBe(true);
    expect(violations).toEqual([expect.stringContaining('after CloudFormation stopped waiting')]);
  });

  it.each([
    ['a RequestId of another request', '{ RequestId: "other" }', 'RequestId "other" does not match'],
    ['an empty PhysicalResourceId', '{ PhysicalResourceId: "" }', 'PhysicalResourceId is missing or empty'],
    ['a PhysicalResourceId over 1 KB', '{ PhysicalResourceId: "p".repeat(1025) }', 'longer than 1024 bytes'],
    ['an unknown Status', '{ Status: "OK" }', 'Invalid Status "OK"'],
  ])('refuses an answer with %s', async (_case, fields, problem) => {
    const { outcome, violations } = await create(
      `bad-${problem.length}`,
      `await send(event, answer(event, ${fields}), {});`,
    );

    expect(violations).toEqual([expect.stringContaining(problem)]);
    expect(outcome.status).toBe('FAILED');
  });

  it.each([
    ['FAILED without a Reason', '{ Status: "FAILED" }', 'has no Reason'],
    ['control characters in Reason', '{ Status: "FAILED", Reason: "line\\nbreak" }', 'control characters'],
  ])('lets %s through but records it', async (_case, fields, problem) => {
    const { outcome, violations } = await create(
      `flaw-${problem.length}`,
      `await send(event, answer(event, ${fields}), {});`,
    );

    expect(outcome.status).toBe('FAILED');
    expect(outcome.timedOut).toBe(false);
    expect(violations).toEqual([expect.stringContaining(problem)]);
  });
});
