// The SQL API as Snowflake publishes it (test/contract/sqlapi.yaml, from snowflakedb/snowflake-rest-api-specs)
// judges both sides of our protocol: every request our client sends and every answer the stand-in gives pass
// through a recording proxy and are checked against the spec's paths, query parameters, headers, status codes
// and body schemas. A difference fails the test unless test/contract/allow-list.ts names it with its page.
// The spec's schemas carry no error codes: those stay judged by the pages (lab/README.md, "Assumptions").

import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Ajv, { type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { authenticatorFor } from '../../handler/snowflake/client/credentials';
import { parseConnectionSecret } from '../../handler/snowflake/client/settings';
import { sql } from '../../handler/snowflake/client/sql';
import { SqlApiClient } from '../../handler/snowflake/client/sql-api';
import { fingerprintOf, SnowflakeStandIn } from '../../lab/snowflake';
import { keyPairJwt, newKeyPair, submit } from '../lab/snowflake-helpers';
import { testKeyPair } from '../snowflake/keys';
import { ALLOWED_DIFFERENCES } from './allow-list';

type Json = Record<string, unknown>;

interface Exchange {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number;
  answer: unknown;
}

const spec = parse(readFileSync(new URL('./sqlapi.yaml', import.meta.url), 'utf8')) as Json;
const components = spec.components as Json;
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
// ALLOWED_DIFFERENCES.relativeStatusUrl: the pages answer a path where the spec says uri.
ajv.addFormat('uri', (value: string) => /^(https:\/\/[^\s]+|\/api\/v2\/statements\/[^\s]+)$/.test(value));
const TOKEN_TYPES_IN_SPEC = new Set(
  JSON.stringify(components.securitySchemes).match(/\b[A-Z]+(?:_[A-Z]+)+\b/g) ?? [],
);

/** Follows `$ref: '#/components/…'` to the object it names. */
function resolve(value: unknown): Json {
  const ref = (value as Json | undefined)?.$ref;
  if (typeof ref !== 'string') return (value ?? {}) as Json;
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<Json>((node, key) => node[key] as Json, spec);
}

/** Inlines every $ref, so that ajv sees one self-contained schema. */
function inline(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inline);
  if (typeof value !== 'object' || value === null) return value;
  if ('$ref' in value) return inline(resolve(value));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, inline(item)]));
}

const validators = new Map<string, ValidateFunction>();
function validator(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(inline(schema) as object);
    validators.set(key, validate);
  }
  return validate;
}

/** The spec's path template that the path matches, with its path item. */
function pathItem(path: string): { template: string; item: Json } | undefined {
  for (const [template, item] of Object.entries(spec.paths as Json)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(path)) return { template, item: item as Json };
  }
  return undefined;
}

/** Every difference between one exchange and the spec; empty when they agree. */
function differences(exchange: Exchange, side: 'request' | 'answer' | 'both' = 'both'): string[] {
  const found: string[] = [];
  const where = `${exchange.method} ${exchange.path}`;
  const matched = pathItem(exchange.path);
  if (!matched) return [`${where}: no such path in the spec`];
  const operation = matched.item[exchange.method.toLowerCase()] as Json | undefined;
  if (!operation) return [`${where}: the spec has no ${exchange.method} for ${matched.template}`];
  const parameters = ((matched.item.parameters as unknown[]) ?? []).map(resolve);
  if (side !== 'answer') found.push(...requestDifferences(exchange, operation, parameters, where));
  if (side !== 'request') found.push(...answerDifferences(exchange, operation, where));
  return found;
}

function requestDifferences(
  exchange: Exchange,
  operation: Json,
  parameters: Json[],
  where: string,
): string[] {
  const found: string[] = [];
  for (const [name, value] of exchange.query) {
    const parameter = parameters.find((p) => p.in === 'query' && p.name === name);
    if (name === 'retry' && exchange.method === 'POST' && value === 'true') continue; // allow-list: retryParameter
    if (!parameter) {
      found.push(`${where}: query parameter ${name} is not in the spec`);
      continue;
    }
    const schema = parameter.schema as Json;
    const typed = schema.type === 'boolean' ? value === 'true' || value === 'false' : value;
    const parsed =
      schema.type === 'integer' ? Number(value) : schema.type === 'boolean' ? value === 'true' : value;
    if (typed === false || !validator(schema)(parsed))
      found.push(`${where}: ${name}=${value} is not a ${schema.type}`);
  }
  for (const parameter of parameters.filter((p) => p.in === 'header')) {
    const value = exchange.headers[String(parameter.name).toLowerCase()];
    if (parameter.required && !value) found.push(`${where}: required header ${parameter.name} is missing`);
  }
  const tokenType = exchange.headers['x-snowflake-authorization-token-type'];
  if (tokenType !== undefined && !TOKEN_TYPES_IN_SPEC.has(String(tokenType))) {
    found.push(`${where}: token type ${tokenType} is not one the spec names`);
  }
  if (!/^Bearer \S+$/.test(String(exchange.headers.authorization ?? ''))) {
    found.push(`${where}: Authorization is not a bearer token (every security scheme is bearer)`);
  }
  const body = resolve(operation.requestBody);
  const schema = ((body.content as Json | undefined)?.['application/json'] as Json | undefined)
    ?.schema as Json;
  if (operation.requestBody && exchange.body === undefined) found.push(`${where}: the request has no body`);
  if (schema && exchange.body !== undefined) {
    const validate = validator(schema);
    if (!validate(exchange.body)) found.push(`${where}: request body ${ajv.errorsText(validate.errors)}`);
    const known = Object.keys((schema.properties as Json) ?? {});
    for (const field of Object.keys(exchange.body as Json)) {
      if (!known.includes(field)) found.push(`${where}: request body field ${field} is not in the spec`);
    }
  }
  if (
    exchange.body !== undefined &&
    !String(exchange.headers['content-type']).startsWith('application/json')
  ) {
    found.push(`${where}: a body sent as ${exchange.headers['content-type']}, not application/json`);
  }
  return found;
}

function answerDifferences(exchange: Exchange, operation: Json, where: string): string[] {
  const responses = operation.responses as Json;
  // ALLOWED_DIFFERENCES.timeoutWhilePolled: a poll may find the statement timed out, as a submit may.
  const allowed = exchange.method === 'GET' && exchange.status === 408 ? (spec.paths as Json) : undefined;
  const submit = ((allowed?.['/api/v2/statements'] as Json | undefined)?.post as Json | undefined)
    ?.responses as Json;
  const response = responses[String(exchange.status)] ?? submit?.['408'];
  if (!response) return [`${where}: status ${exchange.status} is not one the spec lists`];
  const content = (resolve(response).content as Json | undefined)?.['application/json'] as Json | undefined;
  if (!content?.schema) return [];
  const validate = validator(content.schema);
  return validate(exchange.answer)
    ? []
    : [`${where} ${exchange.status}: answer body ${ajv.errorsText(validate.errors)}`];
}

// The recording proxy between our client and the stand-in.
let snowflake: SnowflakeStandIn;
let proxyUrl: string;
let closeProxy: () => Promise<void>;
const exchanges: Exchange[] = [];

async function startProxy(target: string): Promise<void> {
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(incoming.url ?? '/', target);
    const headers = Object.fromEntries(
      Object.entries(incoming.headers).filter(
        ([name]) => !['host', 'content-length', 'connection'].includes(name),
      ),
    ) as Record<string, string>;
    const answer = await fetch(url, { method: incoming.method, headers, ...(text ? { body: text } : {}) });
    const answerText = await answer.text();
    exchanges.push({
      method: incoming.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body: text ? JSON.parse(text) : undefined,
      status: answer.status,
      answer: answerText ? JSON.parse(answerText) : undefined,
    });
    outgoing.writeHead(answer.status, { 'Content-Type': 'application/json' });
    outgoing.end(answerText);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeProxy = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

const KEY = testKeyPair();
const FAST = { retry: { attempts: 3, baseMs: 1, maxMs: 5 }, poll: { firstMs: 20, maxMs: 40 } };

function keyPairClient(options: ConstructorParameters<typeof SqlApiClient>[2] = {}): SqlApiClient {
  const settings = parseConnectionSecret(
    JSON.stringify({
      account: 'XY12345.us-east-1',
      user: 'svc',
      privateKey: KEY.pkcs8,
      role: 'ACCOUNTADMIN',
    }),
    'contract',
  );
  return new SqlApiClient(settings, authenticatorFor(settings), {
    endpointOverride: proxyUrl,
    ...FAST,
    ...options,
  });
}

function tokenClient(): SqlApiClient {
  const token = snowflake.addProgrammaticAccessToken('SVC');
  const settings = parseConnectionSecret(
    JSON.stringify({ account: 'myorg-myaccount', user: 'svc', token, warehouse: 'COMPUTE_WH' }),
    'contract',
  );
  return new SqlApiClient(settings, authenticatorFor(settings), { endpointOverride: proxyUrl, ...FAST });
}

beforeAll(async () => {
  snowflake = await SnowflakeStandIn.start({ asyncAfterMs: 100 });
  snowflake.createUser({
    name: 'SVC',
    roles: ['ACCOUNTADMIN'],
    rsaPublicKey: KEY.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  await startProxy(snowflake.endpoint);
});

beforeEach(() => {
  exchanges.length = 0;
  snowflake.faults.clear();
});

afterAll(async () => {
  await closeProxy();
  await snowflake.close();
});

const CREATE = sql`CREATE API INTEGRATION "CONTRACT_API" API_PROVIDER = aws_api_gateway API_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/snowflake' API_ALLOWED_PREFIXES = ('https://x.execute-api.us-east-1.amazonaws.com/prod/') ENABLED = TRUE`;

describe("the SQL API contract: our client and the stand-in against Snowflake's published spec", () => {
  it('agrees on a statement that succeeds, signed in with a key pair', async () => {
    await keyPairClient().execute(sql`SHOW INTEGRATIONS`);

    expect(exchanges.map((e) => `${e.method} ${e.status}`)).toEqual(['POST 200']);
    expect(exchanges.flatMap((e) => differences(e))).toEqual([]);
  });

  it('agrees on a statement that succeeds, signed in with a programmatic access token', async () => {
    await tokenClient().execute(sql`SHOW INTEGRATIONS`);

    expect(exchanges[0]?.headers['x-snowflake-authorization-token-type']).toBe('PROGRAMMATIC_ACCESS_TOKEN');
    expect(exchanges.flatMap((e) => differences(e))).toEqual([]);
  });

  it('agrees on a statement answered 202 and polled to its end', async () => {
    snowflake.faults.slowStatements(300);

    await keyPairClient().execute(CREATE);
    await keyPairClient().execute(sql`DROP INTEGRATION IF EXISTS "CONTRACT_API"`);

    expect(exchanges.map((e) => `${e.method} ${e.status}`)).toContain('GET 202');
    expect(exchanges.map((e) => `${e.method} ${e.status}`)).toContain('GET 200');
    expect(exchanges.flatMap((e) => differences(e))).toEqual([]);
  });

  it('agrees on a statement that fails (422), one that times out (408) and its cancel', async () => {
    await expect(keyPairClient().execute(sql`DESCRIBE INTEGRATION "NO_SUCH"`)).rejects.toThrow();
    snowflake.faults.slowStatements(3000);
    const client = keyPairClient({ statementTimeoutSeconds: 1, timeoutGraceMs: 200 });
    await expect(client.execute(CREATE)).rejects.toThrow();

    const seen = exchanges.map((e) => `${e.method} ${e.status}`);
    expect(seen[0]).toBe('POST 422');
    expect(seen).toContain('GET 408');
    expect(exchanges.flatMap((e) => differences(e))).toEqual([]);
  });

  it('agrees on a resubmit after 429, sending retry=true only then (allow-list: retryParameter)', async () => {
    snowflake.faults.tooManyRequests({ on: 'submit' });

    await keyPairClient().execute(sql`SHOW INTEGRATIONS`);

    expect(exchanges.map((e) => `${e.status} ${e.query.get('retry')}`)).toEqual(['429 null', '200 true']);
    expect(exchanges.flatMap((e) => differences(e))).toEqual([]);
  });

  it("agrees on the stand-in's cancel, and on a poll of a handle it does not know", async () => {
    snowflake.faults.slowStatements(2000);
    const headers = {
      Authorization: `Bearer ${keyPairJwt('XY12345', 'SVC', { privateKey: KEY.privateKey, publicKeyPem: '', fingerprint: fingerprintOf(KEY.publicKey.export({ type: 'spki', format: 'pem' }).toString()) })}`,
      'X-Snowflake-Authorization-Token-Type': 'KEYPAIR_JWT',
      'User-Agent': 'contract/1.0',
      Accept: 'application/json',
    };
    const submitted = await fetch(`${proxyUrl}/api/v2/statements?async=true`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ statement: 'SHOW INTEGRATIONS', role: 'ACCOUNTADMIN' }),
    });
    const { statementHandle } = (await submitted.json()) as { statementHandle: string };
    await fetch(`${proxyUrl}/api/v2/statements/${statementHandle}/cancel`, { method: 'POST', headers });
    await fetch(`${proxyUrl}/api/v2/statements/01b2c3d4-0000-4000-8000-000000000000`, { headers });

    expect(exchanges.map((e) => `${e.method} ${e.status}`)).toEqual(['POST 202', 'POST 200', 'GET 422']);
    expect(exchanges.flatMap((e) => differences(e))).toEqual([]);
  });

  it('agrees on a refused sign-in (401)', async () => {
    const other = newKeyPair();
    exchanges.push(await exchangeOf(keyPairJwt('XY12345', 'SVC', other), 'KEYPAIR_JWT'));

    expect(exchanges[0]?.status).toBe(401);
    expect(differences(exchanges[0] as Exchange, 'answer')).toEqual([]);
  });

  it.each([
    ['a path the spec does not have', { path: '/api/v2/statement' }, /no such path/],
    [
      'a query parameter the spec does not have',
      { query: 'requestId=7f0b7c2e-8a8e-4f4b-9a53-0d4ad2e3b1a1&retries=3' },
      /retries is not in the spec/,
    ],
    ['a requestId that is not a UUID', { query: 'requestId=abc' }, /requestId=abc is not a string/],
    [
      'a body field the spec does not have',
      { body: { statement: 'SHOW INTEGRATIONS', timeout_s: 3 } },
      /timeout_s is not in the spec/,
    ],
    ['a negative timeout', { body: { statement: 'x', timeout: -1 } }, /must be >= 0/],
    [
      'an undocumented token type',
      { tokenType: 'WORKLOAD_IDENTITY' },
      /WORKLOAD_IDENTITY is not one the spec names/,
    ],
    ['no User-Agent', { userAgent: '' }, /required header User-Agent is missing/],
    ['a status the spec does not list', { status: 409 }, /status 409 is not one the spec lists/],
    ['a 200 whose rows hold numbers', { answer: { data: [[1]] } }, /data\/data\/0\/0 must be string/],
    [
      'a 422 without its statementHandle',
      { status: 422, answer: { code: '002003', message: 'x' } },
      /must have required property 'statementHandle'/,
    ],
  ])('fails on %s', (_case, change, expected) => {
    const base: Exchange = {
      method: 'POST',
      path: '/api/v2/statements',
      query: new URLSearchParams('requestId=7f0b7c2e-8a8e-4f4b-9a53-0d4ad2e3b1a1'),
      headers: {
        authorization: 'Bearer x.y.z',
        'content-type': 'application/json',
        'user-agent': 'snowflake-trust-link/0.1',
        'x-snowflake-authorization-token-type': 'KEYPAIR_JWT',
      },
      body: { statement: 'SHOW INTEGRATIONS' },
      status: 200,
      answer: { statementHandle: '7f0b7c2e-8a8e-4f4b-9a53-0d4ad2e3b1a1' },
    };
    const c = change as Partial<Record<string, unknown>>;
    const exchange: Exchange = {
      ...base,
      ...(c.path ? { path: String(c.path) } : {}),
      ...(c.query ? { query: new URLSearchParams(String(c.query)) } : {}),
      ...(c.body ? { body: c.body } : {}),
      ...(c.status ? { status: Number(c.status) } : {}),
      ...(c.answer ? { answer: c.answer } : {}),
      headers: {
        ...base.headers,
        ...(c.tokenType ? { 'x-snowflake-authorization-token-type': String(c.tokenType) } : {}),
        ...(c.userAgent === '' ? { 'user-agent': undefined } : {}),
      },
    };

    expect(differences(exchange).join('\n')).toMatch(expected);
    expect(differences(base)).toEqual([]);
  });

  it('keeps each allowed difference tied to a documentation page', () => {
    for (const allowed of Object.values(ALLOWED_DIFFERENCES)) {
      expect(allowed.page).toMatch(/^https:\/\/docs\.snowflake\.com\/en\/developer-guide\/sql-api\//);
    }
  });
});

async function exchangeOf(token: string, tokenType: string): Promise<Exchange> {
  const reply = await submit(snowflake.endpoint, 'SHOW INTEGRATIONS', { token, tokenType });
  return {
    method: 'POST',
    path: '/api/v2/statements',
    query: new URLSearchParams(),
    headers: {},
    body: { statement: 'SHOW INTEGRATIONS' },
    status: reply.status,
    answer: reply.body,
  };
}
