// CloudFormation's read API over the lab's stacks: DescribeStacks and ListStackResources in the Query protocol
// (form-encoded POST, XML answer) that @aws-sdk/client-cloudformation speaks, so that an operator's tool reads
// a lab stack as it reads a real one. Point the SDK at it with AWS_ENDPOINT_URL_CLOUDFORMATION.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html (ValidationError, 400)

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Stack } from './stack';

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
// ListStackResources pages at 100 summaries (its documented page size is not stated; 100 is the SDK's usual).
const PAGE_SIZE = 100;

/** A running read API over a set of stacks; `close()` ends it. */
export class CloudFormationApi {
  private constructor(
    private readonly server: Server,
    /** The endpoint to give the SDK. */
    readonly endpoint: string,
  ) {}

  /** Serves the stacks `stacks()` returns at each request, on a free loopback port. */
  static async start(stacks: () => readonly Stack[]): Promise<CloudFormationApi> {
    const server = createServer((request, response) => {
      answer(request, response, stacks()).catch((error: unknown) => {
        // CloudFormation's own failure: the SDK retries a 500 as it would InternalFailure.
        response.writeHead(500, { 'content-type': 'text/xml' });
        response.end(errorXml('InternalFailure', String(error), randomUUID()));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new CloudFormationApi(server, `http://127.0.0.1:${port}`);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  stacks: readonly Stack[],
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const action = form.get('Action') ?? '';
  const requestId = randomUUID();
  const send = (status: number, xml: string) => {
    response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    response.end(xml);
  };
  const name = form.get('StackName') ?? '';
  // A deleted stack is found by its id only, as CloudFormation does; by name, only a live one.
  const stack = [...stacks]
    .reverse()
    .find((s) => (s.stackName === name && s.status !== 'DELETE_COMPLETE') || s.stackId === name);
  if (action !== 'DescribeStacks' && action !== 'ListStackResources') {
    return send(
      400,
      errorXml(
        'InvalidAction',
        `The lab's CloudFormation API serves DescribeStacks and ListStackResources, not ${action}.`,
        requestId,
      ),
    );
  }
  if (stack === undefined) {
    return send(400, errorXml('ValidationError', `Stack with id ${name} does not exist`, requestId));
  }
  if (action === 'DescribeStacks')
    return send(200, successXml(action, requestId, `<Stacks>${stackXml(stack)}</Stacks>`));
  const start = Number(form.get('NextToken') ?? '0');
  const states = stack.resourceStates();
  const page = states.slice(start, start + PAGE_SIZE);
  const next = start + PAGE_SIZE < states.length ? `<NextToken>${start + PAGE_SIZE}</NextToken>` : '';
  const summaries = page
    .map(
      (state) =>
        `<member><LogicalResourceId>${escapeXml(state.logicalId)}</LogicalResourceId>` +
        `<PhysicalResourceId>${escapeXml(state.physicalId)}</PhysicalResourceId>` +
        `<ResourceType>${escapeXml(state.type)}</ResourceType>` +
        `<ResourceStatus>${escapeXml(resourceStatusOf(stack, state.logicalId))}</ResourceStatus>` +
        `<LastUpdatedTimestamp>${new Date().toISOString()}</LastUpdatedTimestamp></member>`,
    )
    .join('');
  return send(
    200,
    successXml(action, requestId, `<StackResourceSummaries>${summaries}</StackResourceSummaries>${next}`),
  );
}

function stackXml(stack: Stack): string {
  const parameters = Object.entries(stack.parameterValues())
    .map(
      ([key, value]) =>
        `<member><ParameterKey>${escapeXml(key)}</ParameterKey><ParameterValue>${escapeXml(value)}</ParameterValue></member>`,
    )
    .join('');
  const outputs = Object.entries(stack.status === 'DELETE_COMPLETE' ? {} : stack.outputs())
    .map(
      ([key, value]) =>
        `<member><OutputKey>${escapeXml(key)}</OutputKey><OutputValue>${escapeXml(value)}</OutputValue></member>`,
    )
    .join('');
  const created = stack.events[0]?.at ?? new Date();
  return (
    `<member><StackName>${escapeXml(stack.stackName)}</StackName><StackId>${escapeXml(stack.stackId)}</StackId>` +
    `<StackStatus>${escapeXml(stack.status ?? 'CREATE_IN_PROGRESS')}</StackStatus>` +
    `<CreationTime>${created.toISOString()}</CreationTime>` +
    `<Parameters>${parameters}</Parameters><Outputs>${outputs}</Outputs></member>`
  );
}

function resourceStatusOf(stack: Stack, logicalId: string): string {
  return (
    stack.events.filter((event) => event.logicalResourceId === logicalId).at(-1)?.status ?? 'CREATE_COMPLETE'
  );
}

function successXml(action: string, requestId: string, result: string): string {
  return (
    `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${result}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function errorXml(code: string, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
