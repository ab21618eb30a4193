// The API Gateway stand-in: a loopback route from an `https://<api>.execute-api.<region>.amazonaws.com/
// <stage>/<path>` URL to a Lambda proxy integration, so that the Snowflake stand-in's external functions
// reach the echo Lambda with no AWS account. The URL stays the template's: while the stand-in is
// installed, fetch() to an execute-api host goes to this server instead (intercept.ts).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { installRoute } from './intercept';

/** The part of API Gateway's proxy event the lab fills in. */
export interface ProxyEvent {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  body: string | null;
  isBase64Encoded: boolean;
  requestContext: { apiId: string; stage: string; httpMethod: string; resourcePath: string };
}

/** What a proxy integration answers. */
export interface ProxyResult {
  statusCode: number;
  body?: string;
  headers?: Record<string, string | number | boolean>;
}

/** A Lambda proxy integration: a handler, or a lab LambdaFunction's invoke. */
export type ProxyTarget = (event: ProxyEvent) => Promise<ProxyResult>;

/** One request as the stand-in saw it. */
export interface ApiCall {
  apiId: string;
  stage: string;
  path: string;
  method: string;
  status: number;
}

/** A running API Gateway stand-in. */
export class ApiGatewayStandIn {
  /** Every request, in order. */
  readonly calls: ApiCall[] = [];
  private readonly routes = new Map<string, ProxyTarget>();
  private uninstall: (() => void) | undefined;

  private constructor(
    private readonly server: Server,
    /** The loopback base URL that execute-api URLs are sent to. */
    readonly endpoint: string,
  ) {}

  /** Starts on 127.0.0.1 with an ephemeral port, and routes fetch() of execute-api URLs to it. */
  static async start(): Promise<ApiGatewayStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new ApiGatewayStandIn(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => {
      void standIn.serve(req).then(({ statusCode, body, headers }) => {
        res.writeHead(statusCode, { 'Content-Type': 'application/json', ...headers }).end(body ?? '');
      });
    });
    standIn.uninstall = installRoute(standIn.endpoint);
    return standIn;
  }

  /** POST <any api>/<any stage><path> goes to target (the integration of every API's resource `path`). */
  route(path: string, target: ProxyTarget): void {
    this.routes.set(path, target);
  }

  /** Stops the server and gives fetch() back. */
  async close(): Promise<void> {
    this.uninstall?.();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage): Promise<ProxyResult> {
    // The intercept sends /<api id>/<stage>/<resource path>.
    const [, apiId = '', stage = '', ...rest] = new URL(req.url ?? '/', 'http://lab').pathname.split('/');
    const path = `/${rest.join('/')}`;
    const method = req.method ?? '';
    const target = method === 'POST' ? this.routes.get(path) : undefined;
    const result = target
      ? await target(proxyEvent(req, apiId, stage, path, await readBody(req))).catch(() => internalError())
      : { statusCode: 403, body: JSON.stringify({ message: 'Missing Authentication Token' }) };
    this.calls.push({ apiId, stage, path, method, status: result.statusCode });
    return result;
  }
}

function proxyEvent(
  req: IncomingMessage,
  apiId: string,
  stage: string,
  path: string,
  body: string,
): ProxyEvent {
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(',') : (value ?? ''),
    ]),
  );
  return {
    resource: path,
    path,
    httpMethod: 'POST',
    headers,
    body,
    isBase64Encoded: false,
    requestContext: { apiId, stage, httpMethod: 'POST', resourcePath: path },
  };
}

// What API Gateway answers when the integration fails (a Lambda error or time-out).
function internalError(): ProxyResult {
  return { statusCode: 502, body: JSON.stringify({ message: 'Internal server error' }) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
