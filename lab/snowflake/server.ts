// The Snowflake stand-in: a node:http server on loopback speaking the SQL API (POST /api/v2/statements,
// GET /api/v2/statements/{handle}, POST .../{handle}/cancel), so that a client runs DDL and external
// function calls against an account with no Snowflake account. It authenticates as Snowflake does,
// keeps a catalog of integrations, functions and stages, reaches AWS (the lab's IAM stand-in) to assume roles,
// injects faults on demand and logs every request for assertions.
// https://docs.snowflake.com/en/developer-guide/sql-api/reference: the three operations, their query
//   parameters (requestId, async, nullable, partition) and statuses; "Request headers for all operations"
//   (Authorization, Content-Type, Accept, User-Agent); 415 for a Content-Type other than application/json.
// https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests ("Resubmitting a request"): the
//   same requestId with retry=true does not run again a statement that succeeded; one that failed runs again.
// Answers are checked against Snowflake's published OpenAPI file by test/contract/sql-api-contract.test.ts.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type IamStandIn, mayAssumeRole } from '../iam';
import { Account, type AccountPrivilege, type NewUser } from './account';
import { type Authority, authenticate, type Caller, Refused } from './auth';
import {
  Catalog,
  type FunctionRecord,
  type IntegrationRecord,
  type PipeRecord,
  type StageRecord,
} from './catalog';
import {
  invalidPayload,
  missingUserAgent,
  roleNotGranted,
  type SnowflakeError,
  tooManyRequests,
  unknownHandle,
  unsupportedMediaType,
} from './errors';
import { type SnowflakeFault, SnowflakeFaultPlan } from './faults';
import { type Answer, type Execution, type StatementRecord, StatementRunner, statusUrl } from './runner';
import type { Binding, Session, Workspace } from './session';
import type { Grammar } from './sql/cursor';

/** How the stand-in starts. */
export interface SnowflakeStandInOptions {
  /** The account locator (JWT `iss` may use it; prefix of external ids); default XY12345. */
  accountLocator?: string;
  /** The organization and account name: `ORG-ACCOUNT` is the other form a JWT may use; default MYORG-MYACCOUNT. */
  organization?: string;
  accountName?: string;
  /** The account's one IAM user; default arn:aws:iam::123456789001:user/abc1-b-self1234. */
  iamUserArn?: string;
  /** The IAM stand-in whose trust policies decide AssumeRole; without it every role is assumed. */
  iam?: IamStandIn;
  /** How long a trust policy must be in force before Snowflake's AssumeRole sees it, in ms; default 0. */
  propagationMs?: number;
  /** How long a statement may run before the synchronous answer becomes 202; default 45 s as Snowflake's. */
  asyncAfterMs?: number;
  /** Clock skew allowed on JWT times, in ms; default 60 s. */
  clockSkewMs?: number;
  /** How long a call to an external function's URL may take, in ms; default 10 s. */
  remoteTimeoutMs?: number;
  /** Where the grammar is looser than the documented one (upgrade tests of releases that sent such SQL). */
  grammar?: Grammar;
}

/** One request as the stand-in saw it. */
export interface SnowflakeCall {
  method: string;
  path: string;
  at: number;
  requestId?: string;
  retry: boolean;
  statement?: string;
  user?: string;
  status?: number;
  code?: string;
  /** Why authentication refused the request (Snowflake does not say; the lab does, here only). */
  refusal?: string;
  fault?: SnowflakeFault;
}

/** One AssumeRole that Snowflake's IAM user attempted. */
export interface AssumeAttempt {
  roleArn: string;
  externalId: string;
  allowed: boolean;
  reason?: string;
  at: number;
}

const STATEMENTS = '/api/v2/statements';
const MAX_BODY_BYTES = 1024 * 1024;

/** A running Snowflake stand-in. Start it with `SnowflakeStandIn.start()`; close it with `close()`. */
export class SnowflakeStandIn {
  /** Faults waiting for the next requests. */
  readonly faults = new SnowflakeFaultPlan();
  /** Every request received, in order. */
  readonly calls: SnowflakeCall[] = [];
  /** Every AssumeRole of the account's IAM user, in order. */
  readonly assumeAttempts: AssumeAttempt[] = [];
  /** How long a trust policy must be in force before AssumeRole sees it, in ms. */
  propagationMs: number;
  private readonly account = new Account();
  private readonly catalog: Catalog;
  private readonly runner: StatementRunner;
  private readonly authority: Authority;

  private constructor(
    private readonly server: Server,
    private readonly options: SnowflakeStandInOptions,
    /** The base URL to give a client as its lab endpoint, e.g. http://127.0.0.1:43123 */
    readonly endpoint: string,
  ) {
    this.propagationMs = options.propagationMs ?? 0;
    const locator = options.accountLocator ?? 'XY12345';
    this.catalog = new Catalog(
      locator,
      options.iamUserArn ?? 'arn:aws:iam::123456789001:user/abc1-b-self1234',
    );
    const space: Workspace = {
      account: this.account,
      catalog: this.catalog,
      accountName: locator,
      remote: {
        assumeRole: (roleArn, externalId) => this.assumeRole(roleArn, externalId),
        remoteTimeoutMs: options.remoteTimeoutMs ?? 10_000,
      },
    };
    this.runner = new StatementRunner(space, this.faults, options.grammar);
    this.authority = {
      account: this.account,
      accountIdentifiers: [
        locator,
        `${options.organization ?? 'MYORG'}-${options.accountName ?? 'MYACCOUNT'}`,
      ],
      clockSkewMs: options.clockSkewMs ?? 60_000,
      loginFailures: new Map(),
    };
  }

  /** Starts a stand-in on 127.0.0.1 with an ephemeral port. */
  static async start(options: SnowflakeStandInOptions = {}): Promise<SnowflakeStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new SnowflakeStandIn(server, options, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void standIn.serve(req, res));
    return standIn;
  }

  /** The account identifiers a key-pair JWT may carry: the locator and ORG-ACCOUNT. */
  get accountIdentifiers(): readonly string[] {
    return this.authority.accountIdentifiers;
  }

  /** The account's one IAM user, shown by DESCRIBE INTEGRATION. */
  get iamUserArn(): string {
    return this.catalog.iamUserArn;
  }

  /** Every statement that ran, in order (a retry answered from its first run is not here twice). */
  get executions(): readonly Execution[] {
    return this.runner.executions;
  }

  /** Creates (or replaces) a service user, with its keys and roles. */
  createUser(user: NewUser): void {
    this.account.createUser(user);
  }

  /** ALTER USER ... SET/UNSET RSA_PUBLIC_KEY[_2]. */
  setPublicKey(user: string, slot: 'RSA_PUBLIC_KEY' | 'RSA_PUBLIC_KEY_2', pem: string | undefined): void {
    this.account.setPublicKey(user, slot, pem);
  }

  /** `RSA_PUBLIC_KEY_FP` and `RSA_PUBLIC_KEY_2_FP` as DESC USER shows them. */
  fingerprints(user: string): { RSA_PUBLIC_KEY?: string; RSA_PUBLIC_KEY_2?: string } {
    return { ...this.account.user(user)?.keys };
  }

  /** Issues a programmatic access token for the user; returns its secret. */
  addProgrammaticAccessToken(user: string, expiresInMs?: number): string {
    return this.account.addProgrammaticAccessToken(user, expiresInMs);
  }

  /** Revokes a programmatic access token. */
  revokeProgrammaticAccessToken(secret: string): void {
    this.account.revokeProgrammaticAccessToken(secret);
  }

  /** Creates a role with account privileges (ACCOUNTADMIN and PUBLIC exist already). */
  createRole(name: string, privileges: readonly AccountPrivilege[] = []): void {
    this.account.createRole(name, privileges);
  }

  /** GRANT (true) or REVOKE (false) an account privilege. */
  setPrivilege(role: string, privilege: AccountPrivilege, granted: boolean): void {
    this.account.setPrivilege(role, privilege, granted);
  }

  /** Creates a warehouse (COMPUTE_WH exists already). */
  createWarehouse(name: string): void {
    this.account.createWarehouse(name);
  }

  /** Creates a database with schemas (PUBLIC always). */
  createDatabase(name: string, schemas: readonly string[] = []): void {
    this.catalog.createDatabase(name, schemas);
  }

  /** SYSTEM$GET_LOGIN_FAILURE_DETAILS('<id>'): why the sign-in refused with that id was refused. */
  loginFailureDetails(id: string): string | undefined {
    return this.authority.loginFailures.get(id);
  }

  /** The integration as stored, or undefined. */
  integration(name: string): IntegrationRecord | undefined {
    return this.catalog.integration(name);
  }

  /** Every integration, for assertions. */
  integrations(): IntegrationRecord[] {
    return this.catalog.integrations();
  }

  /** Every external function, for assertions. */
  functions(): FunctionRecord[] {
    return this.catalog.allFunctions();
  }

  /** Every stage, for assertions. */
  stages(): StageRecord[] {
    return this.catalog.allStages();
  }

  /**
   * Every external table, and whether the stage it was made on still exists (by id): re-creating a stage
   * breaks "the association between the stage and any external table that references it" (create-stage,
   * usage notes). Snowflake's own error for querying such a table is not modelled.
   */
  externalTables(): Array<{ name: string; stageLinked: boolean }> {
    return this.catalog.allExternalTables().map((table) => ({
      name: `${table.database}.${table.schema}.${table.name}`,
      stageLinked: this.catalog.stageById(table.stageId) !== undefined,
    }));
  }

  /** Every pipe, for assertions. */
  pipes(): PipeRecord[] {
    return this.catalog.allPipes();
  }

  /** Stops the server; statements still running never answer. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private assumeRole(roleArn: string, externalId: string): boolean {
    const iam = this.options.iam;
    const decision =
      iam === undefined
        ? { allowed: true as const }
        : mayAssumeRole(
            iam,
            { principalArn: this.catalog.iamUserArn, roleArn, externalId },
            { propagationMs: this.propagationMs },
          );
    this.assumeAttempts.push({
      roleArn,
      externalId,
      allowed: decision.allowed,
      ...(decision.allowed ? {} : { reason: decision.reason }),
      at: Date.now(),
    });
    return decision.allowed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const call: SnowflakeCall = {
      method: req.method ?? '',
      path: url.pathname,
      at: Date.now(),
      retry: url.searchParams.get('retry') === 'true',
    };
    this.calls.push(call);
    const text = await readBody(req);
    const route = routeOf(req.method ?? '', url.pathname);
    if (route === undefined) return send(res, call, { status: 404, body: { message: 'Not found' } });
    const fault = this.faults.take(route.kind === 'submit' ? 'submit' : 'poll');
    if (fault !== undefined) {
      call.fault = fault;
      if (fault === 'DropConnection') return void res.socket?.destroy();
      return send(res, call, faultAnswer(fault));
    }
    const caller = this.caller(req, call);
    if (caller instanceof Refused) return send(res, call, refusal(caller.error));
    call.user = caller.user.name;
    const headerRefusal = requestHeadersRefusal(req, route);
    if (headerRefusal !== undefined) return send(res, call, refusal(headerRefusal));
    if (route.kind === 'submit') return send(res, call, await this.submit(url, text, caller, call));
    const record = this.runner.statement(route.handle);
    if (record === undefined) {
      return send(res, call, refusal(unknownHandle(route.handle), 422, route.handle));
    }
    if (route.kind === 'cancel') return send(res, call, this.cancel(record));
    send(res, call, record.answer ?? this.runner.inProgress(record));
  }

  private caller(req: IncomingMessage, call: SnowflakeCall): Caller | Refused {
    try {
      return authenticate(
        req.headers.authorization,
        header(req, 'x-snowflake-authorization-token-type'),
        this.authority,
      );
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      call.refusal = error.why;
      return error;
    }
  }

  private async submit(url: URL, text: string, caller: Caller, call: SnowflakeCall): Promise<Answer> {
    const request = parseRequest(text);
    if (request === undefined) return refusal(invalidPayload());
    call.statement = request.statement;
    const requestId = url.searchParams.get('requestId') ?? randomUUID();
    call.requestId = requestId;
    // A resubmit answers from a run that succeeded or is still running; a failed one runs again.
    const earlier = call.retry ? this.runner.submitted(requestId) : undefined;
    if (earlier !== undefined && earlier.answer === undefined) return this.runner.inProgress(earlier);
    if (earlier?.answer?.status === 200) return earlier.answer;
    const role = request.role ?? caller.user.defaultRole;
    if (!caller.user.roles.has(role)) return refusal(roleNotGranted(role), 422, randomUUID());
    const session: Session = {
      user: caller.user,
      role,
      warehouse: request.warehouse ?? caller.user.defaultWarehouse,
      database: request.database,
      schema: request.schema,
      bindings: request.bindings,
    };
    const record = this.runner.start(request.statement, session, requestId, request.timeout);
    if (url.searchParams.get('async') === 'true') return this.runner.inProgress(record);
    return this.answerWithin(record, this.options.asyncAfterMs ?? 45_000);
  }

  // The answer if the statement finishes in time, else 202 and the client polls.
  private async answerWithin(record: StatementRecord, ms: number): Promise<Answer> {
    const timer = new AbortController();
    await Promise.race([record.finished, sleep(ms, undefined, { signal: timer.signal }).catch(() => {})]);
    timer.abort();
    return record.answer ?? this.runner.inProgress(record);
  }

  private cancel(record: StatementRecord): Answer {
    this.runner.cancel(record);
    return {
      status: 200,
      body: {
        code: '000000',
        sqlState: '00000',
        message: 'successfully canceled',
        statementHandle: record.handle,
        statementStatusUrl: statusUrl(record.handle),
      },
    };
  }
}

type Route = { kind: 'submit' } | { kind: 'poll' | 'cancel'; handle: string };

function routeOf(method: string, path: string): Route | undefined {
  if (method === 'POST' && path === STATEMENTS) return { kind: 'submit' };
  const match = /^\/api\/v2\/statements\/([\w-]+)(\/cancel)?$/.exec(path);
  if (match?.[1] === undefined) return undefined;
  if (method === 'GET' && match[2] === undefined) return { kind: 'poll', handle: match[1] };
  if (method === 'POST' && match[2] !== undefined) return { kind: 'cancel', handle: match[1] };
  return undefined;
}

interface StatementRequest {
  statement: string;
  timeout: number | undefined;
  role: string | undefined;
  warehouse: string | undefined;
  database: string | undefined;
  schema: string | undefined;
  bindings: Record<string, Binding>;
}

// The body as the SQL API reads it; undefined for anything that is not (390142).
function parseRequest(text: string): StatementRequest | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const fields = body as Record<string, unknown>;
  const optional = (name: string) =>
    typeof fields[name] === 'string' ? (fields[name] as string) : undefined;
  if (typeof fields.statement !== 'string' || fields.statement.trim() === '') return undefined;
  if (fields.timeout !== undefined && (typeof fields.timeout !== 'number' || fields.timeout < 0))
    return undefined;
  return {
    statement: fields.statement,
    timeout: fields.timeout as number | undefined,
    role: optional('role'),
    warehouse: optional('warehouse'),
    database: optional('database'),
    schema: optional('schema'),
    bindings: (typeof fields.bindings === 'object' && fields.bindings !== null
      ? fields.bindings
      : {}) as Record<string, Binding>,
  };
}

// A 422 carries a statementHandle (the reference's QueryFailureStatus requires one); other refusals do not.
function refusal(error: SnowflakeError, status = error.status, statementHandle?: string): Answer {
  return {
    status,
    body: {
      code: error.code,
      message: error.message,
      ...(error.sqlState === undefined ? {} : { sqlState: error.sqlState }),
      ...(statementHandle === undefined ? {} : { statementHandle }),
    },
  };
}

// "Request headers for all operations": a User-Agent always; a body only as application/json (else 415).
function requestHeadersRefusal(req: IncomingMessage, route: Route): SnowflakeError | undefined {
  if (!header(req, 'user-agent')) return missingUserAgent();
  const type = header(req, 'content-type');
  if (route.kind === 'submit' && type !== undefined && !/^application\/json\b/i.test(type)) {
    return unsupportedMediaType(type);
  }
  return undefined;
}

function faultAnswer(fault: Exclude<SnowflakeFault, 'DropConnection'>): Answer {
  if (fault === 'TooManyRequests') return refusal(tooManyRequests());
  return { status: 503, body: { code: '000000', message: 'Service Unavailable' } };
}

function send(res: ServerResponse, call: SnowflakeCall, answer: Answer): void {
  call.status = answer.status;
  if (typeof answer.body.code === 'string') call.code = answer.body.code;
  if (res.destroyed) return;
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
