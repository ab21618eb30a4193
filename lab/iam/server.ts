// The IAM stand-in: a node:http server on loopback speaking IAM's Query protocol, so that the real
// @aws-sdk/client-iam works against it (`endpoint`, or AWS_ENDPOINT_URL_IAM). It keeps a log of
// the calls, injects faults on demand and lets tests read and write the stored trust policies.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { runAction } from './actions';
import { IamError } from './errors';
import { type FaultKind, FaultPlan, faultError } from './faults';
import { type NewRole, RoleStore } from './store';
import { errorXml, type RoleRecord, type RoleTag } from './xml';

/** How the stand-in starts. */
export interface IamStandInOptions {
  /** The account the roles live in; default 123456789012. */
  accountId?: string;
  /** IAM user or role ARNs, or account ids, that exist besides this account's own. */
  knownPrincipals?: readonly string[];
  /** The trust-policy quota in characters without whitespace; default 2048 (IAM allows raising it to 4096). */
  trustPolicyQuota?: number;
}

/** One call as the stand-in saw it. */
export interface IamCall {
  action: string;
  roleName: string | undefined;
  /** When it arrived, in ms since the epoch. */
  at: number;
  requestId: string;
  /** The HTTP status answered; undefined while unanswered. */
  status?: number;
  /** The IAM error code answered, if any. */
  errorCode?: string;
  /** The fault injected into this call, if any. */
  fault?: FaultKind;
}

const MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_ACCOUNT_ID = '123456789012';

/** A running IAM stand-in. Start it with `IamStandIn.start()`; close it with `close()`. */
export class IamStandIn {
  /** Faults waiting for the next calls. */
  readonly faults = new FaultPlan();
  /** Every call received, in order of arrival. */
  readonly calls: IamCall[] = [];
  // Each hung call's continuation: true acts on the request, false drops it.
  private readonly hung = new Map<(act: boolean) => void, ServerResponse>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly store: RoleStore,
    /** The base URL to give the SDK, e.g. http://127.0.0.1:43123 */
    readonly endpoint: string,
  ) {}

  /** Starts a stand-in on 127.0.0.1 with an ephemeral port. */
  static async start(options: IamStandInOptions = {}): Promise<IamStandIn> {
    const store = new RoleStore(options.accountId ?? DEFAULT_ACCOUNT_ID, options.trustPolicyQuota);
    for (const principal of options.knownPrincipals ?? []) store.addKnownPrincipal(principal);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new IamStandIn(server, store, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void standIn.serve(req, res));
    server.on('connection', (socket) => {
      standIn.sockets.add(socket);
      socket.on('close', () => standIn.sockets.delete(socket));
    });
    return standIn;
  }

  /** The account the roles live in. */
  get accountId(): string {
    return this.store.accountId;
  }

  /** Makes a principal exist (an IAM user or role ARN, or an account id), so policies may name it. */
  addKnownPrincipal(principal: string): void {
    this.store.addKnownPrincipal(principal);
  }

  /** Makes a principal stop existing, as when the IAM user is deleted. */
  removeKnownPrincipal(principal: string): void {
    this.store.removeKnownPrincipal(principal);
  }

  /** Creates a role directly, with IAM's checks on its trust policy. */
  createRole(role: NewRole): RoleRecord {
    return this.store.createRole(role);
  }

  /** Deletes a role directly, as someone outside the stack might. */
  deleteRole(roleName: string): void {
    this.store.deleteRole(roleName);
  }

  /** The role as stored, or undefined. */
  role(roleName: string): RoleRecord | undefined {
    return this.store.roleNames().includes(roleName) ? this.store.getRole(roleName) : undefined;
  }

  /** The stored trust policy as JSON text (not encoded), or undefined when the role does not exist. */
  trustPolicyText(roleName: string): string | undefined {
    return this.role(roleName)?.assumeRolePolicyDocument;
  }

  /** The stored trust policy, parsed, or undefined when the role does not exist. */
  trustPolicy(roleName: string): TrustPolicy | undefined {
    const text = this.trustPolicyText(roleName);
    return text === undefined ? undefined : (JSON.parse(text) as TrustPolicy);
  }

  /** Replaces a trust policy directly (with IAM's checks), as a person in the console would. */
  setTrustPolicy(roleName: string, policy: string | object): void {
    this.store.updateTrustPolicy(roleName, typeof policy === 'string' ? policy : JSON.stringify(policy));
  }

  /** The role's tags as stored, or undefined when the role does not exist. */
  tags(roleName: string): RoleTag[] | undefined {
    const tags = this.role(roleName)?.tags;
    return tags === undefined ? undefined : [...tags];
  }

  /** Adds tags directly (with IAM's checks), as a person in the console would. */
  tagRole(roleName: string, tags: readonly RoleTag[]): void {
    this.store.tagRole(roleName, tags);
  }

  /** Removes tags directly, as a person in the console would. */
  untagRole(roleName: string, keys: readonly string[]): void {
    this.store.untagRole(roleName, keys);
  }

  /** The role's trust policy as it stood at `at` (ms since the epoch); undefined if the role did not exist then. */
  trustPolicyAt(roleName: string, at: number): string | undefined {
    return this.store.trustPolicyAt(roleName, at);
  }

  /** The calls of one action, optionally on one role. */
  callsOf(action: string, roleName?: string): IamCall[] {
    return this.calls.filter(
      (c) => c.action === action && (roleName === undefined || c.roleName === roleName),
    );
  }

  /**
   * Lets every hung call go on: IAM acts on it, even when its caller has given up meanwhile (a write
   * that lands late), and answers it if the caller still listens.
   */
  release(): void {
    for (const resume of this.hung.keys()) resume(true);
    this.hung.clear();
  }

  /** Cuts every hung call off without acting on it, as a connection lost before IAM read the request. */
  dropHung(): void {
    for (const [resume, res] of this.hung) {
      res.destroy();
      resume(false);
    }
    this.hung.clear();
  }

  /** Stops the server; hung calls are cut off without being acted on. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.dropHung();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const params = await readParams(req).catch(() => new URLSearchParams());
    const call: IamCall = {
      action: params.get('Action') ?? '',
      roleName: params.get('RoleName') ?? undefined,
      at: Date.now(),
      requestId,
    };
    this.calls.push(call);
    const fault = this.faults.take(call.action, call.roleName);
    if (fault !== undefined) call.fault = fault;
    if (fault === 'Hang' && !(await new Promise<boolean>((resume) => this.hung.set(resume, res)))) return;
    if (this.faults.delay > 0) await sleep(this.faults.delay);
    // IAM has the whole request: it acts on it even if the caller has gone; only the answer is lost then.
    const answer = this.answer(req, params, requestId, fault);
    call.status = answer.status;
    if (answer.errorCode !== undefined) call.errorCode = answer.errorCode;
    if (res.destroyed) return;
    res.writeHead(answer.status, {
      'x-amzn-RequestId': requestId,
      'Content-Type': 'text/xml',
      'Content-Length': Buffer.byteLength(answer.xml),
      Date: new Date().toUTCString(),
    });
    res.end(answer.xml);
  }

  private answer(
    req: IncomingMessage,
    params: URLSearchParams,
    requestId: string,
    fault: FaultKind | undefined,
  ): { status: number; xml: string; errorCode?: string } {
    try {
      if (fault !== undefined && fault !== 'Hang') throw faultError(fault);
      checkSigned(req);
      return { status: 200, xml: runAction(this.store, params, requestId, this.faults.staleness) };
    } catch (error) {
      const iamError =
        error instanceof IamError
          ? error
          : new IamError('ServiceFailure', 500, 'Internal failure.', 'Receiver');
      return { status: iamError.status, xml: errorXml(iamError, requestId), errorCode: iamError.code };
    }
  }
}

/** A trust policy as tests read it back. */
export interface TrustPolicy {
  Version?: string;
  Statement: TrustStatement[] | TrustStatement;
}

/** One statement of a trust policy. */
export interface TrustStatement {
  Sid?: string;
  Effect: string;
  Principal?: { AWS?: string | string[]; [key: string]: unknown } | string;
  Action: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

async function readParams(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk as Buffer);
  }
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  for (const [key, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
    params.set(key, value);
  return params;
}

// IAM refuses unsigned requests; the stand-in checks that a SigV4 signature for IAM is there, not its value.
function checkSigned(req: IncomingMessage): void {
  const authorization = req.headers.authorization ?? '';
  if (authorization === '') {
    throw new IamError('MissingAuthenticationToken', 403, 'Request is missing Authentication Token');
  }
  if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[\w-]+\/iam\/aws4_request/.test(authorization)) {
    throw new IamError(
      'IncompleteSignature',
      403,
      'The request signature does not conform to AWS standards.',
    );
  }
}
