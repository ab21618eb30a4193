import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as echo } from '../../../handler/echo/index';
import { authenticatorFor } from '../../../handler/snowflake/client/credentials';
import { parseConnectionSecret } from '../../../handler/snowflake/client/settings';
import { identifier, keyword, sql } from '../../../handler/snowflake/client/sql';
import { SqlApiClient } from '../../../handler/snowflake/client/sql-api';
import { apiIntegration } from '../../../handler/snowflake/resources/api-integration';
import {
  changeOf,
  createFunction,
  deleteFunction,
  FunctionExistsError,
  FunctionGrantsError,
  functionPhysicalId,
  parseFunctionPhysicalId,
  updateFunction,
} from '../../../handler/snowflake/resources/external-function';
import { DATA_TYPES, parseFunctionProperties } from '../../../handler/snowflake/resources/function-spec';
import { createIntegration } from '../../../handler/snowflake/resources/integration';
import { ForeignStackError } from '../../../handler/snowflake/resources/ownership';
import { InvalidPropertiesError } from '../../../handler/snowflake/resources/properties';
import { ObjectHiddenError } from '../../../handler/snowflake/resources/session';
import { VerifyFailedError } from '../../../handler/snowflake/resources/verify';
import { linkedTrust } from '../../helpers/trust';
import { type Reply, resultSet, startFakeSqlApi } from '../fake-sql-api';
import {
  API_URL,
  connectAs,
  FAILED_CREATE,
  invocationFor,
  PLACEHOLDER_TRUST,
  ROLE_ARN,
  ROLE_NAME,
  type SnowflakeLab,
  startSnowflakeLab,
} from './lab';

let lab: SnowflakeLab;

const CONNECTION = { Connection: 'snowflake/connection' };
const PROPERTIES = {
  ...CONNECTION,
  Database: 'LAB',
  Schema: 'PUBLIC',
  FunctionName: 'echo',
  Arguments: 'value VARIANT',
  IntegrationName: 'ECHO_API',
  Url: `${API_URL}echo`,
  Verify: "'hello'",
};

let analyst: SqlApiClient;

beforeAll(async () => {
  lab = await startSnowflakeLab();
  lab.api.route('/echo-v2', (event) => echo(event));
  // A role of someone else's that uses the function: its grant must outlive every update.
  lab.snowflake.createRole('ANALYST_ROLE');
  lab.snowflake.createUser({ name: 'ANALYST', roles: ['ANALYST_ROLE'], defaultWarehouse: 'COMPUTE_WH' });
  const settings = parseConnectionSecret(
    JSON.stringify({
      account: 'MYORG-MYACCOUNT',
      user: 'ANALYST',
      token: lab.snowflake.addProgrammaticAccessToken('ANALYST'),
    }),
    'lab',
  );
  analyst = new SqlApiClient(settings, authenticatorFor(settings), {
    endpointOverride: lab.snowflake.endpoint,
    retry: { attempts: 1, baseMs: 1, maxMs: 1 },
  });
});

afterAll(async () => {
  await lab.close();
});

// A fresh integration (named `name`) whose external id the role trusts, or not.
async function integration(name: string, trusted: boolean): Promise<string> {
  const outcome = await createIntegration(
    apiIntegration,
    {
      ...CONNECTION,
      IntegrationName: name,
      ApiProvider: 'aws_api_gateway',
      RoleArn: ROLE_ARN,
      AllowedPrefixes: [API_URL],
    },
    invocationFor(lab, `Integration${name}`),
  );
  const externalId = outcome.data?.ExternalId ?? '';
  if (trusted) lab.iam.setTrustPolicy(ROLE_NAME, linkedTrust([externalId]));
  return externalId;
}

beforeEach(async () => {
  if (lab.iam.role(ROLE_NAME)) lab.iam.deleteRole(ROLE_NAME);
  lab.iam.createRole({ roleName: ROLE_NAME, trustPolicy: PLACEHOLDER_TRUST });
  lab.snowflake.propagationMs = 0;
  const client = await lab.connect({ secretId: 'x' }, new AbortController().signal);
  for (const { name, parameters } of lab.snowflake.functions()) {
    const types = parameters.map((p) => keyword(p.type, DATA_TYPES).text).join(', ');
    await client.execute(
      sql`DROP FUNCTION IF EXISTS "LAB"."PUBLIC".${identifier(`"${name}"`)}(${keyword(types, [types])})`,
    );
  }
  for (const { name } of lab.snowflake.integrations()) {
    await client.execute(sql`DROP INTEGRATION IF EXISTS ${identifier(`"${name}"`)}`);
  }
});

describe('Custom::SnowflakeExternalFunction', () => {
  it('creates the function and proves it with a call through the gateway', async () => {
    await integration('ECHO_API', true);
    const invocation = invocationFor(lab, 'ExternalFunction');

    const outcome = await createFunction(PROPERTIES, invocation);

    expect(outcome).toEqual({
      physicalResourceId:
        'SnowflakeExternalFunction:["LAB","PUBLIC","ECHO",["VARIANT"],["SVC","ACCOUNTADMIN"]]',
      data: { FunctionName: 'LAB.PUBLIC.ECHO', VerifyResult: '"hello"' },
    });
    expect(lab.api.calls.at(-1)).toMatchObject({
      apiId: 'a1b2c3d4e5',
      stage: 'prod',
      path: '/echo',
      status: 200,
    });
  });

  it('keeps calling while IAM propagates the trust, then succeeds', async () => {
    await integration('ECHO_API', true);
    lab.snowflake.propagationMs = 1500;
    const attempts = lab.snowflake.assumeAttempts.length;

    const outcome = await createFunction(
      PROPERTIES,
      invocationFor(lab, 'ExternalFunction', { verifyMs: 10_000 }),
    );

    expect(outcome.data?.VerifyResult).toBe('"hello"');
    const refused = lab.snowflake.assumeAttempts.slice(attempts).filter((a) => !a.allowed);
    expect(refused.length).toBeGreaterThan(0);
  });

  it('fails after its time, saying the link lacks the external id, and leaves an id whose Delete drops it', async () => {
    await integration('ECHO_API', false);
    const invocation = invocationFor(lab, 'ExternalFunction', { verifyMs: 1500 });
    const properties = { ...PROPERTIES, TrustedRoleArn: ROLE_ARN, TrustedExternalIds: 'OLD_SFCRole=2_abc' };

    const creating = createFunction(properties, invocation);

    await expect(creating).rejects.toThrow(VerifyFailedError);
    await expect(creating).rejects.toThrow(
      /the link trusts external id\(s\) OLD_SFCRole=2_abc, not the integration's/,
    );
    await deleteFunction(properties, invocation.failedPhysicalId, invocation);
    expect(lab.snowflake.functions()).toEqual([]);
  });

  it("fails at once when the call fails for a reason IAM's propagation cannot explain", async () => {
    await integration('ECHO_API', true);
    const properties = {
      ...PROPERTIES,
      Url: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/other/echo',
    };

    const creating = createFunction(properties, invocationFor(lab, 'ExternalFunction', { verifyMs: 60_000 }));

    await expect(creating).rejects.toThrow(/Verify: .*not allowed by API integration/);
  });

  it('refuses a function it did not create, and its marker id then drops nothing', async () => {
    await integration('ECHO_API', true);
    await createFunction(PROPERTIES, invocationFor(lab, 'Someone'));
    const invocation = invocationFor(lab, 'ExternalFunction');

    await expect(createFunction(PROPERTIES, invocation)).rejects.toThrow(FunctionExistsError);
    await deleteFunction(PROPERTIES, invocation.failedPhysicalId, invocation);

    expect(invocation.failedPhysicalId).toBe(FAILED_CREATE);
    expect(lab.snowflake.functions()).toHaveLength(1);
  });

  it('moves to a new integration only once a probe has called through it', async () => {
    await integration('ECHO_API', true);
    const invocation = invocationFor(lab, 'ExternalFunction');
    const created = await createFunction(PROPERTIES, invocation);
    const oldId = lab.snowflake.integration('ECHO_API')?.externalId ?? '';
    const newId = await integration('ECHO_API_2', false);
    // The trust IAM serves is the one written a propagation delay ago: let the first one be in force.
    await sleep(1100);
    lab.iam.setTrustPolicy(ROLE_NAME, linkedTrust([oldId, newId]));
    lab.snowflake.propagationMs = 1000;
    const next = { ...PROPERTIES, IntegrationName: 'ECHO_API_2' };

    const calls = callStream();
    const updated = await updateFunction(next, PROPERTIES, created.physicalResourceId, invocation);
    const answers = await calls.stop();

    expect(updated.physicalResourceId).toBe(created.physicalResourceId);
    expect(lab.snowflake.functions().map((f) => [f.name, f.integration])).toEqual([['ECHO', 'ECHO_API_2']]);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a !== '"x"')).toEqual([]);
  });

  it('sends no DDL when only TrustedExternalIds changes, and still proves the function with a call', async () => {
    const externalId = await integration('ECHO_API', true);
    const invocation = invocationFor(lab, 'ExternalFunction');
    const before = { ...PROPERTIES, TrustedRoleArn: ROLE_ARN, TrustedExternalIds: externalId };
    const created = await createFunction(before, invocation);
    await grantToAnalyst();
    const from = lab.snowflake.executions.length;

    const updated = await updateFunction(
      { ...before, TrustedExternalIds: `${externalId},OLD_ID` },
      before,
      created.physicalResourceId,
      invocation,
    );

    const ran = lab.snowflake.executions.slice(from).map((e) => e.statement);
    expect(ran.filter(isDdl)).toEqual([]);
    expect(ran).toContain(`SELECT "LAB"."PUBLIC"."ECHO"('hello')`);
    expect(updated.data?.VerifyResult).toBe('"hello"');
    expect(await analystCall()).toBe('"x"');
  });

  it('moves to a new integration with ALTER FUNCTION, not a re-create, and the grant another role holds stays', async () => {
    await integration('ECHO_API', true);
    const invocation = invocationFor(lab, 'ExternalFunction');
    const created = await createFunction(PROPERTIES, invocation);
    const newId = await integration('ECHO_API_2', false);
    lab.iam.setTrustPolicy(
      ROLE_NAME,
      linkedTrust([lab.snowflake.integration('ECHO_API')?.externalId ?? '', newId]),
    );
    await grantToAnalyst();
    const from = lab.snowflake.executions.length;

    await updateFunction(
      { ...PROPERTIES, IntegrationName: 'ECHO_API_2' },
      PROPERTIES,
      created.physicalResourceId,
      invocation,
    );

    const ddl = lab.snowflake.executions
      .slice(from)
      .map((e) => e.statement)
      .filter(isDdl);
    expect(ddl.filter((s) => !s.includes('ECHO_CFN_PROBE'))).toEqual([
      'ALTER FUNCTION "LAB"."PUBLIC"."ECHO"(VARIANT) SET API_INTEGRATION = "ECHO_API_2"',
    ]);
    expect(lab.snowflake.functions().map((f) => [f.name, f.integration])).toEqual([['ECHO', 'ECHO_API_2']]);
    expect(await analystCall()).toBe('"x"');
  });

  it.each([
    ['a new URL', { Url: `${API_URL}echo-v2` }],
    ['new argument names', { Arguments: 'v VARIANT' }],
    ['a new return type', { Returns: 'OBJECT' }],
  ])('re-creates the function for %s, and gives back the grant another role held', async (_case, change) => {
    await integration('ECHO_API', true);
    const invocation = invocationFor(lab, 'ExternalFunction');
    const created = await createFunction(PROPERTIES, invocation);
    await grantToAnalyst();
    const from = lab.snowflake.executions.length;

    const updated = await updateFunction(
      { ...PROPERTIES, ...change },
      PROPERTIES,
      created.physicalResourceId,
      invocation,
    );

    const ddl = lab.snowflake.executions
      .slice(from)
      .map((e) => e.statement)
      .filter(isDdl);
    expect(updated.physicalResourceId).toBe(created.physicalResourceId);
    expect(ddl.filter((s) => !s.includes('ECHO_CFN_PROBE'))).toEqual([
      expect.stringMatching(/^CREATE OR REPLACE EXTERNAL FUNCTION "LAB"\."PUBLIC"\."ECHO"\(/),
      'GRANT USAGE ON FUNCTION "LAB"."PUBLIC"."ECHO"(VARIANT) TO ROLE "ANALYST_ROLE"',
    ]);
    expect(lab.snowflake.functions()[0]?.grants.map((g) => g.role)).toEqual(['ANALYST_ROLE']);
    expect(await analystCall()).toBe('"x"');
  });

  it('gives the grants of the old function to one made for new argument types', async () => {
    await integration('ECHO_API', true);
    const invocation = invocationFor(lab, 'ExternalFunction');
    const created = await createFunction(PROPERTIES, invocation);
    await grantToAnalyst();
    const next = { ...PROPERTIES, Arguments: 'value VARCHAR', Verify: "'hello'" };

    const updated = await updateFunction(next, PROPERTIES, created.physicalResourceId, invocation);

    const made = lab.snowflake.functions().find((f) => f.parameters[0]?.type === 'VARCHAR');
    expect(updated.physicalResourceId).toBe(
      'SnowflakeExternalFunction:["LAB","PUBLIC","ECHO",["VARCHAR"],["SVC","ACCOUNTADMIN"]]',
    );
    expect(made?.grants.map((g) => [g.privilege, g.role])).toEqual([['USAGE', 'ANALYST_ROLE']]);
    expect(lab.snowflake.functions()).toHaveLength(2);
  });

  it.each([
    [{}, 'none'],
    [{ TrustedExternalIds: 'a,b', Verify: "'x'", Connection: 'other' }, 'none'],
    [{ IntegrationName: 'other' }, 'alter'],
    [{ Url: `${API_URL}x` }, 'recreate'],
    [{ Returns: 'OBJECT' }, 'recreate'],
    [{ Arguments: 'v VARIANT' }, 'recreate'],
  ])('reads %o as a change of kind %s', (change, kind) => {
    const old = parseFunctionProperties(PROPERTIES);

    expect(changeOf(old, parseFunctionProperties({ ...PROPERTIES, ...change }))).toBe(kind);
    expect(changeOf(undefined, old)).toBe('recreate');
  });

  it('refuses to re-create a function whose grants it cannot give back, and sends no DDL', async () => {
    const fake = await scripted((statement) =>
      statement.startsWith('SHOW GRANTS')
        ? grants([
            ['OWNERSHIP', 'ROLE', 'SVC_ROLE'],
            ['USAGE', 'DATABASE_ROLE', 'LAB.READERS'],
          ])
        : ok(),
    );

    const update = updateFunction(
      { ...PROPERTIES, Url: `${API_URL}echo-v2`, Verify: '' },
      { ...PROPERTIES, Verify: '' },
      'SnowflakeExternalFunction:["LAB","PUBLIC","ECHO",["VARIANT"]]',
      fake.invocation,
    );

    await expect(update).rejects.toThrow(FunctionGrantsError);
    await expect(update).rejects.toThrow(/USAGE to DATABASE_ROLE LAB\.READERS/);
    expect(fake.statements()).toEqual(['SHOW GRANTS ON FUNCTION "LAB"."PUBLIC"."ECHO"(VARIANT)']);
    await fake.close();
  });

  it('names the GRANT statements left to run when giving a grant back fails', async () => {
    const fake = await scripted((statement) => {
      if (statement.startsWith('SHOW GRANTS'))
        return grants([
          ['USAGE', 'ROLE', 'A'],
          ['USAGE', 'ROLE', 'B'],
        ]);
      if (statement.startsWith('GRANT'))
        return {
          status: 422,
          body: { code: '003001', message: 'Insufficient privileges', sqlState: '42501' },
        };
      return ok();
    });

    const update = updateFunction(
      { ...PROPERTIES, Returns: 'OBJECT', Verify: '' },
      { ...PROPERTIES, Verify: '' },
      'SnowflakeExternalFunction:["LAB","PUBLIC","ECHO",["VARIANT"]]',
      fake.invocation,
    );

    await expect(update).rejects.toThrow(FunctionGrantsError);
    await expect(update).rejects.toThrow(
      'Run as its owner: GRANT USAGE ON FUNCTION "LAB"."PUBLIC"."ECHO"(VARIANT) TO ROLE "A"; GRANT USAGE ON FUNCTION "LAB"."PUBLIC"."ECHO"(VARIANT) TO ROLE "B";',
    );
    await fake.close();
  });

  it('creates a renamed function beside the old one, and undoes it if its Verify fails', async () => {
    await integration('ECHO_API', true);
    const invocation = invocationFor(lab, 'ExternalFunction', { verifyMs: 1000 });
    const created = await createFunction(PROPERTIES, invocation);
    const renamed = { ...PROPERTIES, FunctionName: 'echo2' };

    const updated = await updateFunction(renamed, PROPERTIES, created.physicalResourceId, invocation);
    await deleteFunction(PROPERTIES, created.physicalResourceId, invocation);

    expect(updated.physicalResourceId).toBe(
      functionPhysicalId(
        {
          database: 'LAB',
          schema: 'PUBLIC',
          name: 'ECHO2',
          parameters: [{ name: 'VALUE', type: 'VARIANT' }],
        },
        { user: 'SVC', role: 'ACCOUNTADMIN' },
      ),
    );
    expect(lab.snowflake.functions().map((f) => f.name)).toEqual(['ECHO2']);
    expect(invocation.undo).toBeUndefined();
  });

  it('leaves the undo of a failed replacement to the framework', async () => {
    await integration('ECHO_API', true);
    const invocation = invocationFor(lab, 'ExternalFunction', { verifyMs: 500 });
    const created = await createFunction(PROPERTIES, invocation);
    const broken = {
      ...PROPERTIES,
      FunctionName: 'echo3',
      Url: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/nothing',
    };

    await expect(updateFunction(broken, PROPERTIES, created.physicalResourceId, invocation)).rejects.toThrow(
      VerifyFailedError,
    );
    await invocation.undo?.(new AbortController().signal);

    expect(lab.snowflake.functions().map((f) => f.name)).toEqual(['ECHO']);
  });

  it.each([
    ['not a function id', undefined],
    [
      'SnowflakeExternalFunction:["LAB","PUBLIC","ECHO",["VARIANT"]]',
      { parts: ['LAB', 'PUBLIC', 'ECHO', ['VARIANT']] },
    ],
    [
      'SnowflakeExternalFunction:["LAB","PUBLIC","ECHO",["VARIANT"],["SVC","R"]]',
      { parts: ['LAB', 'PUBLIC', 'ECHO', ['VARIANT']], creator: { user: 'SVC', role: 'R' } },
    ],
    [
      'SnowflakeExternalFunction:["LAB","PUBLIC",{"sha256":"0123456789abcdef"},["VARIANT"],{"sha256":"fedcba9876543210"}]',
      {
        parts: ['LAB', 'PUBLIC', { sha256: '0123456789abcdef' }, ['VARIANT']],
        creator: { digest: 'fedcba9876543210' },
      },
    ],
    ['SnowflakeExternalFunction:["LAB","PUBLIC","ECHO",["VARIANT"],"SVC"]', undefined],
    ['SnowflakeExternalFunction:["LAB","PUBLIC","ECHO",["VARIANT; DROP"]]', undefined],
    ['SnowflakeExternalFunction:{', undefined],
  ])('reads the id %s', (physicalId, target) => {
    expect(parseFunctionPhysicalId(physicalId)).toEqual(target);
  });

  it.each([
    [{ Arguments: 'value' }, /"name TYPE" pairs/],
    [{ Arguments: 'value VARIANT); DROP TABLE x; --' }, /"name TYPE" pairs/],
    [{ Returns: 'TABLE' }, /Returns type "TABLE" is not one of/],
    [{ Verify: 'hello' }, /SQL string literals/],
    [{ Verify: "'a', 'b'" }, /Verify gives 2 argument\(s\), and the function takes 1/],
    [{ Url: 'http://x/echo' }, /must be an https:\/\/ URL/],
    [{ Database: undefined }, /Database is required/],
  ])('refuses %o before sending anything', async (change, reason) => {
    const executed = lab.snowflake.executions.length;

    const creating = createFunction({ ...PROPERTIES, ...change }, invocationFor(lab, 'ExternalFunction'));

    await expect(creating).rejects.toThrow(InvalidPropertiesError);
    await expect(creating).rejects.toThrow(reason);
    expect(lab.snowflake.executions.length).toBe(executed);
  });

  it("reads Verify's literals with doubled quotes and NULL, or a list of values", async () => {
    await integration('ECHO_API', true);
    const twoArguments = { ...PROPERTIES, FunctionName: 'pair', Arguments: 'a VARCHAR, b VARIANT' };

    const quoted = await createFunction(
      { ...twoArguments, Verify: "'it''s', NULL" },
      invocationFor(lab, 'Quoted'),
    );
    const listed = await createFunction(
      { ...twoArguments, FunctionName: 'pair2', Verify: ['x', 'y'] },
      invocationFor(lab, 'Listed'),
    );

    expect(JSON.parse(quoted.data?.VerifyResult ?? '')).toEqual(["it's", null]);
    expect(JSON.parse(listed.data?.VerifyResult ?? '')).toEqual(['x', 'y']);
  });
});

// SELECT echo('x') over and over until stopped: every answer, or the error's text.
function callStream(): { stop(): Promise<string[]> } {
  let running = true;
  const answers: string[] = [];
  const loop = (async () => {
    const client = await lab.connect({ secretId: 'x' }, new AbortController().signal);
    while (running) {
      try {
        const result = await client.execute(sql`SELECT "LAB"."PUBLIC"."ECHO"('x')`);
        answers.push(result.rows[0]?.[0] ?? 'null');
      } catch (error) {
        answers.push(String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return answers;
    },
  };
}

function isDdl(statement: string): boolean {
  return /^(CREATE|ALTER|DROP|GRANT|REVOKE)\b/.test(statement);
}

async function grantToAnalyst(): Promise<void> {
  const client = await lab.connect({ secretId: 'x' }, new AbortController().signal);
  await client.execute(sql`GRANT USAGE ON FUNCTION "LAB"."PUBLIC"."ECHO"(VARIANT) TO ROLE "ANALYST_ROLE"`);
}

// A call as the analyst's role: the answer, or the error's text.
async function analystCall(): Promise<string> {
  try {
    return (await analyst.execute(sql`SELECT "LAB"."PUBLIC"."ECHO"('x')`)).rows[0]?.[0] ?? 'null';
  } catch (error) {
    return String(error);
  }
}

function ok(): Reply {
  return resultSet(['status'], [['Statement executed successfully.']]);
}

function grants(rows: Array<[string, string, string]>): Reply {
  return resultSet(
    [
      'created_on',
      'privilege',
      'granted_on',
      'name',
      'granted_to',
      'grantee_name',
      'grant_option',
      'granted_by',
    ],
    rows.map(([privilege, to, grantee]) => [
      '0',
      privilege,
      'FUNCTION',
      'LAB.PUBLIC.ECHO(VARIANT)',
      to,
      grantee,
      'false',
      'SVC_ROLE',
    ]),
  );
}

// A scripted SQL API that records every statement, for what the lab cannot stage (database roles, a refused GRANT).
async function scripted(answer: (statement: string) => Reply) {
  const statementOf = (body: unknown) => (body as { statement?: string } | undefined)?.statement ?? '';
  const fake = await startFakeSqlApi((request) => answer(statementOf(request.body)));
  const settings = parseConnectionSecret(
    JSON.stringify({ account: 'MYORG-MYACCOUNT', user: 'SVC', token: 't' }),
    'test',
  );
  const client = new SqlApiClient(settings, authenticatorFor(settings), {
    endpointOverride: fake.url,
    retry: { attempts: 1, baseMs: 1, maxMs: 1 },
  });
  return {
    invocation: invocationFor(lab, 'ExternalFunction', { connect: async () => client }),
    statements: () => fake.requests.map((r) => statementOf(r.body)),
    close: () => fake.close(),
  };
}
describe('Custom::SnowflakeExternalFunction: whose function it is', () => {
  it('drops its function with a plain DROP, and reads 002003 as gone when the connection is its maker', async () => {
    await integration('ECHO_API', true);
    const invocation = invocationFor(lab, 'ExternalFunction');
    const created = await createFunction(PROPERTIES, invocation);
    const from = lab.snowflake.executions.length;

    await deleteFunction(PROPERTIES, created.physicalResourceId, invocation);
    await deleteFunction(PROPERTIES, created.physicalResourceId, invocation);

    const drops = lab.snowflake.executions
      .slice(from)
      .map((e) => e.statement)
      .filter((t) => t.startsWith('DROP'));
    expect(drops).toEqual([
      'DROP FUNCTION "LAB"."PUBLIC"."ECHO"(VARIANT)',
      'DROP FUNCTION "LAB"."PUBLIC"."ECHO"(VARIANT)',
    ]);
    expect(lab.snowflake.functions().filter((f) => f.name === 'ECHO')).toEqual([]);
  });

  it('fails the Delete, keeping the function, when the connection signs in as another user and role', async () => {
    await integration('ECHO_API', true);
    const created = await createFunction(PROPERTIES, invocationFor(lab, 'ExternalFunction'));
    const elsewhere = invocationFor(lab, 'ExternalFunction', {
      connect: connectAs(lab, 'FN_SVC', 'FN_ROLE'),
    });

    const deleting = deleteFunction(PROPERTIES, created.physicalResourceId, elsewhere);

    await expect(deleting).rejects.toThrow(ObjectHiddenError);
    await expect(deleting).rejects.toThrow(
      /external function LAB\.PUBLIC\.ECHO\(VARIANT\).*user FN_SVC with role FN_ROLE.*made by user SVC with role ACCOUNTADMIN/,
    );
    expect(lab.snowflake.functions().map((f) => f.name)).toContain('ECHO');
  });

  it('keeps the id of long names under 1,024 bytes, and its Delete drops the function', async () => {
    await integration('ECHO_API', true);
    // Two quoted names of 255 three-byte characters: 1,530 bytes of names alone.
    const [schema, name] = ['s', 'n'].map((c) => `${c}${'€'.repeat(254)}`) as [string, string];
    lab.snowflake.createDatabase('LAB', [schema]);
    const long = {
      ...PROPERTIES,
      Schema: `"${schema}"`,
      FunctionName: `"${name}"`,
      Arguments: 'a VARIANT, b VARIANT',
      Verify: undefined,
    };
    const invocation = invocationFor(lab, 'ExternalFunction');

    const created = await createFunction(long, invocation);
    await deleteFunction(long, created.physicalResourceId, invocation);

    expect(Buffer.byteLength(created.physicalResourceId)).toBeLessThanOrEqual(1024);
    expect(created.physicalResourceId).toMatch(/\{"sha256":"[a-f0-9]{16}"\}/);
    expect(lab.snowflake.functions().filter((f) => f.name === name)).toEqual([]);
  });

  it('refuses to create for a stack other than the one it serves, sending nothing', async () => {
    await integration('ECHO_API', true);
    const executed = lab.snowflake.executions.length;
    const borrowed = invocationFor(lab, 'ExternalFunction', {
      servedStackId:
        'arn:aws:cloudformation:us-east-1:123456789012:stack/gateway/0b0b0b0b-1111-2222-3333-444455556666',
    });

    await expect(createFunction(PROPERTIES, borrowed)).rejects.toThrow(ForeignStackError);
    expect(lab.snowflake.executions.length).toBe(executed);
  });
});
