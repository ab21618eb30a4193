// The STS stand-in: a node:http server on loopback speaking STS's Query protocol as @aws-sdk/client-sts
// sends GetWebIdentityToken, so that a function gets a workload-identity token with no AWS account.
// Every function in the lab signs with the same lab credentials, so the caller's role is told by
// the endpoint it calls (`endpointFor(roleArn)`), not by its access key.

import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueToken, newIssuer, type TokenIssuer } from './token';

/** How the stand-in starts. */
export interface StsStandInOptions {
  accountId?: string;
  region?: string;
  /** The role a caller of the bare `endpoint` runs as; default `arn:aws:iam::<account>:role/lab-function`. */
  callerRoleArn?: string;
  /** Whether outbound identity federation is enabled on the account; default true. */
  outboundFederation?: boolean;
}

/** One call as the stand-in saw it. */
export interface StsCall {
  action: string;
  roleArn: string;
  audiences: string[];
  at: number;
  status: number;
  errorCode?: string;
}

class StsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const CALLER_PATH = /^\/as\/(\d+)(?:\/|$)/;

/** A running STS stand-in. Start it with `StsStandIn.start()`. */
export class StsStandIn {
  /** Every call received, in order. */
  readonly calls: StsCall[] = [];
  /** Whether GetWebIdentityToken is enabled; false answers OutboundWebIdentityFederationDisabledException. */
  outboundFederation: boolean;
  private readonly callerRoles: string[] = [];
  private throttled = 0;

  private constructor(
    private readonly server: Server,
    private readonly signer: TokenIssuer,
    readonly accountId: string,
    readonly region: string,
    private readonly defaultRoleArn: string,
    /** The base URL; its callers run as `callerRoleArn`. */
    readonly endpoint: string,
    outboundFederation: boolean,
  ) {
    this.outboundFederation = outboundFederation;
  }

  /** Starts a stand-in on 127.0.0.1 with an ephemeral port and a fresh signing key. */
  static async start(options: StsStandInOptions = {}): Promise<StsStandIn> {
    const accountId = options.accountId ?? '123456789012';
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new StsStandIn(
      server,
      newIssuer(),
      accountId,
      options.region ?? 'us-east-1',
      options.callerRoleArn ?? `arn:aws:iam::${accountId}:role/lab-function`,
      `http://127.0.0.1:${port}`,
      options.outboundFederation ?? true,
    );
    server.on('request', (req, res) => void standIn.serve(req, res));
    return standIn;
  }

  /** The issuer URL: `iss` of every token this stand-in signs. */
  get issuer(): string {
    return this.signer.issuer;
  }

  /** The key that verifies the tokens, as the issuer's JWKS would publish it. */
  get publicKey(): KeyObject {
    return this.signer.publicKey;
  }

  /** An endpoint whose callers run as `roleArn`: give it to one function as AWS_ENDPOINT_URL_STS. */
  endpointFor(roleArn: string): string {
    const known = this.callerRoles.indexOf(roleArn);
    const index = known >= 0 ? known : this.callerRoles.push(roleArn) - 1;
    return `${this.endpoint}/as/${index}`;
  }

  /** Answers the next `times` calls with Throttling 400 "Rate exceeded". */
  throttle(times = 1): void {
    this.throttled += times;
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const params = await readParams(req);
    const roleArn = this.callerOf(req.url ?? '/');
    const call: StsCall = {
      action: params.get('Action') ?? '',
      roleArn,
      audiences: members(params, 'Audience'),
      at: Date.now(),
      status: 200,
    };
    this.calls.push(call);
    const requestId = randomUUID();
    try {
      const result = this.answer(req, params, call);
      send(res, 200, successXml(call.action, requestId, result));
    } catch (error) {
      const failure =
        error instanceof StsError ? error : new StsError('InternalFailure', 500, 'Internal failure');
      call.status = failure.status;
      call.errorCode = failure.code;
      send(res, failure.status, errorXml(failure, requestId));
    }
  }

  private answer(req: IncomingMessage, params: URLSearchParams, call: StsCall): string {
    if (this.throttled > 0) {
      this.throttled -= 1;
      throw new StsError('Throttling', 400, 'Rate exceeded');
    }
    checkSigned(req);
    if (call.action !== 'GetWebIdentityToken') {
      throw new StsError(
        'InvalidAction',
        400,
        `Could not find operation ${call.action} for version 2011-06-15`,
      );
    }
    if (!this.outboundFederation) {
      throw new StsError(
        'OutboundWebIdentityFederationDisabledException',
        403,
        'The outbound web identity federation feature is not enabled for this account.',
      );
    }
    checkAlgorithm(params.get('SigningAlgorithm'));
    const { token, expiration } = issueToken(this.signer, {
      roleArn: call.roleArn,
      audiences: checkedAudiences(call.audiences),
      durationSeconds: checkedDuration(params.get('DurationSeconds')),
      accountId: this.accountId,
      region: this.region,
    });
    return (
      `<WebIdentityToken>${token}</WebIdentityToken>` +
      `<Expiration>${expiration.toISOString().replace(/\.\d{3}Z$/, 'Z')}</Expiration>`
    );
  }

  private callerOf(url: string): string {
    const index = CALLER_PATH.exec(url)?.[1];
    return index === undefined
      ? this.defaultRoleArn
      : (this.callerRoles[Number(index)] ?? this.defaultRoleArn);
  }
}

function checkedAudiences(audiences: string[]): string[] {
  if (audiences.length < 1 || audiences.length > 10 || audiences.some((a) => a.length === 0)) {
    throw new StsError(
      'ValidationError',
      400,
      "1 validation error detected: Value at 'audience' failed to satisfy constraint: Member must have length between 1 and 10",
    );
  }
  return audiences;
}

function checkedDuration(text: string | null): number {
  const seconds = text === null ? 300 : Number(text);
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > 3600) {
    throw new StsError(
      'ValidationError',
      400,
      `1 validation error detected: Value '${text}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 60 and 3600`,
    );
  }
  return seconds;
}

// STS offers RS256 and ES384; the lab signs RS256 only, and says so rather than sign with the wrong algorithm.
function checkAlgorithm(algorithm: string | null): void {
  if (algorithm === 'RS256') return;
  throw new StsError(
    'ValidationError',
    400,
    `The lab's STS signs RS256 only; SigningAlgorithm '${algorithm}' is not served here (STS accepts RS256 and ES384).`,
  );
}

function members(params: URLSearchParams, name: string): string[] {
  const values: string[] = [];
  for (let n = 1; params.has(`${name}.member.${n}`); n += 1)
    values.push(params.get(`${name}.member.${n}`) ?? '');
  return values;
}

function successXml(action: string, requestId: string, result: string): string {
  return (
    `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${result}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function errorXml(error: StsError, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  const message = error.message.replace(/[&<>]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt' }[c]};`);
  return (
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type><Code>${error.code}</Code>` +
    `<Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

function send(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml) });
  res.end(xml);
}

async function readParams(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// STS refuses unsigned requests; the stand-in checks that a SigV4 signature for STS is there, not its value.
function checkSigned(req: IncomingMessage): void {
  const authorization = req.headers.authorization ?? '';
  if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[\w-]+\/sts\/aws4_request/.test(authorization)) {
    throw new StsError('MissingAuthenticationToken', 403, 'Request is missing Authentication Token');
  }
}
