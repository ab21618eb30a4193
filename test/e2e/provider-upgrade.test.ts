// Upgrades never break a deployed link: CloudFormation refuses to change a custom resource's ServiceToken,
// so each upgrade must update the function in place. Two paths, in the lab with the built bundles:
// the nested provider from one release to the next (other code, published application versions), and a
// stack deployed from the last landed release's template.yaml updated to the working tree's.
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, loadTemplate, type Stack, type Template } from '../../lab';
import { packageRelease } from '../../scripts/release/package';
import { PREVIOUS_RELEASE, previousRelease } from '../../scripts/release/previous-release';
import { SNOWFLAKE_USER } from '../helpers/trust';
import {
  EXTERNAL_ID,
  expectLinked,
  NEW_EXTERNAL_ID,
  nestedStackOf,
  requestLines,
  startProviderLab,
} from './provider-lab';

const ROOT = path.resolve(__dirname, '../..');
const APPLICATION =
  'arn:aws:serverlessrepo:us-east-1:123456789012:applications/snowflake-trust-link-provider';
const NEXT_MARKER = 'trust-link provider 0.2.1';
const LINK_VALUES = { SnowflakeIamUserArn: SNOWFLAKE_USER, SnowflakeExternalId: EXTERNAL_ID };

let work: string;
let lab: Lab;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'provider-releases-'));
  packageRelease({ outDir: path.join(work, '0.2.0'), version: '0.2.0' });
  packageRelease({ outDir: path.join(work, '0.2.1'), version: '0.2.1', distDir: nextDist() });
  renamedFunctionRelease(path.join(work, '0.2.0'), path.join(work, '0.2.1-renamed'));
  lab = await startProviderLab({
    templateDir: 'examples',
    applications: {
      [`${APPLICATION}@0.2.0`]: path.join(work, '0.2.0', 'trust-link-provider.yaml'),
      [`${APPLICATION}@0.2.1`]: path.join(work, '0.2.1', 'trust-link-provider.yaml'),
      [`${APPLICATION}@0.2.1-renamed`]: path.join(work, '0.2.1-renamed', 'trust-link-provider.yaml'),
    },
  });
});

afterEach(async () => {
  await lab.cfn.settled();
  expect(lab.cfn.violations).toEqual([]);
});

afterAll(async () => {
  await lab?.close();
  rmSync(work, { recursive: true, force: true });
});

// The next release's code: the same bundle behind a handler that says which release answers.
function nextDist(): string {
  const dist = path.join(work, 'dist-next');
  cpSync(path.join(ROOT, 'dist'), dist, { recursive: true });
  renameSync(path.join(dist, 'trust-link', 'index.mjs'), path.join(dist, 'trust-link', 'release.mjs'));
  writeFileSync(
    path.join(dist, 'trust-link', 'index.mjs'),
    `import { handler as release } from './release.mjs';\n` +
      `export const handler = async (event, context) => { console.log(${JSON.stringify(NEXT_MARKER)}); return release(event, context); };\n`,
  );
  return dist;
}

// A release that breaks the rule: its function under another logical id, so a new function and ServiceToken.
function renamedFunctionRelease(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  const file = path.join(to, 'trust-link-provider.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replaceAll('TrustLinkFunction', 'LinkFunction'));
}

/** The user's gateway stack, its provider the published application at `version`. */
function userTemplate(version: string): Template {
  const template = loadTemplate('examples/nested-provider.yaml');
  const provider = template.Resources.TrustLinkProvider?.Properties ?? {};
  provider.Location = { ApplicationId: APPLICATION, SemanticVersion: version };
  return template;
}

describe('the nested provider from one release to the next', () => {
  let stack: Stack;
  let roleName: string;
  let serviceToken: unknown;

  it('links with release 0.2.0', async () => {
    stack = lab.cfn.stack('gateway-upgrade');

    const result = await stack.create(userTemplate('0.2.0'), LINK_VALUES);

    expect(result.status).toBe('CREATE_COMPLETE');
    roleName = stack.resource('MyRole')?.physicalId ?? '';
    serviceToken = stack.resource('MyLink')?.properties.ServiceToken;
    expectLinked(lab, roleName, [EXTERNAL_ID], ['gateway-upgrade/MyLink']);
  });

  it('refuses a release whose function changed its logical id, and rolls back with the link as it was', async () => {
    const provider = nestedStackOf(lab, stack, 'TrustLinkProvider');
    const functionArn = provider.resource('TrustLinkFunction')?.attributes.Arn;

    const result = await stack.update({ template: userTemplate('0.2.1-renamed') });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.events).toContainEqual(
      expect.objectContaining({
        logicalResourceId: 'MyLink',
        reason: 'Modifying service token is not allowed.',
      }),
    );
    expect(result.requests).toEqual([]);
    expect(provider.resource('TrustLinkFunction')?.attributes.Arn).toBe(functionArn);
    expect(provider.resource('LinkFunction')).toBeUndefined();
    expectLinked(lab, roleName, [EXTERNAL_ID], ['gateway-upgrade/MyLink']);
  });

  it('moves to 0.2.1 by updating the function in place: the ServiceToken and the link stay', async () => {
    const provider = nestedStackOf(lab, stack, 'TrustLinkProvider');
    const from = provider.events.length;

    const result = await stack.update({ template: userTemplate('0.2.1') });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(result.requests).toEqual([]);
    expect(stack.resource('MyLink')?.properties.ServiceToken).toBe(serviceToken);
    expect(nestedStackOf(lab, stack, 'TrustLinkProvider').stackId).toBe(provider.stackId);
    const functionEvents = provider.events
      .slice(from)
      .filter((e) => e.logicalResourceId === 'TrustLinkFunction')
      .map((e) => e.status);
    expect(functionEvents).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
    expect(provider.resource('TrustLinkFunction')?.properties.CodeUri).toBe(
      path.join(work, '0.2.1', 'trust-link'),
    );
    expectLinked(lab, roleName, [EXTERNAL_ID], ['gateway-upgrade/MyLink']);
  });

  it('rotates with 0.2.1’s code', async () => {
    const result = await stack.update({
      template: userTemplate('0.2.1'),
      parameters: { SnowflakeExternalId: NEW_EXTERNAL_ID },
    });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Update MyLink SUCCESS']);
    const [invocation] = (await result.requests[0]?.invocations) ?? [];
    expect(invocation?.logs.join('\n')).toContain(NEXT_MARKER);
    expectLinked(lab, roleName, [NEW_EXTERNAL_ID], ['gateway-upgrade/MyLink']);
  });

  it('deletes with 0.2.1, leaving nothing behind', async () => {
    const provider = nestedStackOf(lab, stack, 'TrustLinkProvider');
    const functionRole = provider.resource('TrustLinkFunctionRole')?.physicalId ?? '';
    const from = lab.iam.calls.length;

    const result = await stack.delete();

    expect(result.status).toBe('DELETE_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Delete MyLink SUCCESS']);
    const actions = lab.iam.calls
      .slice(from)
      .filter((c) => c.roleName === roleName)
      .map((c) => c.action);
    expect(actions).toEqual(expect.arrayContaining(['UpdateAssumeRolePolicy', 'UntagRole']));
    expect(lab.iam.role(roleName)).toBeUndefined();
    expect(lab.iam.role(functionRole)).toBeUndefined();
  });
});

/** A template whose CodeUri paths point into `dir`, as a deploy from that folder uploads them. */
function codeFrom(template: Template, dir: string): Template {
  const changed = structuredClone(template);
  for (const resource of Object.values(changed.Resources)) {
    const codeUri = resource.Properties?.CodeUri;
    if (resource.Type === 'AWS::Serverless::Function' && typeof codeUri === 'string')
      resource.Properties = { ...resource.Properties, CodeUri: path.resolve(dir, codeUri) };
  }
  return changed;
}

describe(`template.yaml from release ${PREVIOUS_RELEASE.version} to the working tree`, () => {
  let stack: Stack;
  let roleName: string;
  let serviceToken: unknown;
  let linkId: string | undefined;

  it(`links with ${PREVIOUS_RELEASE.version}’s template and bundles`, async () => {
    const previous = await previousRelease();
    stack = lab.cfn.stack('gateway-0-1', { templateDir: previous });

    const result = await stack.create(loadTemplate(path.join(previous, 'template.yaml')), LINK_VALUES);

    expect(result.status).toBe('CREATE_COMPLETE');
    roleName = stack.resource('SnowflakeRole')?.physicalId ?? '';
    serviceToken = stack.resource('SnowflakeTrustLink')?.properties.ServiceToken;
    linkId = stack.resource('SnowflakeTrustLink')?.physicalId;
    expectLinked(lab, roleName, [EXTERNAL_ID], ['gateway-0-1/SnowflakeTrustLink']);
  });

  it('updates to the working tree’s template.yaml without replacing the link or changing its ServiceToken', async () => {
    const result = await stack.update({ template: codeFrom(loadTemplate('template.yaml'), ROOT) });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(requestLines(result.requests).filter((line) => !line.startsWith('Update '))).toEqual([]);
    expect(stack.resource('SnowflakeTrustLink')?.properties.ServiceToken).toBe(serviceToken);
    expect(stack.resource('SnowflakeTrustLink')?.physicalId).toBe(linkId);
    expect(stack.resource('TrustLinkFunction')?.properties.CodeUri).toBe(path.join(ROOT, 'dist/trust-link'));
    expectLinked(lab, roleName, [EXTERNAL_ID], ['gateway-0-1/SnowflakeTrustLink']);
  });

  it('rotates with the new code', async () => {
    const result = await stack.update({ parameters: { SnowflakeExternalId: NEW_EXTERNAL_ID } });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Update SnowflakeTrustLink SUCCESS']);
    expect(stack.resource('SnowflakeTrustLink')?.physicalId).toBe(linkId);
    expectLinked(lab, roleName, [NEW_EXTERNAL_ID], ['gateway-0-1/SnowflakeTrustLink']);
  });

  it('deletes, unlinking before the role goes', async () => {
    const from = lab.iam.calls.length;

    const result = await stack.delete();

    expect(result.status).toBe('DELETE_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Delete SnowflakeTrustLink SUCCESS']);
    const actions = lab.iam.calls
      .slice(from)
      .filter((c) => c.roleName === roleName)
      .map((c) => c.action);
    expect(actions).toEqual(expect.arrayContaining(['UpdateAssumeRolePolicy', 'UntagRole']));
    expect(actions.at(-1)).toBe('DeleteRole');
  });
});
