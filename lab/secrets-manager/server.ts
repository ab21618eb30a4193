// The Secrets Manager stand-in: a node:http server on loopback speaking the JSON 1.1 protocol as
// @aws-sdk/client-secrets-manager sends it (`POST /`, `X-Amz-Target: secretsmanager.GetSecretValue`),
// so that a function reads its connection secret with no AWS account.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsFaultPlan } from './faults';
import { type SecretRecord, SecretStore, SecretsManagerError } from './secrets';

/** How the stand-in starts. */
export interface SecretsManagerStandInOptions {
  accountId?: string;
  region?: string;
  /** Who reads the secrets, as AccessDeniedException names it. */
  callerArn?: string;
}

/** One call as the stand-in saw it. */
export interface SecretsManagerCall {
  operation: string;
  secretId: string | undefined;
  at: number;
  status: number;
  errorCode?: string;
}

const TARGET_PREFIX = 'secretsmanager.';

/** A running Secrets Manager stand-in. Start it with `SecretsManagerStandIn.start()`. */
export class SecretsManagerStandIn {
  /** Faults waiting for the next calls. */
  readonly faults = new SecretsFaultPlan();
  /** Every call received, in order. */
  readonly calls: SecretsManagerCall[] = [];

  private constructor(
    private readonly server: Server,
    private readonly store: SecretStore,
    private readonly callerArn: string,
    /** The base URL to give the SDK (`endpoint`) or a function (AWS_ENDPOINT_URL_SECRETS_MANAGER). */
    readonly endpoint: string,
  ) {}

  /** Starts a stand-in on 127.0.0.1 with an ephemeral port. */
  static async start(options: SecretsManagerStandInOptions = {}): Promise<SecretsManagerStandIn> {
    const accountId = options.accountId ?? '123456789012';
    const store = new SecretStore(accountId, options.region ?? 'us-east-1');
    const callerArn = options.callerArn ?? `arn:aws:sts::${accountId}:assumed-role/lab-function/lab`;
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new SecretsManagerStandIn(server, store, callerArn, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void standIn.serve(req, res));
    return standIn;
  }

  /** Creates or replaces a secret (an object is stored as its JSON); returns it with its ARN. */
  putSecret(name: string, value: string | object): SecretRecord {
    return this.store.put(name, value);
  }

  /** Deletes a secret at once. */
  deleteSecret(secretId: string): void {
    this.store.remove(secretId);
  }

  /** Schedules a secret for deletion: reads are refused with InvalidRequestException. */
  markForDeletion(secretId: string): void {
    this.store.markForDeletion(secretId);
  }

  /** Refuses every read of the secret with AccessDeniedException, until `allow`. */
  deny(secretId: string): void {
    this.store.deny(secretId);
  }

  /** Lets a denied secret be read again. */
  allow(secretId: string): void {
    this.store.allow(secretId);
  }

  /** The secret as stored, or undefined. */
  secret(secretId: string): SecretRecord | undefined {
    return this.store.find(secretId);
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    const operation = (req.headers['x-amz-target'] ?? '').toString().replace(TARGET_PREFIX, '');
    const secretId = typeof body.SecretId === 'string' ? body.SecretId : undefined;
    const call: SecretsManagerCall = { operation, secretId, at: Date.now(), status: 200 };
    this.calls.push(call);
    const requestId = randomUUID();
    try {
      const answer = this.answer(req, operation, secretId);
      send(res, 200, requestId, answer);
    } catch (error) {
      const failure =
        error instanceof SecretsManagerError
          ? error
          : new SecretsManagerError('InternalServiceError', 500, 'An error occurred on the server side.');
      call.status = failure.status;
      call.errorCode = failure.code;
      send(res, failure.status, requestId, { __type: failure.code, Message: failure.message }, failure.code);
    }
  }

  private answer(req: IncomingMessage, operation: string, secretId: string | undefined): object {
    const fault = this.faults.take();
    if (fault !== undefined) throw fault;
    checkSigned(req);
    if (operation !== 'GetSecretValue') {
      throw new SecretsManagerError('UnknownOperationException', 400, `Unknown operation ${operation}`);
    }
    if (secretId === undefined) {
      throw new SecretsManagerError('InvalidParameterException', 400, 'SecretId is required.');
    }
    const record = this.store.read(secretId, this.callerArn);
    return {
      ARN: record.arn,
      Name: record.name,
      VersionId: record.versionId,
      SecretString: record.secretString,
      VersionStages: ['AWSCURRENT'],
      // JSON 1.1 sends timestamps as epoch seconds.
      CreatedDate: record.createdDate.getTime() / 1000,
    };
  }
}

function send(
  res: ServerResponse,
  status: number,
  requestId: string,
  body: object,
  errorType?: string,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
    ...(errorType === undefined ? {} : { 'x-amzn-ErrorType': errorType }),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

// Secrets Manager refuses unsigned requests; the stand-in checks that a SigV4 signature is there, not its value.
function checkSigned(req: IncomingMessage): void {
  const authorization = req.headers.authorization ?? '';
  if (
    !/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[\w-]+\/secretsmanager\/aws4_request/.test(authorization)
  ) {
    throw new SecretsManagerError(
      'UnrecognizedClientException',
      400,
      'The security token included in the request is invalid.',
    );
  }
}
