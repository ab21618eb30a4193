import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { identifier, sql } from '../../../handler/snowflake/client/sql';
import { apiIntegration } from '../../../handler/snowflake/resources/api-integration';
import {
  createFunction,
  deleteFunction,
  FunctionExistsError,
  functionPhysicalId,
  parseFunctionPhysicalId,
  updateFunction,
} from '../../../handler/snowflake/resources/external-function';
import { createIntegration } from '../../../handler/snowflake/resources/integration';
import { ForeignStackError } from '../../../handler/snowflake/resources/ownership';
import { InvalidPropertiesError } from '../../../handler/snowflake/resources/properties';
import { ObjectHiddenError } from '../../../handler/snowflake/resources/session';
import { VerifyFailedError } from '../../../handler/snowflake/resources/verify';
import { linkedTrust } from '../../helpers/trust';
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

beforeAll(async () => {
  lab = await startSnowflakeLab();
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
    const types = parameters.map(() => sql`VARIANT`);
    await client.execute(
      sql`DROP FUNCTION IF EXISTS "LAB"."PUBLIC".${identifier(`"${name}"`)}(${types[0] ?? sql``})`,
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
