// The life of a link, step by step, as a person lives it: deploy, create the integration in Snowflake,
// link, rotate the external id, move the link to another role, unlink, delete. Each step runs in the lab
// what that person's command would make CloudFormation do, and checks what must come of it.
import { isDeepStrictEqual } from 'node:util';
import type { Lab, Stack, StackOperationResult, Template } from '../../lab';
import { overridePair } from '../link/parameter-overrides';
import { shellQuote } from '../link/shell-quote';
import type { Narrator, TrustSnapshot } from './narrator';

export const SNOWFLAKE_USER = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const NEW_EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_b765432/t1bCDEFgHIJklmNoPqR=';
const SID = 'SnowflakeTrustLink';
// The roles whose trust the story follows: template.yaml's, and the one step 4 adds.
const SNOWFLAKE_ROLES = ['SnowflakeRole', 'SnowflakeRoleB'];

/** What the story runs on. */
export interface Scene {
  lab: Lab;
  stack: Stack;
  template: Template;
  narrator: Narrator;
}

interface StepPlan {
  title: string;
  commands: string[];
  act: () => Promise<StackOperationResult>;
  expect: (result: StackOperationResult) => void;
  verdict: string;
}

/** Runs every step in order; failed checks are in the narrator's problems. */
export async function tellStory(scene: Scene): Promise<void> {
  const { stack, template, narrator } = scene;
  const root = `arn:aws:iam::${scene.lab.iam.accountId}:root`;
  const integration = String(template.Parameters?.ApiIntegrationName?.Default ?? 'echo_api_integration');
  const roleName = (logicalId: string): string => stack.resource(logicalId)?.physicalId ?? '';

  await runStep(scene, {
    title: '1. First deploy, before the API integration exists (both values empty)',
    commands: ['$ npm run build && sam build && sam deploy'],
    act: () => stack.create(template),
    expect: (result) => {
      expectStatus(narrator, result, 'CREATE_COMPLETE');
      expectRequests(narrator, result, []);
      expectTrust(scene, roleName('SnowflakeRole'), policy({ Sid: SID, ...placeholder(root) }));
    },
    verdict:
      'SnowflakeRole trusts this account alone (the placeholder, under the Sid the link owns); no link yet',
  });

  const roleArn = String(stack.resource('SnowflakeRole')?.attributes.Arn);
  await runStep(scene, {
    title: "2. Create the API integration in Snowflake, then link it: Snowflake's step 4",
    commands: [
      `sql> CREATE API INTEGRATION ${integration} API_AWS_ROLE_ARN = '${roleArn}' ...;  -- the CreateApiIntegrationSql output`,
      `sql> DESCRIBE INTEGRATION ${integration};  -- API_AWS_IAM_USER_ARN and API_AWS_EXTERNAL_ID`,
      `$ npm run link -- --integration ${integration}  # which runs:`,
      samDeploy({ SnowflakeIamUserArn: SNOWFLAKE_USER, SnowflakeExternalId: EXTERNAL_ID }),
    ],
    act: () =>
      stack.update({ parameters: { SnowflakeIamUserArn: SNOWFLAKE_USER, SnowflakeExternalId: EXTERNAL_ID } }),
    expect: (result) => {
      expectStatus(narrator, result, 'UPDATE_COMPLETE');
      expectRequests(narrator, result, ['Create SUCCESS']);
      expectTrust(scene, roleName('SnowflakeRole'), policy(linked(EXTERNAL_ID)));
    },
    verdict: "Create answered SUCCESS; SnowflakeRole's trust is Snowflake's step 4 document",
  });

  const both = `${EXTERNAL_ID},${NEW_EXTERNAL_ID}`;
  await runStep(scene, {
    title: '3. Rotate without a gap: a second integration, and both external ids while switching',
    commands: [
      `sql> CREATE API INTEGRATION ${integration}_2 ...;  DESCRIBE INTEGRATION ${integration}_2;  -- a new API_AWS_EXTERNAL_ID`,
      samDeploy({ SnowflakeIamUserArn: SNOWFLAKE_USER, SnowflakeExternalId: both }),
    ],
    act: () =>
      stack.update({ parameters: { SnowflakeIamUserArn: SNOWFLAKE_USER, SnowflakeExternalId: both } }),
    expect: (result) => {
      expectStatus(narrator, result, 'UPDATE_COMPLETE');
      expectRequests(narrator, result, ['Update SUCCESS']);
      expectSamePhysicalId(narrator, result);
      expectTrust(scene, roleName('SnowflakeRole'), policy(linked([EXTERNAL_ID, NEW_EXTERNAL_ID])));
    },
    verdict:
      'Update answered SUCCESS with the same physical id; the statement lists both ids, edited in place',
  });

  await runStep(scene, {
    title: '4. Rotation done: the new external id alone',
    commands: [
      `sql> CREATE OR REPLACE EXTERNAL FUNCTION echo(value VARIANT) ... API_INTEGRATION = ${integration}_2 ...;  DROP INTEGRATION ${integration};`,
      samDeploy({ SnowflakeIamUserArn: SNOWFLAKE_USER, SnowflakeExternalId: NEW_EXTERNAL_ID }),
    ],
    act: () =>
      stack.update({
        parameters: { SnowflakeIamUserArn: SNOWFLAKE_USER, SnowflakeExternalId: NEW_EXTERNAL_ID },
      }),
    expect: (result) => {
      expectStatus(narrator, result, 'UPDATE_COMPLETE');
      expectRequests(narrator, result, ['Update SUCCESS']);
      expectTrust(scene, roleName('SnowflakeRole'), policy(linked(NEW_EXTERNAL_ID)));
    },
    verdict: 'Update answered SUCCESS; the old external id no longer lets Snowflake in',
  });

  await runStep(scene, {
    title: '5. Move the link to another role (a template change)',
    commands: [
      '# template.yaml: a second role, SnowflakeRoleB, and in SnowflakeTrustLink RoleArn: !GetAtt SnowflakeRoleB.Arn',
      '$ npm run build && sam build && sam deploy',
    ],
    act: () => stack.update({ template: withSecondRole(template) }),
    expect: (result) => {
      expectStatus(narrator, result, 'UPDATE_COMPLETE');
      expectRequests(narrator, result, ['Update SUCCESS', 'Delete SUCCESS']);
      expectNewPhysicalId(narrator, result);
      expectTrust(scene, roleName('SnowflakeRole'), policy(placeholder(root)));
      expectTrust(scene, roleName('SnowflakeRoleB'), policy(linked(NEW_EXTERNAL_ID)));
    },
    verdict:
      'Update answered with a new physical id (a replacement), then the Delete of the old link put the placeholder back',
  });

  await runStep(scene, {
    title: '6. Unlink: deploy with both values empty (the LinkReady condition drops the resource)',
    commands: [
      `sql> DROP INTEGRATION ${integration}_2;`,
      samDeploy({ SnowflakeIamUserArn: '', SnowflakeExternalId: '' }),
    ],
    act: () => stack.update({ parameters: { SnowflakeIamUserArn: '', SnowflakeExternalId: '' } }),
    expect: (result) => {
      expectStatus(narrator, result, 'UPDATE_COMPLETE');
      expectRequests(narrator, result, ['Delete SUCCESS']);
      expectTrust(scene, roleName('SnowflakeRoleB'), policy(placeholder(root)));
    },
    verdict: 'Delete answered SUCCESS; only the account itself may assume the role again',
  });

  const roles = SNOWFLAKE_ROLES.map(roleName);
  await runStep(scene, {
    title: '7. Delete the stack',
    commands: ['$ sam delete'],
    act: () => stack.delete(),
    expect: (result) => {
      expectStatus(narrator, result, 'DELETE_COMPLETE');
      narrator.check(
        roles.every((role) => scene.lab.iam.role(role) === undefined),
        'the roles are gone',
      );
    },
    verdict: 'the stack and its roles are gone',
  });

  await checkEveryResponse(scene);
}

async function runStep(scene: Scene, plan: StepPlan): Promise<void> {
  scene.narrator.step(plan.title, plan.commands);
  const before = snapshot(scene, []);
  const result = await plan.act();
  scene.narrator.trustChanges(before, snapshot(scene, [...before.keys()]));
  scene.narrator.responses(result);
  plan.expect(result);
  scene.narrator.verdict(plan.verdict);
}

// The trust policy of each Snowflake role the stack has, and of the roles named (which may be gone).
function snapshot(scene: Scene, known: readonly string[]): TrustSnapshot {
  const current = SNOWFLAKE_ROLES.flatMap((id) => scene.stack.resource(id)?.physicalId ?? []);
  const names = [...new Set([...known, ...current])];
  return new Map(names.map((name) => [name, scene.lab.iam.trustPolicy(name)]));
}

async function checkEveryResponse(scene: Scene): Promise<void> {
  const { lab, stack, narrator } = scene;
  narrator.step('Every response and call of the two-step flow', []);
  await lab.cfn.settled();
  for (const v of lab.cfn.violations) {
    narrator.check(false, `${v.slot.RequestType} ${v.slot.LogicalResourceId}: ${v.problem}`);
  }
  const logs = (await Promise.all(stack.requests.map((r) => r.invocations))).flat().flatMap((i) => i.logs);
  const leaked = stack.requests.filter((r) =>
    logs.some((line) => line.includes(new URL(r.event.ResponseURL).pathname)),
  );
  narrator.check(leaked.length === 0, 'no response URL appears in the function logs');
  // CloudFormation itself creates and deletes the roles; every other IAM call is the link function's.
  const calls = lab.iam.calls.filter((c) => c.action !== 'CreateRole' && c.action !== 'DeleteRole');
  narrator.verdict(
    `${stack.requests.length} responses as S3 and CloudFormation accept them (PUT, empty Content-Type, ` +
      `length in bytes, at most 4096 bytes, the request's ids); no response URL logged; ` +
      `the link function's IAM calls: ${countBy(calls.map((c) => c.action))}`,
  );
}

// --- the commands ----------------------------------------------------------------------------------

// Written as npm run link writes them, so that the demo shows what the link would run.
function samDeploy(values: Record<string, string>): string {
  const overrides = Object.entries(values).map(([key, value]) => overridePair(key, value));
  return `$ ${shellQuote(['sam', 'deploy', '--parameter-overrides', ...overrides])}`;
}

// --- the checks ------------------------------------------------------------------------------------

function expectStatus(narrator: Narrator, result: StackOperationResult, status: string): void {
  const reasons = result.events.flatMap((e) =>
    e.reason === undefined ? [] : [`${e.logicalResourceId}: ${e.reason}`],
  );
  const ok = result.status === status;
  narrator.check(
    ok,
    ok
      ? `the stack operation ends ${status}`
      : `the stack operation ended ${result.status}, not ${status}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`,
  );
}

function expectRequests(narrator: Narrator, result: StackOperationResult, expected: string[]): void {
  const actual = result.requests.map((r) => `${r.event.RequestType} ${r.status}`);
  const shown = (list: string[]): string => (list.length === 0 ? 'none' : list.join(', '));
  narrator.check(
    isDeepStrictEqual(actual, expected),
    `CloudFormation's requests and their answers: ${shown(expected)}${isDeepStrictEqual(actual, expected) ? '' : ` (got ${shown(actual)})`}`,
  );
}

function expectSamePhysicalId(narrator: Narrator, result: StackOperationResult): void {
  const [update] = result.requests;
  narrator.check(
    update !== undefined && update.physicalResourceId === update.event.PhysicalResourceId,
    'the rotation keeps the physical id',
  );
}

function expectNewPhysicalId(narrator: Narrator, result: StackOperationResult): void {
  const [update] = result.requests;
  narrator.check(
    update !== undefined && update.physicalResourceId !== update.event.PhysicalResourceId,
    'the move answers a new physical id',
  );
}

function expectTrust(scene: Scene, roleName: string, expected: object): void {
  const actual = scene.lab.iam.trustPolicy(roleName);
  scene.narrator.check(
    isDeepStrictEqual(actual, expected),
    `the trust policy of ${roleName} is ${JSON.stringify(expected)}${isDeepStrictEqual(actual, expected) ? '' : `, not ${JSON.stringify(actual)}`}`,
  );
}

function countBy(items: string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([item, n]) => `${n} ${item}`).join(', ');
}

// --- the expected documents ------------------------------------------------------------------------

function policy(...statements: object[]): object {
  return { Version: '2012-10-17', Statement: statements };
}

function placeholder(root: string): object {
  return { Effect: 'Allow', Principal: { AWS: root }, Action: 'sts:AssumeRole' };
}

function linked(externalId: string | string[]): object {
  return {
    Sid: SID,
    Effect: 'Allow',
    Principal: { AWS: SNOWFLAKE_USER },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
  };
}

function withSecondRole(template: Template): Template {
  const changed = structuredClone(template);
  const { SnowflakeRole: role, SnowflakeTrustLink: link } = changed.Resources;
  if (role === undefined || link?.Properties === undefined)
    throw new Error('template.yaml has no SnowflakeRole or SnowflakeTrustLink');
  changed.Resources.SnowflakeRoleB = structuredClone(role);
  link.Properties.RoleArn = { 'Fn::GetAtt': ['SnowflakeRoleB', 'Arn'] };
  return changed;
}
