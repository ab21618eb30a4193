import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SnowflakeStandIn } from '../../lab/snowflake';
import {
  type KeyPair,
  keyPairJwt,
  newKeyPair,
  poll,
  type Reply,
  type Submission,
  submit,
} from './snowflake-helpers';

const CREATE = `CREATE API INTEGRATION slow_api API_PROVIDER = aws_api_gateway
  API_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/snowflake' API_ALLOWED_PREFIXES = ('https://x/') ENABLED = TRUE`;
let snowflake: SnowflakeStandIn;
let key: KeyPair;

function token(): string {
  return keyPairJwt('XY12345', 'ADMIN', key);
}

function run(statement: string, extra: Partial<Submission> = {}): Promise<Reply> {
  return submit(snowflake.endpoint, statement, { token: token(), ...extra });
}

async function pollUntilDone(handle: string): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let i = 0; i < 50; i += 1) {
    const reply = await poll(snowflake.endpoint, handle, token());
    replies.push(reply);
    if (reply.status !== 202) return replies;
    await sleep(20);
  }
  return replies;
}

beforeAll(async () => {
  key = newKeyPair();
  snowflake = await SnowflakeStandIn.start({ asyncAfterMs: 100 });
  snowflake.createUser({ name: 'ADMIN', rsaPublicKey: key.publicKeyPem, roles: ['ACCOUNTADMIN'] });
});

afterEach(async () => {
  snowflake.faults.clear();
  await run('DROP INTEGRATION IF EXISTS slow_api');
});

afterAll(async () => {
  await snowflake.close();
});

describe('Snowflake stand-in: slow statements and polling', () => {
  it('answers 202 333334 for a statement slower than asyncAfterMs, then 200 on a later poll', async () => {
    snowflake.faults.slowStatements(300);

    const accepted = await run(CREATE);
    const polls = await pollUntilDone(accepted.body.statementHandle ?? '');

    expect(accepted).toMatchObject({ status: 202, body: { code: '333334' } });
    expect(polls.at(0)?.status).toBe(202);
    expect(polls.at(-1)).toMatchObject({
      status: 200,
      body: { data: [['Integration SLOW_API successfully created.']] },
    });
  });

  it('answers 202 at once with async=true', async () => {
    const accepted = await run(CREATE, { query: { async: 'true' } });
    const polls = await pollUntilDone(accepted.body.statementHandle ?? '');

    expect(accepted.status).toBe(202);
    expect(polls.at(-1)?.status).toBe(200);
  });

  it('answers 408 when the statement outlasts its timeout, and never applies it', async () => {
    snowflake.faults.slowStatements(1500);

    const accepted = await run(CREATE, { timeout: 1 });
    const polls = await pollUntilDone(accepted.body.statementHandle ?? '');
    await sleep(600);

    expect(polls.at(-1)).toMatchObject({ status: 408, body: { code: '000630', sqlState: '57014' } });
    expect(snowflake.integration('SLOW_API')).toBeUndefined();
  });

  it('cancels a running statement, which then never acts', async () => {
    snowflake.faults.slowStatements(300);
    const accepted = await run(CREATE, { query: { async: 'true' } });
    const handle = accepted.body.statementHandle ?? '';

    const cancelled = await fetch(`${snowflake.endpoint}/api/v2/statements/${handle}/cancel`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token()}` },
    });
    await sleep(400);
    const after = await poll(snowflake.endpoint, handle, token());

    expect(cancelled.status).toBe(200);
    expect(after).toMatchObject({ status: 422, body: { code: '000604' } });
    expect(snowflake.integration('SLOW_API')).toBeUndefined();
  });

  it('answers 422 000709 for a handle it does not know', async () => {
    const reply = await poll(snowflake.endpoint, '01b2c3d4-0000-0000-0000-000000000000', token());

    expect(reply.body.code).toBe('000709');
  });
});

describe('Snowflake stand-in: idempotent retries', () => {
  it('runs a statement once when it is retried with the same requestId and retry=true', async () => {
    const requestId = '7f0b7c2e-8a8e-4f4b-9a53-0d4ad2e3b1a1';

    const first = await run(CREATE, { query: { requestId } });
    const retried = await run(CREATE, { query: { requestId, retry: 'true' } });

    expect(first.status).toBe(200);
    expect(retried.body).toEqual(first.body);
    expect(snowflake.executions.filter((e) => e.requestId === requestId)).toHaveLength(1);
  });

  it('runs a statement again when the same requestId comes without retry=true', async () => {
    const requestId = '0c6f0e39-1f2b-4d8e-8d55-1b3c6f1f2a77';

    await run(CREATE, { query: { requestId } });
    const again = await run(CREATE, { query: { requestId } });

    expect(again.body.code).toBe('002002');
    expect(snowflake.executions.filter((e) => e.requestId === requestId)).toHaveLength(2);
  });

  it('runs a failed statement again when it is resubmitted with retry=true, and answers the new run', async () => {
    const requestId = '9a1d2c3b-4e5f-4a6b-8c7d-1e2f3a4b5c6d';
    await run(CREATE);

    const failed = await run(CREATE, { query: { requestId } });
    await run('DROP INTEGRATION slow_api');
    const retried = await run(CREATE, { query: { requestId, retry: 'true' } });

    expect(failed.body.code).toBe('002002');
    expect(retried.status).toBe(200);
    expect(retried.body.statementHandle).not.toBe(failed.body.statementHandle);
    expect(snowflake.executions.filter((e) => e.requestId === requestId)).toHaveLength(2);
  });

  it('answers a retry of a statement still running with 202 for the same handle', async () => {
    snowflake.faults.slowStatements(300);
    const requestId = '5d3b8c1a-2e4f-4a6b-8c9d-0e1f2a3b4c5d';

    const first = await run(CREATE, { query: { requestId } });
    const retried = await run(CREATE, { query: { requestId, retry: 'true' } });
    await pollUntilDone(first.body.statementHandle ?? '');

    expect(retried).toMatchObject({ status: 202, body: { statementHandle: first.body.statementHandle } });
    expect(snowflake.executions.filter((e) => e.requestId === requestId)).toHaveLength(1);
  });
});

describe('Snowflake stand-in: faults', () => {
  it('answers 429 390505 on demand, then serves', async () => {
    snowflake.faults.tooManyRequests({ times: 2 });

    const replies = [
      await run('SHOW INTEGRATIONS'),
      await run('SHOW INTEGRATIONS'),
      await run('SHOW INTEGRATIONS'),
    ];

    expect(replies.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(replies[0]?.body).toEqual({ code: '390505', message: 'Too many requests.' });
    expect(snowflake.faults.injected).toBeGreaterThanOrEqual(2);
  });

  it('answers 503 on demand', async () => {
    snowflake.faults.serviceUnavailable();

    expect((await run('SHOW INTEGRATIONS')).status).toBe(503);
  });

  it('cuts the connection while polling, and the statement still finishes', async () => {
    snowflake.faults.slowStatements(200);
    const accepted = await run(CREATE, { query: { async: 'true' } });
    snowflake.faults.dropConnection({ on: 'poll' });

    const cut = await poll(snowflake.endpoint, accepted.body.statementHandle ?? '', token()).then(
      () => 'answered',
      () => 'cut',
    );
    const polls = await pollUntilDone(accepted.body.statementHandle ?? '');

    expect(cut).toBe('cut');
    expect(polls.at(-1)?.status).toBe(200);
    expect(snowflake.integration('SLOW_API')).toBeDefined();
  });

  it('does not run a statement whose submission is cut', async () => {
    snowflake.faults.dropConnection({ on: 'submit' });

    const outcome = await run(CREATE).then(
      () => 'answered',
      () => 'cut',
    );

    expect(outcome).toBe('cut');
    expect(snowflake.integration('SLOW_API')).toBeUndefined();
  });
});

describe('Snowflake stand-in: who the session is', () => {
  it('answers CURRENT_USER() and CURRENT_ROLE() with the signed-in user and the request role', async () => {
    snowflake.createRole('OPS');
    snowflake.createUser({ name: 'MULTI', rsaPublicKey: key.publicKeyPem, roles: ['ACCOUNTADMIN', 'OPS'] });
    const multi = keyPairJwt('XY12345', 'MULTI', key);

    const both = await run('SELECT CURRENT_USER(), CURRENT_ROLE()');
    const asOps = await submit(snowflake.endpoint, 'SELECT CURRENT_ROLE(), CURRENT_USER()', {
      token: multi,
      role: 'OPS',
    });

    expect(both).toMatchObject({ status: 200, body: { data: [['ADMIN', 'ACCOUNTADMIN']] } });
    expect(asOps).toMatchObject({ status: 200, body: { data: [['OPS', 'MULTI']] } });
    expect(asOps.body.resultSetMetaData?.rowType?.map((c) => c.name)).toEqual([
      'CURRENT_ROLE()',
      'CURRENT_USER()',
    ]);
  });

  it.each(['SELECT CURRENT_USER', 'SELECT CURRENT_USER(1)', 'SELECT CURRENT_USER(), NOW()'])(
    'refuses %s as a syntax error',
    async (statement) => {
      expect(await run(statement)).toMatchObject({ status: 422, body: { code: '001003' } });
    },
  );
});
