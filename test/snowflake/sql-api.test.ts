import { afterEach, describe, expect, it, vi } from 'vitest';
import { authenticatorFor } from '../../handler/snowflake/client/credentials';
import {
  JwtRejectedError,
  NotAuthorizedError,
  SnowflakeDeadlineError,
  SnowflakeUnavailableError,
  StatementFailedError,
  StatementTimeoutError,
  UnexpectedResponseError,
} from '../../handler/snowflake/client/errors';
import { describeProperties } from '../../handler/snowflake/client/results';
import { type ConnectionSettings, parseConnectionSecret } from '../../handler/snowflake/client/settings';
import { identifier, sql, stringLiteral } from '../../handler/snowflake/client/sql';
import { SqlApiClient, type SqlApiOptions, statementSummary } from '../../handler/snowflake/client/sql-api';
import {
  type FakeSqlApi,
  type RecordedRequest,
  type Reply,
  resultSet,
  startFakeSqlApi,
  stillRunning,
} from './fake-sql-api';
import { testKeyPair } from './keys';

const PAT = 'pat-secret-value';
const FAST: SqlApiOptions = {
  retry: { attempts: 3, baseMs: 1, maxMs: 5 },
  poll: { firstMs: 1, maxMs: 4 },
  timeoutGraceMs: 0,
};
const DESCRIBE = sql`DESCRIBE INTEGRATION ${identifier('echo_integration')}`;

let api: FakeSqlApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
  vi.restoreAllMocks();
});

function settings(fields: Record<string, string> = {}): ConnectionSettings {
  const secret = {
    account: 'myorg-myaccount',
    user: 'svc',
    token: PAT,
    role: 'link_role',
    warehouse: 'wh',
    ...fields,
  };
  return parseConnectionSecret(JSON.stringify(secret), 'snowflake/connection');
}

async function clientAnswering(
  answer: (request: RecordedRequest, index: number) => Reply | Promise<Reply>,
  options: SqlApiOptions = {},
  connection: ConnectionSettings = settings(),
): Promise<SqlApiClient> {
  api = await startFakeSqlApi(answer);
  return new SqlApiClient(connection, authenticatorFor(connection), {
    ...FAST,
    endpointOverride: api.url,
    ...options,
  });
}

function requests(): RecordedRequest[] {
  return api?.requests ?? [];
}

const describeResult = resultSet(
  ['property', 'property_type', 'property_value', 'property_default'],
  [['API_AWS_EXTERNAL_ID', 'String', 'MYACCOUNT_SFCRole=2_abc=', '']],
);

describe('SqlApiClient.execute', () => {
  it('posts the statement with a requestId and no retry flag, the credentials and the session settings', async () => {
    const client = await clientAnswering(() => describeResult);

    const result = await client.execute(DESCRIBE);

    expect(describeProperties(result).get('API_AWS_EXTERNAL_ID')).toBe('MYACCOUNT_SFCRole=2_abc=');
    const [post] = requests();
    expect(post?.method).toBe('POST');
    expect(post?.path).toBe('/api/v2/statements');
    expect(post?.query.get('requestId')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(post?.query.has('retry')).toBe(false);
    expect([...(post?.query.keys() ?? [])]).toEqual(['requestId']);
    expect(post?.headers).toMatchObject({
      authorization: `Bearer ${PAT}`,
      'x-snowflake-authorization-token-type': 'PROGRAMMATIC_ACCESS_TOKEN',
      accept: 'application/json',
      'content-type': 'application/json',
      'user-agent': expect.stringMatching(/^snowflake-trust-link\//),
    });
    expect(post?.body).toEqual({
      statement: 'DESCRIBE INTEGRATION "ECHO_INTEGRATION"',
      timeout: 120,
      role: 'LINK_ROLE',
      warehouse: 'WH',
    });
  });

  it('leaves role and warehouse to the user’s defaults when the secret names none', async () => {
    const client = await clientAnswering(() => describeResult, {}, settings({ role: '', warehouse: '' }));

    await client.execute(DESCRIBE, { timeoutSeconds: 30 });

    expect(requests()[0]?.body).toEqual({
      statement: 'DESCRIBE INTEGRATION "ECHO_INTEGRATION"',
      timeout: 30,
    });
  });

  it('sends a signed key-pair JWT when the secret holds a private key', async () => {
    const connection = settings({ token: '', privateKey: testKeyPair().pkcs8 });
    const client = await clientAnswering(() => describeResult, {}, connection);

    await client.execute(DESCRIBE);

    const headers = requests()[0]?.headers;
    expect(headers?.['x-snowflake-authorization-token-type']).toBe('KEYPAIR_JWT');
    expect(headers?.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('polls a statement answered 202 by its handle until it is done', async () => {
    const client = await clientAnswering((_, index) =>
      index < 4 ? stillRunning('01b-slow') : describeResult,
    );

    const result = await client.execute(DESCRIBE);

    expect(result.rows).toHaveLength(1);
    expect(requests().map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /api/v2/statements',
      'GET /api/v2/statements/01b-slow',
      'GET /api/v2/statements/01b-slow',
      'GET /api/v2/statements/01b-slow',
      'GET /api/v2/statements/01b-slow',
    ]);
    expect(requests()[1]?.headers.authorization).toBe(`Bearer ${PAT}`);
  });

  it('keeps polling a long-running statement for as long as its timeout allows', async () => {
    const client = await clientAnswering((_, index) => (index < 60 ? stillRunning() : describeResult), {
      poll: { firstMs: 1, maxMs: 1 },
    });

    await client.execute(DESCRIBE);

    expect(requests()).toHaveLength(61);
  });

  it('resubmits after 429 and 5xx with the same requestId and retry=true, so Snowflake runs it once', async () => {
    const replies: Reply[] = [
      { status: 429, body: { code: '390505', message: 'Too many requests.' } },
      { status: 503, raw: '<html>Service Unavailable</html>' },
      describeResult,
    ];
    const client = await clientAnswering((_, index) => replies[index] ?? describeResult);

    await client.execute(DESCRIBE);

    const ids = requests().map((request) => request.query.get('requestId'));
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    expect(requests().map((request) => request.query.get('retry'))).toEqual([null, 'true', 'true']);
  });

  it('uses a new requestId for each statement', async () => {
    const client = await clientAnswering(() => describeResult);

    await client.execute(DESCRIBE);
    await client.execute(DESCRIBE);

    const [first, second] = requests().map((request) => request.query.get('requestId'));
    expect(first).not.toBe(second);
  });

  it('retries when the network cuts the connection, while posting and while polling', async () => {
    const replies: Reply[] = ['cut', stillRunning(), 'cut', describeResult];
    const client = await clientAnswering((_, index) => replies[index] ?? describeResult);

    await client.execute(DESCRIBE);

    expect(requests().map((request) => request.method)).toEqual(['POST', 'POST', 'GET', 'GET']);
  });

  it('retries a request that hangs past its own timeout', async () => {
    const client = await clientAnswering(
      (_, index) => (index === 0 ? { ...describeResult, delayMs: 500 } : describeResult),
      {
        requestTimeoutMs: 50,
      },
    );

    await client.execute(DESCRIBE);

    expect(requests()).toHaveLength(2);
  });

  it('gives up after the bounded retries of a 429 storm, saying what it saw', async () => {
    const client = await clientAnswering(() => ({
      status: 429,
      body: { code: '390505', message: 'Too many requests.' },
    }));

    const running = client.execute(DESCRIBE);

    await expect(running).rejects.toThrow(SnowflakeUnavailableError);
    await expect(running).rejects.toThrow(
      'Snowflake did not answer DESCRIBE INTEGRATION "ECHO_INTEGRATION" after 3 tries (last: HTTP 429 390505 Too many requests.)',
    );
    expect(requests()).toHaveLength(3);
  });

  it('gives up after the bounded retries when the network keeps failing', async () => {
    const client = await clientAnswering(() => 'cut');

    await expect(client.execute(DESCRIBE)).rejects.toThrow(
      /after 3 tries \(last: network error: TypeError: fetch failed/,
    );
  });

  it('cancels the statement it gives up polling, so that it cannot act after the failure', async () => {
    const client = await clientAnswering((request) => {
      if (request.path.endsWith('/cancel')) return { status: 200, body: { code: '000604' } };
      return request.method === 'POST' ? stillRunning('01b-running') : 'cut';
    });

    await expect(client.execute(DESCRIBE)).rejects.toThrow(
      /after 3 tries \(last: network error: .*\. Statement 01b-running was cancelled\.$/,
    );
    expect(requests().at(-1)?.path).toBe('/api/v2/statements/01b-running/cancel');
  });

  it('says the statement it gave up polling may still act when the cancel fails too', async () => {
    const client = await clientAnswering((request) =>
      request.method === 'POST' && !request.path.endsWith('/cancel') ? stillRunning('01b-running') : 'cut',
    );

    await expect(client.execute(DESCRIBE)).rejects.toThrow(
      'Statement 01b-running could not be cancelled: it may still take effect in Snowflake.',
    );
  });

  it('fetches every partition of a large result', async () => {
    const first = resultSet(['n'], [['1'], ['2']], '01b-big') as {
      status: number;
      body: Record<string, unknown>;
    };
    const meta = first.body.resultSetMetaData as Record<string, unknown>;
    meta.partitionInfo = [{ rowCount: 2 }, { rowCount: 1 }, { rowCount: 1 }];
    const client = await clientAnswering((request) => {
      const partition = request.query.get('partition');
      return partition ? { status: 200, body: { data: [[`p${partition}`]] } } : first;
    });

    const result = await client.execute(sql`SHOW INTEGRATIONS`);

    expect(result.rows).toEqual([['1'], ['2'], ['p1'], ['p2']]);
    expect(requests()[1]?.path).toBe('/api/v2/statements/01b-big');
  });

  it('refuses a 202 without a handle to poll', async () => {
    const client = await clientAnswering(() => ({ status: 202, body: { code: '333334' } }));

    await expect(client.execute(DESCRIBE)).rejects.toThrow(UnexpectedResponseError);
  });

  it('never writes the token or the JWT to the logs', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const connection = settings({ token: '', privateKey: testKeyPair().pkcs8 });
    const replies: Reply[] = [{ status: 503 }, stillRunning(), describeResult];
    const client = await clientAnswering((_, index) => replies[index] ?? describeResult, {}, connection);

    await client.execute(sql`ALTER API INTEGRATION "X" SET API_KEY = ${stringLiteral('key-value-1')}`);

    const jwt = String(requests()[0]?.headers.authorization).replace('Bearer ', '');
    const logs = written.join('');
    expect(logs).toContain('Snowflake statement done');
    expect(logs).toContain('Snowflake retry');
    expect(logs).not.toContain(jwt);
    expect(logs).not.toContain(jwt.split('.')[1]);
    expect(logs).not.toContain('key-value-1');
    expect(logs).not.toContain('PRIVATE KEY');
  });
});

describe('SqlApiClient.execute: refusals', () => {
  it('explains 390144 with the iss sent and the fingerprint computed', async () => {
    const connection = settings({ token: '', privateKey: testKeyPair().pkcs8 });
    const client = await clientAnswering(
      () => ({ status: 401, body: { code: '390144', message: 'JWT token is invalid.' } }),
      {},
      connection,
    );

    const running = client.execute(DESCRIBE);

    await expect(running).rejects.toThrow(JwtRejectedError);
    await expect(running).rejects.toThrow(
      /iss "MYORG-MYACCOUNT\.SVC\.SHA256:.+=".*DESC USER SVC.*RSA_PUBLIC_KEY_FP/,
    );
    expect(requests()).toHaveLength(1);
  });

  it('explains 002003 with the privilege the role needs', async () => {
    const client = await clientAnswering(() => ({
      status: 422,
      body: {
        code: '002003',
        sqlState: '02000',
        message: "SQL compilation error:\nIntegration 'ECHO_INTEGRATION' does not exist or not authorized.",
        statementHandle: '01b-x',
      },
    }));

    const running = client.execute(DESCRIBE);

    await expect(running).rejects.toThrow(NotAuthorizedError);
    await expect(running).rejects.toThrow(
      /role LINK_ROLE may not see it .*USAGE \(or OWNERSHIP\) of the integration/s,
    );
  });

  it('names the privilege the caller gives', async () => {
    const client = await clientAnswering(() => ({ status: 422, body: { code: '002003', message: 'no' } }));

    await expect(client.execute(DESCRIBE, { privilege: 'OWNERSHIP of ECHO' })).rejects.toThrow(
      'OWNERSHIP of ECHO',
    );
  });

  it('passes other SQL errors on with Snowflake’s code and words', async () => {
    const client = await clientAnswering(() => ({
      status: 422,
      body: { code: '000904', sqlState: '42000', message: "invalid identifier 'X'" },
    }));

    const running = client.execute(DESCRIBE);

    await expect(running).rejects.toThrow(StatementFailedError);
    await expect(running).rejects.toThrow(`000904 invalid identifier 'X', SQL state 42000`);
  });

  it('explains a 408 as the statement timeout', async () => {
    const client = await clientAnswering(() => ({
      status: 408,
      body: { code: '000630', message: 'timeout' },
    }));

    await expect(client.execute(DESCRIBE)).rejects.toThrow(StatementTimeoutError);
  });

  it('explains a 404 as the wrong address', async () => {
    const client = await clientAnswering(() => ({ status: 404, raw: 'Not Found' }));

    await expect(client.execute(DESCRIBE)).rejects.toThrow(/HTTP 404.*"account" and "host"/);
  });
});

describe('SqlApiClient.execute: deadlines', () => {
  it('stops at the caller’s deadline while polling, and asks Snowflake to cancel', async () => {
    const controller = new AbortController();
    const client = await clientAnswering((request, index) => {
      if (request.path.endsWith('/cancel')) return { status: 200, body: { code: '000604' } };
      if (index === 3) controller.abort(new Error('deadline'));
      return stillRunning('01b-long');
    });

    const running = client.execute(DESCRIBE, { signal: controller.signal });

    await expect(running).rejects.toThrow(SnowflakeDeadlineError);
    await expect(running).rejects.toThrow(/time ran out .*\(statement 01b-long, cancelled\)/);
    expect(requests().at(-1)?.path).toBe('/api/v2/statements/01b-long/cancel');
    expect(requests().at(-1)?.method).toBe('POST');
  });

  it('stops at a deadline that comes before any handle, with nothing to cancel', async () => {
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    const client = await clientAnswering(() => describeResult);

    await expect(client.execute(DESCRIBE, { signal: controller.signal })).rejects.toThrow(
      /time ran out while Snowflake was running DESCRIBE INTEGRATION "ECHO_INTEGRATION"; it may still/,
    );
    expect(requests()).toHaveLength(0);
  });

  it('gives up at the statement timeout, cancels, and says so even if the cancel fails', async () => {
    const client = await clientAnswering((request) =>
      request.path.endsWith('/cancel') ? { status: 500 } : stillRunning('01b-stuck'),
    );

    const running = client.execute(DESCRIBE, { timeoutSeconds: 0.05 });

    await expect(running).rejects.toThrow(StatementTimeoutError);
    await expect(running).rejects.toThrow(
      /within its 0.05 s timeout \(statement 01b-stuck, cancel not confirmed\)/,
    );
    expect(requests()[0]?.body).toMatchObject({ timeout: 1 });
  });

  it('says the cancel was not confirmed when the cancel itself cannot reach Snowflake', async () => {
    const client = await clientAnswering((request) =>
      request.path.endsWith('/cancel') ? 'cut' : stillRunning('01b-s'),
    );

    await expect(client.execute(DESCRIBE, { timeoutSeconds: 0.05 })).rejects.toThrow('cancel not confirmed');
  });
});

describe('statementSummary', () => {
  it.each([
    ['DESCRIBE INTEGRATION "X"', 'DESCRIBE INTEGRATION "X"'],
    [
      `CREATE OR REPLACE API INTEGRATION "A""B" API_PROVIDER = aws_api_gateway API_KEY = 'k'`,
      'CREATE OR REPLACE API INTEGRATION "A""B"',
    ],
    [`SELECT "DB"."S"."ECHO"('hello')`, 'SELECT "DB"."S"."ECHO"'],
    ['  show\n integrations', 'show integrations'],
    [`'literal first'`, 'statement'],
  ])('summarises %j as %j, never a literal', (statement, summary) => {
    expect(statementSummary(statement)).toBe(summary);
  });

  it('shortens a very long summary', () => {
    expect(statementSummary(`SELECT "${'x'.repeat(300)}"`)).toHaveLength(201);
  });
});
