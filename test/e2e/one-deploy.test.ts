// template.yaml's one-deploy stack (SnowflakeConnection given) through the lab's CloudFormation stand-in,
// with the built bundles: the Snowflake function, the link function and the echo Lambda behind the API
// Gateway stand-in. After each operation both sides are checked: Snowflake's catalog and the role's trust.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authenticatorFor } from '../../handler/snowflake/client/credentials';
import { parseConnectionSecret } from '../../handler/snowflake/client/settings';
import { identifier, qualifiedName, sql, stringLiteral } from '../../handler/snowflake/client/sql';
import { SqlApiClient } from '../../handler/snowflake/client/sql-api';
import type { Lab, Stack, Template, TrustPolicy } from '../../lab';
import { statementsOf } from './harness';
import { callsUntilStopped, catalogOf, startOneDeployLab, trustedIdsOn } from './one-deploy-lab';

const BUNDLES = ['dist/snowflake/index.mjs', 'dist/trust-link/index.mjs', 'dist/echo/index.mjs'];
const INTEGRATION = 'ECHO_API_INTEGRATION';

let lab: Lab;
let template: Template;
let secretArn: string;
let client: SqlApiClient;
let stackCount = 0;

beforeAll(async () => {
  ({ lab, template, secretArn, client } = await startOneDeployLab({
    templatePath: 'template.yaml',
    bundles: BUNDLES,
    secretName: 'snowflake/connection',
  }));
});

afterAll(async () => {
  await lab?.close();
});

beforeEach(() => {
  lab.snowflake.propagationMs = 400;
  lab.iam.addKnownPrincipal(lab.snowflake.iamUserArn);
});

afterEach(async () => {
  await lab.cfn.settled();
  expect(lab.cfn.violations).toEqual([]);
});

function parameters(extra: Record<string, string> = {}): Record<string, string> {
  return { SnowflakeConnection: secretArn, SnowflakeDatabase: 'LAB', ...extra };
}

function newStack(): Stack {
  stackCount += 1;
  return lab.cfn.stack(`one-deploy-${stackCount}`);
}

async function callEcho(name = 'ECHO', value = 'hello'): Promise<string | null | undefined> {
  const result = await client.execute(
    sql`SELECT "LAB"."PUBLIC".${identifier(name)}(${stringLiteral(value)})`,
  );
  return result.rows[0]?.[0];
}

/** The Snowflake role's trust statements, or undefined once the role is gone. */
function trustOf(stack: Stack): ReturnType<typeof statementsOf> | undefined {
  const roleName = stack.resource('SnowflakeRole')?.physicalId;
  const policy = roleName ? (lab.iam.trustPolicy(roleName) as TrustPolicy | undefined) : undefined;
  return policy ? statementsOf(policy) : undefined;
}

/** The external ids the link's statement trusts, as a list (IAM keeps one id as a string). */
function externalIdsIn(stack: Stack): unknown[] | undefined {
  return trustedIdsOn(lab, stack.resource('SnowflakeRole')?.physicalId);
}

/** Integrations and functions in Snowflake, by name. */
function catalog() {
  return catalogOf(lab);
}

async function cleanSnowflake(): Promise<void> {
  for (const fn of lab.snowflake.functions()) {
    await client.execute(sql`DROP FUNCTION IF EXISTS ${qualified(fn.name)}(VARIANT)`);
  }
  for (const { name } of lab.snowflake.integrations()) {
    await client.execute(sql`DROP INTEGRATION IF EXISTS ${identifier(`"${name}"`)}`);
  }
}

/** The DDL sent for the function ECHO since an index of the lab's executions (its probe's aside). */
function functionDdlSince(from: number): string[] {
  return lab.snowflake.executions
    .slice(from)
    .map((e) => e.statement)
    .filter((statement) => /^(CREATE|ALTER|DROP|GRANT)\b/.test(statement))
    .filter((statement) => statement.includes('"ECHO"'));
}

// A user of another team, whose role holds USAGE on the function (granted by its owner, not by the stack).
function analystClient(): SqlApiClient {
  lab.snowflake.createRole('ANALYST_ROLE');
  lab.snowflake.createUser({ name: 'ANALYST', roles: ['ANALYST_ROLE'], defaultWarehouse: 'COMPUTE_WH' });
  const settings = parseConnectionSecret(
    JSON.stringify({
      account: 'MYORG-MYACCOUNT',
      user: 'ANALYST',
      token: lab.snowflake.addProgrammaticAccessToken('ANALYST'),
    }),
    'analyst',
  );
  return new SqlApiClient(settings, authenticatorFor(settings), { endpointOverride: lab.snowflake.endpoint });
}

async function analystCall(analyst: SqlApiClient): Promise<string> {
  try {
    return (await analyst.execute(sql`SELECT ${qualified('ECHO')}('x')`)).rows[0]?.[0] ?? 'null';
  } catch (error) {
    return String(error);
  }
}

function qualified(name: string) {
  return qualifiedName(['LAB', 'PUBLIC', `"${name}"`]);
}

describe('one deploy: template.yaml with SnowflakeConnection', () => {
  beforeEach(cleanSnowflake);

  it('creates the integration, the link and the function, proven by a call, and deletes them all', async () => {
    const stack = newStack();

    const created = await stack.create(template, parameters());

    expect(created.events.filter((e) => e.reason).map((e) => `${e.logicalResourceId}: ${e.reason}`)).toEqual(
      [],
    );
    expect(created.status).toBe('CREATE_COMPLETE');
    const integration = lab.snowflake.integration(INTEGRATION);
    expect(catalog()).toEqual({ integrations: [INTEGRATION], functions: [['ECHO', INTEGRATION]] });
    expect(externalIdsIn(stack)).toEqual([integration?.externalId]);
    expect(await callEcho()).toBe('"hello"');
    expect(stack.outputs().ExternalFunction).toMatch(
      /^SELECT LAB\.PUBLIC\.ECHO\('hello'\); {2}-- answered "hello"/,
    );
    expect(stack.outputs().SnowflakeTrustLinkStatus).toMatch(/^in force: /);

    const roleName = stack.resource('SnowflakeRole')?.physicalId ?? '';
    const deleted = await stack.delete();

    expect(deleted.status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [], functions: [] });
    expect(lab.iam.role(roleName)).toBeUndefined();
  });

  // Snowflake's SQL API documents no workload-identity sign-in (docs/snowflake-setup.md): the template refuses it.
  it('refuses WORKLOAD_IDENTITY as the connection before anything is created', async () => {
    const stack = newStack();
    const calls = lab.snowflake.calls.length;

    const creating = stack.create(template, { ...parameters(), SnowflakeConnection: 'WORKLOAD_IDENTITY' });

    await expect(creating).rejects.toThrow(/Parameter 'SnowflakeConnection' must match pattern/);
    expect(lab.snowflake.calls.length).toBe(calls);
  });

  it('alters in place on a new stage: the external id and the trust stay, and the function follows', async () => {
    const stack = newStack();
    await stack.create(template, parameters());
    const externalId = lab.snowflake.integration(INTEGRATION)?.externalId;

    const updated = await stack.update({ parameters: { ApiStageName: 'v2' } });

    expect(updated.status).toBe('UPDATE_COMPLETE');
    expect(lab.snowflake.integration(INTEGRATION)?.externalId).toBe(externalId);
    expect(lab.snowflake.integration(INTEGRATION)?.values.get('API_ALLOWED_PREFIXES')).toEqual([
      expect.stringMatching(/\/v2\/$/),
    ]);
    expect(lab.snowflake.functions()[0]?.url).toMatch(/\/v2\/echo$/);
    expect(externalIdsIn(stack)).toEqual([externalId]);
    expect(await callEcho()).toBe('"hello"');
    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [], functions: [] });
  });

  it('rotates with a stack update while a stream of calls never fails, and revokes the old id at its cleanup', async () => {
    const stack = newStack();
    await stack.create(template, parameters());
    const first = lab.snowflake.integration(INTEGRATION)?.externalId;
    const stream = callsUntilStopped(() => callEcho('ECHO', 'x'));

    const rotated = await stack.update({ parameters: { SnowflakeRotation: 'r2' } });
    const answers = await stream.stop();

    const second = lab.snowflake.integration(`${INTEGRATION}_R2`)?.externalId;
    expect(rotated.status).toBe('UPDATE_COMPLETE');
    expect(answers.filter((answer) => answer !== '"x"')).toEqual([]);
    expect(answers.length).toBeGreaterThan(3);
    expect(catalog()).toEqual({
      integrations: [`${INTEGRATION}_R2`],
      functions: [['ECHO', `${INTEGRATION}_R2`]],
    });
    // Any integration of the account may present a retired id (STORAGE_AWS_EXTERNAL_ID): it is revoked.
    expect(externalIdsIn(stack)).toEqual([second]);
    expect(stack.outputs().SnowflakeRetiredExternalIds).toBe(first);

    await stack.update({ parameters: { SnowflakeRotation: 'r3' } });

    const third = lab.snowflake.integration(`${INTEGRATION}_R3`)?.externalId;
    expect(externalIdsIn(stack)).toEqual([third]);
    expect(await callEcho()).toBe('"hello"');
    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [], functions: [] });
  });

  it('rotates and redeploys without re-creating the function: a grant another role holds survives, and a TrustedExternalIds-only change sends no DDL', async () => {
    const analyst = analystClient();
    const stack = newStack();
    await stack.create(template, parameters());
    await client.execute(sql`GRANT USAGE ON FUNCTION ${qualified('ECHO')}(VARIANT) TO ROLE "ANALYST_ROLE"`);
    const [first] = externalIdsIn(stack) ?? [];
    const beforeRotation = lab.snowflake.executions.length;

    const rotated = await stack.update({ parameters: { SnowflakeRotation: 'r2' } });

    const rotationDdl = functionDdlSince(beforeRotation);
    const second = lab.snowflake.integration(`${INTEGRATION}_R2`)?.externalId;
    expect(rotated.status).toBe('UPDATE_COMPLETE');
    expect(second).not.toBe(first);
    expect(externalIdsIn(stack)).toEqual([second]);
    expect(rotationDdl).toEqual([
      `ALTER FUNCTION "LAB"."PUBLIC"."ECHO"(VARIANT) SET API_INTEGRATION = "${INTEGRATION}_R2"`,
    ]);
    expect(await analystCall(analyst)).toBe('"x"');
    // A new connection secret: the integration is altered in place, so the function's Connection (and the
    // trusted ids it is told) change, and nothing the function is made of.
    const beforeRedeploy = lab.snowflake.executions.length;
    const token = lab.snowflake.addProgrammaticAccessToken('SVC');
    const secret = lab.secrets.putSecret(`snowflake/connection-${stackCount}`, {
      account: 'MYORG-MYACCOUNT',
      user: 'SVC',
      token,
    });

    const redeployed = await stack.update({ parameters: { SnowflakeConnection: secret.arn } });

    const redeployStatements = lab.snowflake.executions.slice(beforeRedeploy).map((e) => e.statement);
    expect(redeployed.status).toBe('UPDATE_COMPLETE');
    expect(externalIdsIn(stack)).toEqual([second]);
    expect(functionDdlSince(beforeRedeploy)).toEqual([]);
    expect(redeployStatements).toContain(`SELECT "LAB"."PUBLIC"."ECHO"('hello')`);
    expect(await analystCall(analyst)).toBe('"x"');
    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [], functions: [] });
  });

  it('renames the integration and the function: new ones made, the old ones dropped at cleanup', async () => {
    const stack = newStack();
    await stack.create(template, parameters());

    const renamed = await stack.update({
      parameters: { ApiIntegrationName: 'echo_renamed', ExternalFunctionName: 'echo2' },
    });

    expect(renamed.status).toBe('UPDATE_COMPLETE');
    expect(catalog()).toEqual({ integrations: ['ECHO_RENAMED'], functions: [['ECHO2', 'ECHO_RENAMED']] });
    expect(await callEcho('ECHO2')).toBe('"hello"');
    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [], functions: [] });
  });
});

describe('one deploy: a failure at each resource rolls back both sides', () => {
  beforeEach(cleanSnowflake);

  it('fails at the integration, naming the one someone else made, and leaves it as it was', async () => {
    await client.execute(
      sql`CREATE API INTEGRATION "ECHO_API_INTEGRATION" API_PROVIDER = aws_api_gateway API_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/theirs' API_ALLOWED_PREFIXES = ('https://x/') ENABLED = TRUE`,
    );
    const theirs = lab.snowflake.integration(INTEGRATION)?.externalId;
    const stack = newStack();

    const created = await stack.create(template, parameters());

    expect(created.status).toBe('ROLLBACK_COMPLETE');
    expect(failureOf(created, 'SnowflakeApiIntegration')).toMatch(/exists already .*Adopt: true/);
    expect(catalog()).toEqual({ integrations: [INTEGRATION], functions: [] });
    expect(lab.snowflake.integration(INTEGRATION)?.externalId).toBe(theirs);
    expect(trustOf(stack)).toBeUndefined();
  });

  it('fails at the link and drops the integration it had made', async () => {
    lab.iam.removeKnownPrincipal(lab.snowflake.iamUserArn);
    const stack = newStack();

    const created = await stack.create(template, parameters());

    expect(created.status).toBe('ROLLBACK_COMPLETE');
    expect(failureOf(created, 'SnowflakeLink')).not.toBe('');
    expect(catalog()).toEqual({ integrations: [], functions: [] });
    expect(trustOf(stack)).toBeUndefined();
  });

  it('fails at the function when Verify cannot call through, saying why, and undoes all three', async () => {
    lab.snowflake.propagationMs = 600_000;
    const stack = newStack();

    const created = await stack.create(template, parameters());

    expect(created.status).toBe('ROLLBACK_COMPLETE');
    expect(failureOf(created, 'SnowflakeExternalFunction')).toMatch(
      /Verify: Snowflake could not call ECHO for \d+ s: the trust is as the integration needs it .* IAM has not yet propagated it/,
    );
    expect(catalog()).toEqual({ integrations: [], functions: [] });
    expect(trustOf(stack)).toBeUndefined();
  });

  it('fails a rotation at the function and rolls back to the old integration, which answers throughout', async () => {
    const stack = newStack();
    await stack.create(template, parameters());
    const first = lab.snowflake.integration(INTEGRATION)?.externalId;
    // Someone disables the new integration as soon as it exists: the probe fails, the function never moves.
    const sabotage = disableWhenCreated(`${INTEGRATION}_R2`);
    const stream = callsUntilStopped(() => callEcho('ECHO', 'x'));

    const rotated = await stack.update({ parameters: { SnowflakeRotation: 'r2' } });
    const answers = await stream.stop();
    await sabotage;

    expect(rotated.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(failureOf(rotated, 'SnowflakeExternalFunction')).toMatch(/^Verify: .*is disabled/);
    expect(answers.filter((answer) => answer !== '"x"')).toEqual([]);
    expect(catalog()).toEqual({ integrations: [INTEGRATION], functions: [['ECHO', INTEGRATION]] });
    expect(externalIdsIn(stack)).toEqual([first]);
    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [], functions: [] });
  });
});

// Polls the catalog and disables the integration once it appears (within 60 s).
async function disableWhenCreated(name: string): Promise<void> {
  for (const until = Date.now() + 60_000; Date.now() < until; ) {
    if (lab.snowflake.integration(name)) {
      await client.execute(sql`ALTER API INTEGRATION ${identifier(`"${name}"`)} SET ENABLED = FALSE`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function failureOf(
  result: { events: Array<{ logicalResourceId: string; status: string; reason?: string }> },
  logicalId: string,
): string {
  return (
    result.events.find((e) => e.logicalResourceId === logicalId && e.status.endsWith('_FAILED'))?.reason ?? ''
  );
}
