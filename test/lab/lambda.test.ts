import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaFunction } from '../../lab/cloudformation';
import { handlerDir } from './tiny-handlers';

const handlers = handlerDir();
const functions: LambdaFunction[] = [];

function deploy(
  name: string,
  body: string,
  config: Partial<ConstructorParameters<typeof LambdaFunction>[0]> = {},
) {
  const fn = new LambdaFunction({
    functionName: name,
    modulePath: handlers.write(name, body),
    timeoutMs: 2000,
    ...config,
  });
  functions.push(fn);
  return fn;
}

const COUNTER = `
globalThis.calls = (globalThis.calls || 0) + 1;
if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
return { calls: globalThis.calls };`;

// A `node` that marks the processes it starts, to tell which binary ran the function.
function markedNode(mark: string): string {
  const path = join(handlers.dir, `node-${mark}`);
  writeFileSync(path, `#!/bin/sh\nNODE_MARK=${mark} exec ${JSON.stringify(process.execPath)} "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

const WHICH_NODE = 'return { mark: process.env.NODE_MARK ?? null, env: process.env.AWS_EXECUTION_ENV };';

beforeAll(() => {
  process.env.LAB_PARENT_ONLY = 'parent';
});

afterAll(async () => {
  await Promise.all(functions.map((fn) => fn.close()));
  handlers.remove();
  delete process.env.LAB_PARENT_ONLY;
});

describe('LambdaFunction', () => {
  it('calls the handler with a context like Lambda’s', async () => {
    const fn = deploy(
      'context',
      `return { name: context.functionName, arn: context.invokedFunctionArn, id: context.awsRequestId,
        stream: context.logStreamName, remaining: context.getRemainingTimeInMillis(), event };`,
      { timeoutMs: 1500 },
    );

    const invocation = await fn.invoke({ hello: 'world' });

    expect(invocation.outcome).toBe('returned');
    expect(invocation.value).toEqual({
      name: 'context',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:context',
      id: invocation.requestId,
      stream: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
      remaining: expect.any(Number),
      event: { hello: 'world' },
    });
    expect((invocation.value as { remaining: number }).remaining).toBeLessThanOrEqual(1500);
    expect((invocation.value as { remaining: number }).remaining).toBeGreaterThan(1000);
  });

  it('gives the function its own environment and Lambda’s, not the caller’s', async () => {
    const fn = deploy(
      'env',
      'return { own: process.env.OWN, region: process.env.AWS_REGION, parent: process.env.LAB_PARENT_ONLY ?? null };',
      {
        environment: { OWN: 'yes' },
      },
    );

    const invocation = await fn.invoke({});

    expect(invocation.value).toEqual({ own: 'yes', region: 'us-east-1', parent: null });
  });

  it('reuses a warm instance for the next invocation', async () => {
    const fn = deploy('warm', COUNTER);

    const first = await fn.invoke({});
    const second = await fn.invoke({});

    expect([first.coldStart, second.coldStart]).toEqual([true, false]);
    expect(second.value).toEqual({ calls: 2 });
  });

  it('runs concurrent invocations in separate instances', async () => {
    const fn = deploy('concurrent', COUNTER);

    const both = await Promise.all([fn.invoke({ sleepMs: 200 }), fn.invoke({ sleepMs: 200 })]);

    expect(both.map((i) => i.value)).toEqual([{ calls: 1 }, { calls: 1 }]);
  });

  it('counts an invocation past the time limit as timed out and discards its instance', async () => {
    const fn = deploy('slow', COUNTER, { timeoutMs: 300 });

    const late = await fn.invoke({ sleepMs: 5000 });
    const next = await fn.invoke({});

    expect(late.outcome).toBe('timeout');
    expect(late.durationMs).toBeLessThan(2000);
    expect(next).toMatchObject({ outcome: 'returned', coldStart: true, value: { calls: 1 } });
  });

  it('freezes an idle instance, so work left running after the handler returns waits', async () => {
    const marker = join(handlers.dir, 'late-work');
    const fn = deploy(
      'freeze',
      `if (event.leaveWork) setTimeout(() => require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'done'), 50);
       return 'returned';`,
    );

    await fn.invoke({ leaveWork: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const whileFrozen = existsSync(marker);
    await fn.invoke({});
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(whileFrozen).toBe(false);
    expect(existsSync(marker)).toBe(true);
  });

  it('retries a failed asynchronous invocation twice with the same event', async () => {
    const fn = deploy('failing', 'throw new Error("boom " + event.n);', { asyncRetryDelayMs: 10 });

    const attempts = await fn.invokeAsync({ n: 7 });

    expect(attempts).toHaveLength(3);
    expect(attempts.map((a) => a.error)).toEqual(
      Array(3).fill({ errorType: 'Error', errorMessage: 'boom 7' }),
    );
  });

  it('runs a throttled asynchronous event once the throttle ends, within its maximum age', async () => {
    const fn = deploy('throttled', COUNTER, { maxEventAgeMs: 1000 });
    fn.throttle(200);

    const attempts = await fn.invokeAsync({});

    expect(attempts.map((a) => a.outcome)).toEqual(['returned']);
    expect(attempts[0]?.startedAt).toBeGreaterThanOrEqual(Date.now() - 1000);
    expect(fn.discarded).toEqual([]);
  });

  it('discards unrun an asynchronous event throttled past its maximum age', async () => {
    const fn = deploy('too-old', COUNTER, { maxEventAgeMs: 200 });
    fn.throttle(600);

    const attempts = await fn.invokeAsync({ n: 1 });

    expect(attempts).toEqual([]);
    expect(fn.invocations).toEqual([]);
    expect(fn.discarded).toEqual([{ event: { n: 1 }, ageMs: expect.any(Number) }]);
    expect(fn.discarded[0]?.ageMs).toBeGreaterThan(200);
  });

  it('collects the lines the function logs during an invocation', async () => {
    const fn = deploy(
      'logs',
      'console.log(JSON.stringify({ level: "info", n: event.n })); console.error("oops"); return null;',
    );

    const invocation = await fn.invoke({ n: 1 });

    expect(invocation.logs).toEqual(expect.arrayContaining(['{"level":"info","n":1}', 'oops']));
  });

  it('reports a module without the handler as an init error', async () => {
    const path = handlers.write('no-handler', 'return 1;');
    const fn = new LambdaFunction({ functionName: 'no-handler', modulePath: path, exportName: 'missing' });
    functions.push(fn);

    const invocation = await fn.invoke({});

    expect(invocation.outcome).toBe('init-error');
    expect(invocation.error?.errorMessage).toContain('exports no function "missing"');
  });

  it('runs instances on the `node` binary it is given, and names its runtime as Lambda does', async () => {
    const fn = deploy('given-node', WHICH_NODE, { nodePath: markedNode('given') });

    const invocation = await fn.invoke({});

    expect(invocation.value).toEqual({
      mark: 'given',
      env: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
    });
  });

  it('takes the `node` binary from LAB_NODE when none is given', async () => {
    process.env.LAB_NODE = markedNode('lab');
    try {
      const fn = deploy('lab-node', WHICH_NODE);

      const invocation = await fn.invoke({});

      expect(invocation.value).toMatchObject({ mark: 'lab' });
    } finally {
      delete process.env.LAB_NODE;
    }
  });

  it('refuses a `node` binary that does not exist, naming it', () => {
    const missing = join(handlers.dir, 'no-such-node');

    expect(() => deploy('missing-node', 'return 1;', { nodePath: missing })).toThrow(
      `The Node.js binary ${missing} does not exist`,
    );
  });

  it('loads index.mjs as an ES module when index.js is missing, as Lambda does for index.handler', async () => {
    const dir = join(handlers.dir, 'esm-only');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'index.mjs'),
      'export const handler = async (event) => ({ esm: typeof require === "undefined", event });',
    );
    const fn = new LambdaFunction({ functionName: 'esm', modulePath: join(dir, 'index.js') });
    functions.push(fn);

    const invocation = await fn.invoke({ n: 1 });

    expect(invocation).toMatchObject({ outcome: 'returned', value: { esm: true, event: { n: 1 } } });
  });
});
