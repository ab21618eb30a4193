// The upgrade from the last release: template.yaml's one-deploy stack is created with 0.1.0's bundles and
// template (rebuilt from git by scripts/release/previous-release.ts), then updated and deleted with the
// working tree's. A stack's ServiceToken never changes and its resources keep the physical ids 0.1.0 gave
// them: the live integration and function must survive the update, and the Delete must drop them, and
// nothing else that lives beside them in Snowflake.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql, stringLiteral } from '../../handler/snowflake/client/sql';
import type { SqlApiClient } from '../../handler/snowflake/client/sql-api';
import { type Lab, loadTemplate, type Template } from '../../lab';
import { previousRelease } from '../../scripts/release/previous-release';
import { startOneDeployLab } from './one-deploy-lab';

const BUNDLES = ['dist/snowflake/index.mjs', 'dist/trust-link/index.mjs', 'dist/echo/index.mjs'];
const INTEGRATION = 'ECHO_API_INTEGRATION';
const BYSTANDER = 'BYSTANDER_API';

let lab: Lab;
let client: SqlApiClient;
let secretArn: string;
let previous: Template;
let current: Template;

// As `sam deploy` uploads each build to a new S3 key: CodeUri names the release's own bundle, so that an
// update to the working tree's template is an update of every function's code. The lab's templateDir is /.
function withCodeFrom(template: Template, root: string): Template {
  const copy = structuredClone(template);
  for (const resource of Object.values(copy.Resources)) {
    if (resource.Type !== 'AWS::Serverless::Function' || typeof resource.Properties?.CodeUri !== 'string')
      continue;
    resource.Properties.CodeUri = path.relative('/', path.resolve(root, resource.Properties.CodeUri));
  }
  return copy;
}

beforeAll(async () => {
  const release = await previousRelease();
  ({ lab, client, secretArn } = await startOneDeployLab({
    templatePath: 'template.yaml',
    templateDir: '/',
    bundles: [...BUNDLES, ...BUNDLES.map((bundle) => path.join(release, bundle))],
    secretName: 'snowflake/connection',
    // 0.1.0 sent API_BLOCKED_PREFIXES = () (lab/README: the grammar is silent on an empty list).
    grammar: { acceptEmptyLists: true },
  }));
  previous = withCodeFrom(loadTemplate(path.join(release, 'template.yaml')), release);
  current = withCodeFrom(loadTemplate('template.yaml'), process.cwd());
}, 300_000);

afterAll(async () => {
  await lab?.close();
});

afterEach(async () => {
  await lab.cfn.settled();
  expect(lab.cfn.violations).toEqual([]);
});

/** Integrations and functions in Snowflake, by name (functions with their arity). */
function catalog(): { integrations: string[]; functions: string[] } {
  return {
    integrations: lab.snowflake
      .integrations()
      .map((i) => i.name)
      .sort(),
    functions: lab.snowflake
      .functions()
      .map((f) => `${f.name}/${f.parameters.length}`)
      .sort(),
  };
}

// Objects someone made by hand beside the stack's: an integration, and an overload of the stack's function.
async function makeBystanders(): Promise<void> {
  await client.execute(
    sql`CREATE API INTEGRATION BYSTANDER_API API_PROVIDER = aws_api_gateway API_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/bystander' API_ALLOWED_PREFIXES = ('https://b1b2b3b4b5.execute-api.us-east-1.amazonaws.com/prod/') ENABLED = TRUE`,
  );
  await client.execute(
    sql`CREATE EXTERNAL FUNCTION "LAB"."PUBLIC"."ECHO"(a VARCHAR, b VARCHAR) RETURNS VARIANT API_INTEGRATION = BYSTANDER_API AS 'https://b1b2b3b4b5.execute-api.us-east-1.amazonaws.com/prod/echo'`,
  );
}

async function callEcho(value: string): Promise<string | null | undefined> {
  const result = await client.execute(sql`SELECT "LAB"."PUBLIC"."ECHO"(${stringLiteral(value)})`);
  return result.rows[0]?.[0];
}

describe('upgrade from 0.1.0', () => {
  it('keeps the live integration and function through the update, then deletes them and nothing else', async () => {
    await makeBystanders();
    const parameters = { SnowflakeConnection: secretArn, SnowflakeDatabase: 'LAB' };
    const stack = lab.cfn.stack('upgraded');

    const created = await stack.create(previous, parameters);

    expect(created.events.filter((e) => e.reason).map((e) => `${e.logicalResourceId}: ${e.reason}`)).toEqual(
      [],
    );
    expect(created.status).toBe('CREATE_COMPLETE');
    const integrationId = stack.resource('SnowflakeApiIntegration')?.physicalId;
    const functionId = stack.resource('SnowflakeExternalFunction')?.physicalId;
    expect(integrationId).toMatch(new RegExp(`^SnowflakeApiIntegration:[a-f0-9]{12}:${INTEGRATION}$`));
    expect(functionId).toBe('SnowflakeExternalFunction:["LAB","PUBLIC","ECHO",["VARIANT"]]');
    const live = lab.snowflake.integration(INTEGRATION);
    const from = lab.snowflake.executions.length;

    const upgraded = await stack.update({ template: current, parameters });
    // An update the new code serves, carrying 0.1.0's ids: the API's stage moves.
    const moved = await stack.update({
      template: current,
      parameters: { ...parameters, ApiStageName: 'v2' },
    });

    expect(upgraded.status).toBe('UPDATE_COMPLETE');
    expect(moved.status).toBe('UPDATE_COMPLETE');
    expect(moved.requests.map((r) => `${r.event.LogicalResourceId}:${r.event.RequestType}`)).toEqual(
      expect.arrayContaining(['SnowflakeApiIntegration:Update', 'SnowflakeExternalFunction:Update']),
    );
    expect([...upgraded.requests, ...moved.requests].filter((r) => r.event.RequestType === 'Delete')).toEqual(
      [],
    );
    // The new template tells the Snowflake function which stack it serves.
    expect(stack.resource('SnowflakeFunction')?.properties.Environment).toEqual({
      Variables: { SNOWFLAKE_STACK_ID: stack.stackId },
    });
    expect(stack.resource('SnowflakeApiIntegration')?.physicalId).toBe(integrationId);
    expect(stack.resource('SnowflakeExternalFunction')?.physicalId).toBe(functionId);
    const after = lab.snowflake.integration(INTEGRATION);
    expect(after?.externalId).toBe(live?.externalId);
    expect(after?.createdOn).toEqual(live?.createdOn);
    // The marker keeps its token and gains the stack's id.
    expect(after?.values.get('COMMENT')).toContain(`stack=${stack.stackId}`);
    // No statement dropped or re-created the live objects (a probe beside the function may come and go).
    const sent = lab.snowflake.executions.slice(from).map((e) => e.statement);
    const replacing =
      /^DROP (API )?INTEGRATION|^DROP FUNCTION .*"ECHO"\(|^CREATE (OR REPLACE )?API INTEGRATION/;
    expect(sent.filter((text) => replacing.test(text))).toEqual([]);
    expect(lab.snowflake.functions().find((f) => f.parameters.length === 1)?.url).toMatch(/\/v2\/echo$/);
    expect(await callEcho('hello')).toBe('"hello"');

    const deleted = await stack.delete();

    expect(deleted.status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [BYSTANDER], functions: ['ECHO/2'] });
  });
});
