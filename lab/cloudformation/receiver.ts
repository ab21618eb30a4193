// Where custom resources answer: a loopback HTTP server that hands out presigned-looking response
// URLs, one per request, judges each PUT as S3 and CloudFormation would, and records every problem.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type CfnResponseBody, cfnProblems, type ExpectedIds, s3Refusal } from './response-checks';

/** The request a response URL belongs to. */
export interface ResponseSlot extends ExpectedIds {
  RequestType: string;
}

/** One PUT (or other request) received at a response URL. */
export interface ReceivedResponse {
  slot: ResponseSlot;
  at: number;
  method: string;
  contentType: string | undefined;
  contentLength: string | undefined;
  /** Bytes actually read. */
  bytes: number;
  body: string;
  /** What S3 answered: 200 when it stored the object. */
  s3Status: number;
  /** Whether CloudFormation took it as the request's answer. */
  accepted: boolean;
  problems: string[];
  response?: CfnResponseBody;
}

/** A problem found with a response, named with the request it belongs to. */
export interface Violation {
  slot: ResponseSlot;
  problem: string;
}

/** A response URL handed out, waiting for its answer. */
export interface PendingResponse {
  url: string;
  /** The first response S3 stored (accepted by CloudFormation or not), or undefined after `timeoutMs`. */
  first(timeoutMs: number): Promise<ReceivedResponse | undefined>;
  /** Marks the request as no longer awaited: a response from now on is late. */
  expire(): void;
}

interface Entry {
  slot: ResponseSlot;
  stored: ReceivedResponse[];
  expired: boolean;
  waiters: Array<(response: ReceivedResponse) => void>;
}

/** The receiver; start with `ResponseReceiver.start()`, close with `close()`. */
export class ResponseReceiver {
  /** Every request received at any response URL. */
  readonly received: ReceivedResponse[] = [];
  /** Every problem found, across all requests. */
  readonly violations: Violation[] = [];
  private readonly entries = new Map<string, Entry>();
  private putFailures = 0;
  private putsIgnored = 0;
  private injected = 0;
  /** The bodies of PUTs the receiver took in and never answered (see `ignoreNextPuts`). */
  readonly unanswered: Array<{ slot: ResponseSlot; body: string }> = [];
  private readonly sockets = new Map<Socket, string | undefined>();

  private constructor(
    private readonly server: Server,
    private readonly base: string,
    private readonly bodyTimeoutMs: number,
  ) {}

  /** Starts on 127.0.0.1 with an ephemeral port; a body slower than `bodyTimeoutMs` is a RequestTimeout. */
  static async start({ bodyTimeoutMs = 5000 }: { bodyTimeoutMs?: number } = {}): Promise<ResponseReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new ResponseReceiver(server, `http://127.0.0.1:${port}`, bodyTimeoutMs);
    server.on('connection', (socket) => {
      receiver.sockets.set(socket, undefined);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    server.on('request', (req, res) => void receiver.serve(req, res));
    server.on('clientError', (_error, socket) => receiver.onFramingError(socket as Socket));
    return receiver;
  }

  /** A new response URL for one request. */
  expect(slot: ResponseSlot): PendingResponse {
    const token = randomBytes(16).toString('hex');
    const signature = randomBytes(32).toString('hex');
    const entry: Entry = { slot, stored: [], expired: false, waiters: [] };
    this.entries.set(token, entry);
    const url =
      `${this.base}/cloudformation-custom-resource-response/${token}` +
      `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=7200&X-Amz-SignedHeaders=host&X-Amz-Signature=${signature}`;
    return {
      url,
      first: (timeoutMs) => firstResponse(entry, timeoutMs),
      expire: () => {
        // Only a request still without an answer can be answered late.
        if (entry.stored.length === 0) entry.expired = true;
      },
    };
  }

  /** Answers the next PUTs with S3's 503 SlowDown, storing nothing, as S3 sometimes does. */
  failNextPuts(times = 1): void {
    this.putFailures += times;
  }

  /** Reads the next `times` PUTs whole and never answers them, storing nothing: a response URL that hangs (0 stops). */
  ignoreNextPuts(times = 1): void {
    this.putsIgnored = times;
  }

  /** How many PUTs were failed on purpose so far. */
  get faultsInjected(): number {
    return this.injected;
  }

  /** Stops the server, cutting off open connections. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets.keys()) socket.destroy();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = /\/cloudformation-custom-resource-response\/([0-9a-f]+)/.exec(req.url ?? '')?.[1] ?? '';
    const entry = this.entries.get(token);
    if (entry === undefined) return answerS3(res, 403, 'AccessDenied: Access Denied');
    this.sockets.set(req.socket, token);
    const body = await readBody(req, this.bodyTimeoutMs);
    if (this.putsIgnored > 0 && body !== 'timeout') {
      this.putsIgnored -= 1;
      this.injected += 1;
      this.unanswered.push({ slot: entry.slot, body: body.toString('utf8') });
      return;
    }
    if (this.putFailures > 0) {
      this.putFailures -= 1;
      this.injected += 1;
      return answerS3(res, 503, 'SlowDown: Please reduce your request rate.');
    }
    const received = this.judge(req, entry, body);
    this.received.push(received);
    for (const problem of received.problems) this.violations.push({ slot: entry.slot, problem });
    if (received.s3Status !== 200) return answerS3(res, received.s3Status, received.problems[0] ?? '');
    res.writeHead(200, { 'Content-Length': 0 }).end();
    if (entry.stored[0] === received) for (const wake of entry.waiters.splice(0)) wake(received);
  }

  private judge(req: IncomingMessage, entry: Entry, body: Buffer | 'timeout'): ReceivedResponse {
    const base = {
      slot: entry.slot,
      at: Date.now(),
      method: req.method ?? '',
      contentType: req.headers['content-type'],
      contentLength: req.headers['content-length'],
    };
    if (body === 'timeout') {
      const problem = 'RequestTimeout: the body is shorter than its Content-Length (counted in characters?).';
      return { ...base, bytes: 0, body: '', s3Status: 400, accepted: false, problems: [problem] };
    }
    const refusal = s3Refusal({ method: base.method, headers: req.headers, body });
    const text = body.toString('utf8');
    if (refusal !== undefined) {
      const problem = `${refusal.code} (${refusal.status}): ${describeRefusal(base)}`;
      return {
        ...base,
        bytes: body.length,
        body: text,
        s3Status: refusal.status,
        accepted: false,
        problems: [problem],
      };
    }
    const { problems: refused, warnings, response } = cfnProblems(body, entry.slot);
    const problems = [...refused, ...warnings];
    const ordinal = entry.stored.length + 1;
    if (ordinal > 1)
      problems.push(`Response number ${ordinal} to one request: CloudFormation reads only the first.`);
    if (entry.expired)
      problems.push('Response after CloudFormation stopped waiting (ServiceTimeout passed).');
    const accepted = ordinal === 1 && !entry.expired && response !== undefined;
    const received: ReceivedResponse = {
      ...base,
      bytes: body.length,
      body: text,
      s3Status: 200,
      accepted,
      problems,
      ...(response === undefined ? {} : { response }),
    };
    entry.stored.push(received);
    return received;
  }

  // Bytes beyond the declared Content-Length arrive as a malformed next request on the same socket.
  private onFramingError(socket: Socket): void {
    const entry = this.entries.get(this.sockets.get(socket) ?? '');
    if (entry !== undefined) {
      this.violations.push({
        slot: entry.slot,
        problem: 'Bytes after the declared Content-Length: Content-Length does not count the body in bytes.',
      });
    }
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  }
}

function firstResponse(entry: Entry, timeoutMs: number): Promise<ReceivedResponse | undefined> {
  const stored = entry.stored[0];
  if (stored !== undefined) return Promise.resolve(stored);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    entry.waiters.push((response) => {
      clearTimeout(timer);
      resolve(response);
    });
  });
}

function describeRefusal(put: { method: string; contentType: string | undefined }): string {
  if (put.method !== 'PUT') return `the presigned URL is for PUT, not ${put.method}.`;
  if (put.contentType !== undefined && put.contentType !== '') {
    return `Content-Type "${put.contentType}" is not part of the signature; send it empty.`;
  }
  return 'no Content-Length header.';
}

async function readBody(req: IncomingMessage, timeoutMs: number): Promise<Buffer | 'timeout'> {
  const chunks: Buffer[] = [];
  const complete = new Promise<Buffer>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([complete, late]).catch(() => 'timeout' as const);
  } finally {
    clearTimeout(timer);
  }
}

// `problem` reads "<Code> ...: <message>", as judge() writes it.
function answerS3(res: ServerResponse, status: number, problem: string): void {
  const code = /^\w+/.exec(problem)?.[0] ?? 'InvalidRequest';
  const message = problem.replace(/[<>&]/g, ' ');
  const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res
    .writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml) })
    .end(xml);
}
