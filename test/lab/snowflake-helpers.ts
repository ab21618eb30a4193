// What the Snowflake stand-in's tests share: key pairs, key-pair JWTs signed with node:crypto, and a
// plain-fetch client of the SQL API.
import { createHash, createPublicKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An RSA key pair, its public half as PEM and its fingerprint as Snowflake computes it. */
export interface KeyPair {
  privateKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
}

/** A new 2048-bit RSA key pair. */
export function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return {
    privateKey,
    publicKeyPem,
    fingerprint: `SHA256:${createHash('sha256').update(der).digest('base64')}`,
  };
}

/** Claims to put in a key-pair JWT; by default those Snowflake documents, issued now for an hour. */
export interface JwtClaims {
  iss?: string;
  sub?: string;
  iat?: number;
  exp?: number;
}

/** A key-pair JWT for `<account>.<user>`, signed RS256 with `signer` (default the key whose fingerprint is in iss). */
export function keyPairJwt(
  account: string,
  user: string,
  key: KeyPair,
  overrides: JwtClaims = {},
  signer: KeyObject = key.privateKey,
): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: `${account}.${user}.${key.fingerprint}`,
    sub: `${account}.${user}`,
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(signer).toString('base64url')}`;
}

/** How a test calls the SQL API. */
export interface Submission {
  token: string;
  tokenType?: string;
  role?: string;
  warehouse?: string;
  database?: string;
  schema?: string;
  timeout?: number;
  query?: Record<string, string>;
  bindings?: Record<string, { type: string; value: string }>;
}

/** An answer of the SQL API: status and JSON body. */
export interface Reply {
  status: number;
  body: {
    code?: string;
    message?: string;
    sqlState?: string;
    statementHandle?: string;
    data?: Array<Array<string | null>>;
    resultSetMetaData?: { numRows: number; format: string; rowType: Array<{ name: string; type: string }> };
  };
}

/** POST /api/v2/statements with `statement`. */
export async function submit(endpoint: string, statement: string, how: Submission): Promise<Reply> {
  const { token, tokenType, query, ...fields } = how;
  const url = new URL('/api/v2/statements', endpoint);
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': 'snowflake-trust-link-tests/1.0',
      ...(tokenType === undefined ? {} : { 'X-Snowflake-Authorization-Token-Type': tokenType }),
    },
    body: JSON.stringify({ statement, ...fields }),
  });
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}

/** GET /api/v2/statements/{handle}. */
export async function poll(endpoint: string, handle: string, token: string): Promise<Reply> {
  const response = await fetch(new URL(`/api/v2/statements/${handle}`, endpoint), {
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
  });
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}

/** DESCRIBE INTEGRATION's rows as property → value. */
export function described(reply: Reply): Record<string, string | null> {
  return Object.fromEntries((reply.body.data ?? []).map((row) => [row[0] ?? '', row[2] ?? null]));
}

/** A loopback HTTP service that answers like the echo Lambda behind API Gateway: each row's first argument back. */
export interface EchoService {
  url: string;
  batches: unknown[];
  /** The status to answer with; 200 by default. */
  status: number;
  close(): Promise<void>;
}

/** Starts an echo service on 127.0.0.1. */
export async function startEcho(): Promise<EchoService> {
  const batches: unknown[] = [];
  const service: EchoService = { url: '', batches, status: 200, close: async () => {} };
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: unknown[][] };
    batches.push(batch);
    const body =
      service.status === 200
        ? { data: batch.data.map((row) => [row[0], row[1]]) }
        : { message: 'Internal server error' };
    res.writeHead(service.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod/echo`;
  service.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return service;
}
