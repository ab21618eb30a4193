// The whole invocation, as Lambda's cold start lives it: from starting the process to CloudFormation receiving
// the response, through the handler and every call it makes. The bare bundles make the same calls: the SDK
// calls ours made (as the stand-ins saw them) and the HTTP requests it sent to Snowflake (recorded by a proxy
// and replayed as they were), then the same PUT. Each figure is the median of fresh processes, interleaved.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BareFormat, SdkCall } from './baseline';
import { LAB_ONLY_BUILTINS, type ProbeSetting, type Trio, trioCells } from './cold-start';
import { runProbe } from './probe';
import { median, msText, row } from './stats';

/** An HTTP request as the handler sent it, to replay from the bare bundle. */
export interface RecordedRequest {
  http: { method: string; url: string; headers: Record<string, string>; body?: string };
}

/** One invocation to measure: ours is handed `event`; the bare bundles make `calls`, then PUT to `responseUrl`. */
export interface Invocation {
  event?: Record<string, unknown>;
  calls?: Array<SdkCall | RecordedRequest>;
  responseUrl: string;
  body?: string;
  /** When CloudFormation received the response (ms since the epoch). */
  answered(): Promise<number>;
}

/** A function measured whole: its bundles, and a fresh invocation of each column per run. */
export interface WholeSubject {
  name: string;
  bundle: string;
  bare: Record<BareFormat, string>;
  /** A new invocation for ours (`event`) or for a bare bundle (`calls`); `run` makes its names unique. */
  invocation(column: 'ours' | BareFormat, run: number): Promise<Invocation>;
}

/** Times each column from process start to the response's arrival, `runs` times, rotating the order. */
export async function wholeInvocation(subject: WholeSubject, setting: ProbeSetting): Promise<Trio> {
  const times: Record<'ours' | BareFormat, number[]> = { ours: [], esm: [], cjs: [] };
  const columns = ['ours', 'esm', 'cjs'] as const;
  for (let run = 0; run < setting.runs; run++) {
    for (let i = 0; i < columns.length; i++) {
      const column = columns[(run + i) % columns.length] ?? 'ours';
      const invocation = await subject.invocation(column, run);
      const task =
        column === 'ours'
          ? {
              type: 'invoke',
              modulePath: subject.bundle,
              event: invocation.event,
              preload: LAB_ONLY_BUILTINS,
            }
          : {
              type: 'sdk',
              modulePath: subject.bare[column],
              runs: [{ calls: invocation.calls, responseUrl: invocation.responseUrl, body: invocation.body }],
            };
      const started = Date.now();
      await runProbe(task, setting.environment, setting.node);
      times[column].push((await invocation.answered()) - started);
    }
  }
  const trio: Trio = [median(times.ours), median(times.esm), median(times.cjs)];
  console.log(row(`   ${subject.name}`, ...trioCells(trio, msText)));
  return trio;
}

/** A proxy in front of a service that records each request it forwards, so that a bare bundle can replay it. */
export class RecordingProxy {
  readonly recorded: RecordedRequest[] = [];

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(target: string): Promise<RecordingProxy> {
    let proxy: RecordingProxy | undefined;
    const server = createServer((request, response) => {
      forward(request, target).then(
        ({ status, headers, body, recorded }) => {
          proxy?.recorded.push(recorded);
          response.writeHead(status, headers);
          response.end(body);
        },
        (error: unknown) => {
          response.writeHead(502, { 'content-type': 'text/plain' });
          response.end(`the bench's recording proxy could not forward: ${String(error)}`);
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    proxy = new RecordingProxy(server, `http://127.0.0.1:${port}`);
    return proxy;
  }

  /** The requests recorded from `from` up to `to`, aimed at `target`, each with a new requestId. */
  replayable(from: number, to: number, target: string): RecordedRequest[] {
    return this.recorded.slice(from, to).map(({ http }) => {
      const url = new URL(http.url, target);
      // A resubmitted requestId would be answered from Snowflake's memory of the first: each replay is new.
      if (url.searchParams.has('requestId')) url.searchParams.set('requestId', randomUUID());
      return { http: { ...http, url: url.href } };
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// Headers of one connection, not of the request: fetch sets its own.
const HOP_BY_HOP = ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'expect'];

async function forward(request: IncomingMessage, target: string) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && !HOP_BY_HOP.includes(entry[0]),
    ),
  );
  const method = request.method ?? 'GET';
  const answer = await fetch(new URL(request.url ?? '/', target), { method, headers, body });
  const answerBody = Buffer.from(await answer.arrayBuffer());
  return {
    status: answer.status,
    headers: { 'content-type': answer.headers.get('content-type') ?? 'application/json' },
    body: answerBody,
    recorded: { http: { method, url: request.url ?? '/', headers, ...(body === undefined ? {} : { body }) } },
  };
}
