// A stand-in for CloudFormation's DescribeStacks on loopback, speaking the Query protocol (form-encoded
// request, XML answer) that @aws-sdk/client-cloudformation talks. Point the SDK at it with
// AWS_ENDPOINT_URL_CLOUDFORMATION. Each stack answers a list of states, one per call, the last one
// repeating: the state before `sam deploy`, then the state sam left behind.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer of DescribeStacks for a stack. */
export interface FakeStackState {
  readonly status: string;
  /** ISO time of the last update; a deploy that executed a change set moves it. */
  readonly lastUpdated?: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly outputs?: Readonly<Record<string, string>>;
}

/** An error CloudFormation answers with, as the Query protocol carries it. */
export interface FakeError {
  readonly httpStatus: number;
  readonly code: string;
  readonly message: string;
}

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export class DescribeStacksServer {
  /** The StackName of each DescribeStacks call, in order. */
  readonly described: string[] = [];
  private readonly states = new Map<string, FakeStackState[]>();
  private failure: FakeError | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Starts a server on a free loopback port. */
  static async start(): Promise<DescribeStacksServer> {
    let instance: DescribeStacksServer | undefined;
    const server = createServer((request, response) => {
      instance?.answer(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new DescribeStacksServer(server, `http://127.0.0.1:${port}`);
    return instance;
  }

  /** Sets what DescribeStacks answers for a stack: each state once, in order, then the last forever. */
  stack(name: string, ...states: FakeStackState[]): this {
    this.states.set(name, [...states]);
    return this;
  }

  /** Forgets every stack, failure and call. */
  reset(): void {
    this.states.clear();
    this.failure = undefined;
    this.described.length = 0;
  }

  /** Makes every call fail with this error (access denied, throttling...). */
  failWith(error: FakeError): this {
    this.failure = error;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await bodyOf(request));
    const action = form.get('Action');
    const stackName = form.get('StackName') ?? '';
    if (action !== 'DescribeStacks') {
      return reply(response, 400, errorXml({ httpStatus: 400, code: 'InvalidAction', message: `${action}` }));
    }
    this.described.push(stackName);
    if (this.failure !== undefined) return reply(response, this.failure.httpStatus, errorXml(this.failure));
    const state = this.nextState(stackName);
    if (state === undefined) {
      const missing = `Stack with id ${stackName} does not exist`;
      return reply(response, 400, errorXml({ httpStatus: 400, code: 'ValidationError', message: missing }));
    }
    reply(response, 200, stacksXml(stackName, state));
  }

  private nextState(stackName: string): FakeStackState | undefined {
    const queue = this.states.get(stackName);
    if (queue === undefined || queue.length === 0) return undefined;
    return queue.length > 1 ? queue.shift() : queue[0];
  }
}

function bodyOf(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, xml: string): void {
  response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'fake-request' });
  response.end(xml);
}

function stacksXml(name: string, state: FakeStackState): string {
  const member = [
    element('StackName', name),
    element('StackId', `arn:aws:cloudformation:eu-west-1:123456789012:stack/${name}/fake`),
    element('CreationTime', '2026-01-01T00:00:00.000Z'),
    state.lastUpdated === undefined ? '' : element('LastUpdatedTime', state.lastUpdated),
    element('StackStatus', state.status),
    `<Parameters>${members(state.parameters, 'ParameterKey', 'ParameterValue')}</Parameters>`,
    `<Outputs>${members(state.outputs, 'OutputKey', 'OutputValue')}</Outputs>`,
  ].join('');
  return (
    `<DescribeStacksResponse xmlns="${NAMESPACE}"><DescribeStacksResult><Stacks><member>${member}</member>` +
    '</Stacks></DescribeStacksResult><ResponseMetadata><RequestId>fake-request</RequestId>' +
    '</ResponseMetadata></DescribeStacksResponse>'
  );
}

function members(values: Readonly<Record<string, string>> = {}, keyTag: string, valueTag: string): string {
  return Object.entries(values)
    .map(([key, value]) => `<member>${element(keyTag, key)}${element(valueTag, value)}</member>`)
    .join('');
}

function errorXml(error: FakeError): string {
  return (
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type>${element('Code', error.code)}` +
    `${element('Message', error.message)}</Error><RequestId>fake-request</RequestId></ErrorResponse>`
  );
}

function element(tag: string, text: string): string {
  const escaped = text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
  return `<${tag}>${escaped}</${tag}>`;
}
