// The upgrade of a one-deploy stack from the previous release: made and rotated with 0.1.0's template and
// bundles (which keep the old external id trusted for good), then updated to the working tree's template
// and rotated again. The link keeps its physical id throughout, and no retired id stays trusted.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { identifier, sql, stringLiteral } from '../../handler/snowflake/client/sql';
import type { SqlApiClient } from '../../handler/snowflake/client/sql-api';
import { type Lab, loadTemplate, type Template, type TrustPolicy } from '../../lab';
import { previousRelease } from '../../scripts/release/previous-release';
import { statementsOf } from './harness';
import { startOneDeployLab } from './one-deploy-lab';

const BUNDLES = ['dist/snowflake/index.mjs', 'dist/trust-link/index.mjs', 'dist/echo/index.mjs'];
const INTEGRATION = 'ECHO_API_INTEGRATION';

let lab: Lab;
let secretArn: string;
let client: SqlApiClient;
let previous: Template;
let current: Template;

// The lab reads every CodeUri from one folder: '/' here, so that each template names its own bundles.
function fromRoot(template: Template, root: string): Template {
  const resources = Object.entries(template.Resources).map(([id, resource]) => {
    const codeUri = (resource.Properties as { CodeUri?: unknown } | undefined)?.CodeUri;
    if (typeof codeUri !== 'string') return [id, resource];
    const absolute = path.relative('/', path.join(root, codeUri));
    return [id, { ...resource, Properties: { ...resource.Properties, CodeUri: absolute } }];
  });
  return { ...template, Resources: Object.fromEntries(resources) };
}

beforeAll(async () => {
  const releaseDir = await previousRelease();
  ({ lab, secretArn, client } = await startOneDeployLab({
    templatePath: 'template.yaml',
    templateDir: '/',
    bundles: BUNDLES,
    secretName: 'snowflake/upgrade',
    // 0.1.0 sent API_BLOCKED_PREFIXES = () (lab/README: the grammar is silent on an empty list).
    grammar: { acceptEmptyLists: true },
  }));
  previous = fromRoot(loadTemplate(path.join(releaseDir, 'template.yaml')), releaseDir);
  current = fromRoot(loadTemplate('template.yaml'), process.cwd());
  lab.iam.addKnownPrincipal(lab.snowflake.iamUserArn);
});

afterAll(async () => {
  await lab?.close();
});

afterEach(async () => {
  await lab.cfn.settled();
  expect(lab.cfn.violations).toEqual([]);
});

describe('upgrade from the previous release', () => {
  it('keeps the link, revokes the id the old release left trusted, and revokes at cleanup from then on', async () => {
    const stack = lab.cfn.stack('upgrade-1');
    const parameters = { SnowflakeConnection: secretArn, SnowflakeDatabase: 'LAB' };
    const trusted = (): unknown[] => {
      const roleName = stack.resource('SnowflakeRole')?.physicalId ?? '';
      const statement = statementsOf(lab.iam.trustPolicy(roleName) as TrustPolicy | undefined).find(
        (s) => s.Sid === 'SnowflakeTrustLink',
      );
      return [statement?.Condition?.StringEquals?.['sts:ExternalId']].flat();
    };
    const idOf = (name: string) => lab.snowflake.integration(name)?.externalId;
    const echo = async () =>
      (await client.execute(sql`SELECT "LAB"."PUBLIC".${identifier('ECHO')}(${stringLiteral('up')})`))
        .rows[0]?.[0];

    expect((await stack.create(previous, parameters)).status).toBe('CREATE_COMPLETE');
    expect((await stack.update({ parameters: { SnowflakeRotation: 'r2' } })).status).toBe('UPDATE_COMPLETE');
    const leftByOldRelease = trusted();
    const linkId = stack.resource('SnowflakeLink')?.physicalId;

    const upgraded = await stack.update({ template: current });

    expect(leftByOldRelease).toEqual([idOf(`${INTEGRATION}_R2`), expect.any(String)]);
    expect(upgraded.status).toBe('UPDATE_COMPLETE');
    expect(upgraded.events.filter((e) => e.status.endsWith('_FAILED'))).toEqual([]);
    expect(stack.resource('SnowflakeLink')?.physicalId).toBe(linkId);
    expect(trusted()).toEqual([idOf(`${INTEGRATION}_R2`)]);
    expect(await echo()).toBe('"up"');

    const rotated = await stack.update({ parameters: { SnowflakeRotation: 'r3' } });

    expect(rotated.status).toBe('UPDATE_COMPLETE');
    expect(trusted()).toEqual([idOf(`${INTEGRATION}_R3`)]);
    expect(stack.outputs().SnowflakeRetiredExternalIds).toBe(leftByOldRelease[0]);
    expect(await echo()).toBe('"up"');
    const roleName = stack.resource('SnowflakeRole')?.physicalId ?? '';
    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(lab.snowflake.integrations()).toEqual([]);
    expect(lab.iam.role(roleName)).toBeUndefined();
  });
});
