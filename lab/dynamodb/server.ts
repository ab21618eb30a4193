// The DynamoDB stand-in: a node:http server on loopback speaking DynamoDB's JSON 1.0 protocol, so that the
// real @aws-sdk/client-dynamodb works against it (`endpoint`, or AWS_ENDPOINT_URL_DYNAMODB). Tables with a
// string partition key; GetItem, PutItem, UpdateItem and DeleteItem with condition expressions.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  applyUpdate,
  ExpressionError,
  type Item,
  meetsCondition,
  type Placeholders,
} from './expressions';

/** One call as the stand-in saw it. */
export interface DynamoDbCall {
  operation: string;
  table: string | undefined;
  at: number;
  /** The error answered, if any. */
  error?: string;
}

/** Which requests a fault applies to: the operation and the request's JSON body. */
export type RequestMatcher = (operation: string, input: Record<string, unknown>) => boolean;

/** An error as DynamoDB answers it: HTTP 400 (or 500) and `{"__type": "...#Name", "message"}`. */
class DynamoDbError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface Table {
  keyName: string;
  items: Map<string, Item>;
}

const PREFIX = 'DynamoDB_20120810.';
const ERROR_NAMESPACE = 'com.amazonaws.dynamodb.v20120810#';

/** A running DynamoDB stand-in. */
export class DynamoDbStandIn {
  readonly calls: DynamoDbCall[] = [];
  private readonly tables = new Map<string, Table>();
  private throttles = 0;
  private deniedUntil = 0;
  private drops: { times: number; matching: RequestMatcher } | undefined;
  private conditionsIgnored = false;
  /** How many faults were injected (throttles, denials, dropped requests). */
  faultsInjected = 0;

  private constructor(
    private readonly server: Server,
    /** The base URL to give the SDK, e.g. http://127.0.0.1:43123 */
    readonly endpoint: string,
  ) {}

  static async start(): Promise<DynamoDbStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new DynamoDbStandIn(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void standIn.serve(req, res));
    return standIn;
  }

  /** Creates a table directly, as CloudFormation would for AWS::DynamoDB::Table. */
  createTable(name: string, keyName: string): void {
    if (this.tables.has(name))
      throw new DynamoDbError('ResourceInUseException', `Table already exists: ${name}`);
    this.tables.set(name, { keyName, items: new Map() });
  }

  deleteTable(name: string): void {
    this.tables.delete(name);
  }

  hasTable(name: string): boolean {
    return this.tables.has(name);
  }

  /** The items of a table, for assertions. */
  items(name: string): Item[] {
    return [...(this.tables.get(name)?.items.values() ?? [])];
  }

  /** Answers the next `times` calls with ThrottlingException. */
  throttle(times = 1): void {
    this.throttles = times;
  }

  /**
   * Answers every call with AccessDeniedException (HTTP 400) for the next `forMs` ms: a grant IAM has not
   * propagated yet. DynamoDB's name and status for a caller its policies do not allow:
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
   */
  denyAccess(forMs: number): void {
    this.deniedUntil = Date.now() + forMs;
  }

  /**
   * Drops the next `times` matching requests: the connection is cut and the request changes nothing, so
   * the caller gets no answer (a request lost on the way).
   */
  dropRequests(times: number, matching: RequestMatcher = () => true): void {
    this.drops = { times, matching };
  }

  /**
   * A broken lock, for controls only (`npm run concurrency -- --without-lease`): every condition holds, so
   * every lease is granted and links run unserialized. DynamoDB never does this.
   */
  ignoreConditions(ignored = true): void {
    this.conditionsIgnored = ignored;
  }

  /** Ends the faults set with throttle, denyAccess, dropRequests and ignoreConditions. */
  clearFaults(): void {
    this.conditionsIgnored = false;
    this.throttles = 0;
    this.deniedUntil = 0;
    this.drops = undefined;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = await readBody(req);
    const operation = target.startsWith(PREFIX) ? target.slice(PREFIX.length) : target;
    const call: DynamoDbCall = { operation, table: undefined, at: Date.now() };
    this.calls.push(call);
    try {
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')) {
        throw new DynamoDbError(
          'MissingAuthenticationTokenException',
          'Request is missing Authentication Token',
        );
      }
      const input = JSON.parse(body || '{}') as Record<string, unknown>;
      call.table = typeof input.TableName === 'string' ? input.TableName : undefined;
      if (this.drops && this.drops.times > 0 && this.drops.matching(operation, input)) {
        this.drops.times--;
        this.faultsInjected++;
        call.error = 'Dropped';
        req.socket.destroy();
        return;
      }
      if (this.throttles > 0) {
        this.throttles--;
        this.faultsInjected++;
        throw new DynamoDbError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.');
      }
      if (Date.now() < this.deniedUntil) {
        this.faultsInjected++;
        throw new DynamoDbError(
          'AccessDeniedException',
          `User: arn:aws:sts::123456789012:assumed-role/lab-function/lab is not authorized to perform: dynamodb:${operation} on resource: ${call.table ?? '*'} because no identity-based policy allows the dynamodb:${operation} action`,
        );
      }
      answer(res, 200, this.run(operation, input));
    } catch (error) {
      const refusal =
        error instanceof DynamoDbError
          ? error
          : new DynamoDbError('ValidationException', error instanceof Error ? error.message : String(error));
      call.error = refusal.type;
      answer(res, refusal.status, { __type: `${ERROR_NAMESPACE}${refusal.type}`, message: refusal.message });
    }
  }

  private run(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'GetItem': {
        const item = this.itemOf(input);
        return item ? { Item: item } : {};
      }
      case 'PutItem':
        return this.write(input, (table) => {
          const item = input.Item as Item;
          if (!item?.[table.keyName])
            throw new DynamoDbError('ValidationException', 'One of the required keys was not given a value');
          return item;
        });
      case 'UpdateItem':
        return this.write(input, (_table, old) =>
          applyUpdate(
            String(input.UpdateExpression ?? ''),
            old ?? (input.Key as Item),
            placeholdersOf(input),
          ),
        );
      case 'DeleteItem':
        return this.write(input, () => undefined);
      default:
        throw new DynamoDbError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  // A conditional write: the condition is checked against the item as it is, then the item is replaced.
  private write(
    input: Record<string, unknown>,
    next: (table: Table, old: Item | undefined) => Item | undefined,
  ) {
    const table = this.tableOf(input);
    const key = keyOf(table, (input.Key ?? input.Item) as Item | undefined);
    const old = table.items.get(key);
    const condition = input.ConditionExpression;
    const checked = typeof condition === 'string' && !this.conditionsIgnored;
    if (checked && !meetsCondition(condition, old, placeholdersOf(input))) {
      throw new DynamoDbError('ConditionalCheckFailedException', 'The conditional request failed');
    }
    const item = next(table, old);
    if (item === undefined) table.items.delete(key);
    else table.items.set(key, item);
    const returns = input.ReturnValues;
    if (returns === 'ALL_OLD' && old) return { Attributes: old };
    if (returns === 'ALL_NEW' && item) return { Attributes: item };
    return {};
  }

  private itemOf(input: Record<string, unknown>): Item | undefined {
    const table = this.tableOf(input);
    return table.items.get(keyOf(table, input.Key as Item | undefined));
  }

  private tableOf(input: Record<string, unknown>): Table {
    const table = this.tables.get(String(input.TableName ?? ''));
    if (!table) throw new DynamoDbError('ResourceNotFoundException', 'Requested resource not found');
    return table;
  }
}

function keyOf(table: Table, item: Item | undefined): string {
  const value: AttributeValue | undefined = item?.[table.keyName];
  if (!value || !('S' in value)) {
    throw new DynamoDbError('ValidationException', 'The provided key element does not match the schema');
  }
  return value.S;
}

function placeholdersOf(input: Record<string, unknown>): Placeholders {
  return {
    names: (input.ExpressionAttributeNames ?? {}) as Record<string, string>,
    values: (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>,
  };
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export { ExpressionError };
