// Runs a function's code as Lambda does: each instance is a fresh Node.js process that loads the
// module once; an invocation gets an event and a context with a time limit; an instance that runs out
// of time is killed; an idle instance is frozen (SIGSTOP) until its next invocation, so work left
// running after the handler returns does not go on; asynchronous invocations that fail are retried, and
// throttled ones wait in the queue, until they are older than the maximum event age.
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const RUNTIME = resolve(__dirname, 'runtime.cjs');

/** How a function is configured, as its template or a test declares it. */
export interface LambdaFunctionConfig {
  functionName: string;
  /**
   * Path of the module file, e.g. dist/trust-link/index.mjs. As Lambda does for `index.handler`, a
   * missing `.js` file is looked for as `.mjs`, then `.cjs`.
   */
  modulePath: string;
  /** The exported handler; default 'handler'. */
  exportName?: string;
  /** The function's time limit in ms; default 3000 (Lambda's default 3 s). */
  timeoutMs?: number;
  /** The function's environment variables (Lambda's own are added). */
  environment?: Record<string, string>;
  region?: string;
  accountId?: string;
  memoryMb?: number;
  /** The `node` binary instances run on; default $LAB_NODE, else the Node.js running the lab. */
  nodePath?: string;
  /** Freeze idle instances as Lambda does; default true. */
  freezeWhenIdle?: boolean;
  /** Times Lambda retries a failed asynchronous invocation; default 2. */
  asyncRetries?: number;
  /** Wait before each retry; Lambda waits about a minute, the lab default is 200 ms. */
  asyncRetryDelayMs?: number;
  /**
   * EventInvokeConfig.MaximumEventAgeInSeconds, in ms: an asynchronous event older than this is discarded,
   * never run. Lambda's default is 6 hours
   * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html).
   */
  maxEventAgeMs?: number;
}

/** An asynchronous event Lambda discarded unrun: it outlived the maximum event age in the queue. */
export interface DiscardedEvent {
  event: unknown;
  ageMs: number;
}

const DEFAULT_MAX_EVENT_AGE_MS = 6 * 60 * 60 * 1000;
// Lambda retries a throttled event from 1 s up to 5 minutes apart; the lab polls its queue faster.
const THROTTLED_RETRY_MS = 50;

/** How one invocation ended. */
export interface Invocation {
  requestId: string;
  outcome: 'returned' | 'error' | 'timeout' | 'init-error';
  value?: unknown;
  error?: { errorType: string; errorMessage: string };
  /** Lines the function wrote to stdout and stderr during the invocation. */
  logs: string[];
  /** When the handler was called, in ms since the epoch (after any cold start). */
  startedAt: number;
  /** Whether this invocation started a new instance (a cold start), and its init time. */
  coldStart: boolean;
  initMs?: number;
  durationMs: number;
}

type ResultMessage = {
  type: 'result';
  id: string;
  ok: boolean;
  value?: unknown;
  error?: Invocation['error'];
};
type InitMessage =
  | { type: 'ready'; initMs: number }
  | { type: 'initError'; error: NonNullable<Invocation['error']> };

interface Instance {
  child: ChildProcess;
  logs: string[] | undefined;
  initMs: number;
  /** The invocation end markers seen on each stream, and who waits for them (runtime.cjs writes them). */
  ends: string[];
  onEnd?: () => void;
}

// runtime.cjs writes it, then the request id, on stdout and stderr after each invocation.
const INVOCATION_END = '\u0000lab-invocation-end ';
// A marker that never comes (a stream closed) costs this much at most.
const END_WAIT_MS = 2000;

/** A deployed function: instances are started on demand, reused while warm, and closed with `close()`. */
export class LambdaFunction {
  /** Every invocation, in order of completion. */
  readonly invocations: Invocation[] = [];
  /** Asynchronous events discarded because they grew older than the maximum event age. */
  readonly discarded: DiscardedEvent[] = [];
  private throttledUntil = 0;
  private readonly idle: Instance[] = [];
  private readonly all = new Set<Instance>();
  private readonly running = new Set<Promise<unknown>>();

  private readonly nodePath: string;

  constructor(readonly config: LambdaFunctionConfig) {
    this.nodePath = nodePath(config);
  }

  get arn(): string {
    const { region = 'us-east-1', accountId = '123456789012', functionName } = this.config;
    return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
  }

  /** Invokes once and waits for the end: the handler's result, its error, or the time limit. */
  invoke(event: unknown): Promise<Invocation> {
    const run = this.run(event);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return run;
  }

  /**
   * Invokes as CloudFormation does (InvocationType Event): returns at once; a failed or timed-out
   * invocation is retried up to `asyncRetries` times with the same event. Resolves with all attempts.
   */
  invokeAsync(event: unknown): Promise<Invocation[]> {
    const queuedAt = Date.now();
    const attempts = async (): Promise<Invocation[]> => {
      const done: Invocation[] = [];
      const retries = this.config.asyncRetries ?? 2;
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) await sleep(this.config.asyncRetryDelayMs ?? 200);
        if (!(await this.dequeue(event, queuedAt))) break;
        const invocation = await this.invoke(event);
        done.push(invocation);
        if (invocation.outcome === 'returned') break;
      }
      return done;
    };
    const all = attempts();
    this.running.add(all);
    void all.finally(() => this.running.delete(all));
    return all;
  }

  /**
   * Throttles the function for `ms`: asynchronous events go back to the queue and are tried again, as
   * Lambda does for throttling errors (429), until they run or grow older than the maximum event age
   * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
   */
  throttle(ms: number): void {
    this.throttledUntil = Date.now() + ms;
  }

  // Waits out a throttle in the queue; false when the event grew too old and was discarded.
  private async dequeue(event: unknown, queuedAt: number): Promise<boolean> {
    const maxAgeMs = this.config.maxEventAgeMs ?? DEFAULT_MAX_EVENT_AGE_MS;
    for (;;) {
      const ageMs = Date.now() - queuedAt;
      if (ageMs > maxAgeMs) {
        this.discarded.push({ event, ageMs });
        return false;
      }
      if (Date.now() >= this.throttledUntil) return true;
      await sleep(THROTTLED_RETRY_MS);
    }
  }

  /** Waits until no invocation (and no pending retry) is running. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Kills every instance. */
  async close(): Promise<void> {
    await Promise.all([...this.all].map((instance) => kill(instance)));
    this.all.clear();
    this.idle.length = 0;
  }

  private async run(event: unknown): Promise<Invocation> {
    const requestId = randomUUID();
    const started = Date.now();
    const reused = this.idle.pop();
    let instance: Instance;
    try {
      instance = reused ?? (await this.start());
    } catch (error) {
      const failure = error as NonNullable<Invocation['error']>;
      return this.record({
        requestId,
        startedAt: Date.now(),
        outcome: 'init-error',
        error: failure,
        logs: [],
        coldStart: true,
        durationMs: 0,
      });
    }
    if (reused) thaw(instance);
    const timeoutMs = this.config.timeoutMs ?? 3000;
    // The time limit counts from the handler's call; Lambda limits the init phase apart.
    const startedAt = Date.now();
    const deadline = startedAt + timeoutMs;
    instance.logs = [];
    const result = await this.callHandler(instance, requestId, event, deadline, timeoutMs);
    if (result.outcome !== 'timeout') await invocationEnded(instance, requestId);
    const logs = instance.logs;
    instance.logs = undefined;
    const invocation: Invocation = {
      requestId,
      startedAt,
      ...result,
      logs,
      coldStart: reused === undefined,
      ...(reused === undefined ? { initMs: instance.initMs } : {}),
      durationMs: Date.now() - started,
    };
    if (result.outcome === 'timeout') await kill(instance);
    else this.park(instance);
    return this.record(invocation);
  }

  // Sends the event to the instance and waits for the handler's result, its error, the time limit or a crash.
  private callHandler(
    instance: Instance,
    requestId: string,
    event: unknown,
    deadline: number,
    timeoutMs: number,
  ): Promise<Pick<Invocation, 'outcome' | 'value' | 'error'>> {
    return new Promise((done) => {
      const timer = setTimeout(() => finish({ outcome: 'timeout' }), Math.max(0, deadline - Date.now()));
      const onMessage = (message: ResultMessage) => {
        if (message.type !== 'result' || message.id !== requestId) return;
        finish(
          message.ok
            ? { outcome: 'returned', value: message.value }
            : { outcome: 'error', error: message.error },
        );
      };
      const onExit = () =>
        finish({
          outcome: 'error',
          error: { errorType: 'Runtime.ExitError', errorMessage: 'the runtime exited' },
        });
      const finish = (result: Pick<Invocation, 'outcome' | 'value' | 'error'>) => {
        clearTimeout(timer);
        instance.child.off('message', onMessage);
        instance.child.off('exit', onExit);
        done(result);
      };
      instance.child.on('message', onMessage);
      instance.child.once('exit', onExit);
      instance.child.send({
        type: 'invoke',
        id: requestId,
        event,
        deadline,
        context: this.context(requestId, timeoutMs),
      });
    });
  }

  private context(awsRequestId: string, timeoutMs: number): Record<string, string> {
    const { functionName, memoryMb = 128 } = this.config;
    return {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: this.arn,
      memoryLimitInMB: String(memoryMb),
      awsRequestId,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${awsRequestId.replace(/-/g, '')}`,
      timeoutMs: String(timeoutMs),
    };
  }

  private start(): Promise<Instance> {
    const { functionName, region = 'us-east-1', memoryMb = 128 } = this.config;
    const child = fork(RUNTIME, [], {
      execPath: this.nodePath,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_ACCESS_KEY_ID: 'ASIALABLABLABLABLAB1',
        AWS_SECRET_ACCESS_KEY: 'lab-secret-access-key',
        AWS_SESSION_TOKEN: 'lab-session-token',
        ...this.config.environment,
      },
    });
    const instance: Instance = { child, logs: undefined, initMs: 0, ends: [] };
    this.all.add(instance);
    child.once('exit', () => this.all.delete(instance));
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      let partial = '';
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith(INVOCATION_END)) {
            instance.ends.push(line.slice(INVOCATION_END.length));
            instance.onEnd?.();
          } else if (line !== '') instance.logs?.push(line);
        }
      });
    }
    return new Promise((ready, failed) => {
      child.once('message', (message: InitMessage) => {
        if (message.type === 'ready') {
          instance.initMs = message.initMs;
          ready(instance);
        } else {
          void kill(instance);
          failed(message.error);
        }
      });
      child.send({
        type: 'init',
        modulePath: resolve(this.config.modulePath),
        exportName: this.config.exportName ?? 'handler',
      });
    });
  }

  private park(instance: Instance): void {
    if (instance.child.exitCode !== null || instance.child.signalCode !== null) return;
    if (this.config.freezeWhenIdle ?? true) instance.child.kill('SIGSTOP');
    this.idle.push(instance);
  }

  private record(invocation: Invocation): Invocation {
    this.invocations.push(invocation);
    return invocation;
  }
}

// The runtime under test is chosen per suite (LAB_NODE), so that the bundle runs on the Node.js Lambda runs.
function nodePath(config: LambdaFunctionConfig): string {
  const path = config.nodePath ?? process.env.LAB_NODE ?? process.execPath;
  if (!existsSync(path)) {
    throw new Error(`The Node.js binary ${path} does not exist: run npm run runtimes.`);
  }
  return path;
}

function thaw(instance: Instance): void {
  instance.child.kill('SIGCONT');
}

function kill(instance: Instance): Promise<void> {
  const { child } = instance;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((exited) => {
    child.once('exit', () => exited());
    child.kill('SIGKILL');
  });
}

// Until both streams have delivered the invocation's end marker (or the instance is gone): then every line it
// wrote is in its logs.
function invocationEnded(instance: Instance, requestId: string): Promise<void> {
  const seen = () => instance.ends.filter((id) => id === requestId).length >= 2;
  return new Promise((done) => {
    const finish = () => {
      clearTimeout(timer);
      instance.onEnd = undefined;
      instance.ends = instance.ends.filter((id) => id !== requestId);
      done();
    };
    const timer = setTimeout(finish, END_WAIT_MS);
    if (seen() || instance.child.exitCode !== null) return finish();
    instance.onEnd = () => {
      if (seen()) finish();
    };
  });
}
