// npm run demo: the whole life of a Snowflake trust link, without an AWS account. The lab's IAM and
// CloudFormation stand-ins run template.yaml with the built dist/trust-link/index.js: first deploy,
// link with DESCRIBE INTEGRATION's values, rotate the external id, move the link to a second role,
// unlink, delete. Prints each trust policy and each CloudFormation response; exits 1 if anything is off.
import { isDeepStrictEqual } from 'node:util';
import {
  type CustomResourceOutcome,
  type Lab,
  loadTemplate,
  type Stack,
  type StackOperationResult,
  startLab,
  type Template,
} from '../lab';

const SNOWFLAKE_USER = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const NEW_EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_b765432/t1bCDEFgHIJklmNoPqR=';
const SID = 'SnowflakeTrustLink';

const problems: string[] = [];

async function main(): Promise<void> {
  const started = Date.now();
  // The SDK warns on Node.js 20 about its future support; Lambda runs 22 or 24, and the notice would bury the tour.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const lab = await startLab({
    knownPrincipals: [SNOWFLAKE_USER],
    cloudformation: {
      templateDir: '.',
      // The link waits a jittered moment after each write before reading back; a short one keeps the demo quick.
      environment: { TRUST_LINK_SETTLE_MS: '20' },
      // A lost answer fails the step in 30 s rather than the template's 5 minutes.
      serviceTimeoutMs: 30_000,
    },
  });
  try {
    await tour(lab, loadTemplate('template.yaml'));
  } finally {
    await lab.close();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length === 0) {
    console.log(`\nAll steps behaved as expected (${seconds} s).`);
  } else {
    console.log(`\n${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exitCode = 1;
  }
}

async function tour(lab: Lab, template: Template): Promise<void> {
  const stack = lab.cfn.stack('snowflake-external-function');
  const root = `arn:aws:iam::${lab.iam.accountId}:root`;

  heading('1. First deploy, before the API integration exists (both values empty)');
  expectStatus(await stack.create(template), 'CREATE_COMPLETE');
  const roleA = stack.resource('SnowflakeRole')?.physicalId ?? '';
  showTrust(lab, roleA, 'as template.yaml declares it: the placeholder, under the Sid the link owns');
  expectTrust(lab, roleA, policy({ Sid: SID, ...placeholder(root) }));
  showOutputs(stack, ['SnowflakeTrustLinkStatus', 'ApiAwsRoleArn']);

  heading('2. Link: deploy with API_AWS_IAM_USER_ARN and API_AWS_EXTERNAL_ID from DESCRIBE INTEGRATION');
  let result = await stack.update({
    parameters: { SnowflakeIamUserArn: SNOWFLAKE_USER, SnowflakeExternalId: EXTERNAL_ID },
  });
  expectStatus(result, 'UPDATE_COMPLETE');
  expectRequests(result, ['Create SUCCESS']);
  showTrust(lab, roleA, "Snowflake's step 4 document");
  expectTrust(lab, roleA, policy(linked(EXTERNAL_ID)));
  showOutputs(stack, ['SnowflakeTrustLinkStatus']);

  heading(
    '3. Rotation: CREATE OR REPLACE API INTEGRATION gave a new external id; old and new while switching',
  );
  result = await stack.update({ parameters: { SnowflakeExternalId: `${EXTERNAL_ID},${NEW_EXTERNAL_ID}` } });
  expectStatus(result, 'UPDATE_COMPLETE');
  expectRequests(result, ['Update SUCCESS']);
  expectSamePhysicalId(result);
  showTrust(lab, roleA, 'both external ids');
  expectTrust(lab, roleA, policy(linked([EXTERNAL_ID, NEW_EXTERNAL_ID])));

  heading('3b. Rotation done: the new external id alone');
  result = await stack.update({ parameters: { SnowflakeExternalId: NEW_EXTERNAL_ID } });
  expectStatus(result, 'UPDATE_COMPLETE');
  expectRequests(result, ['Update SUCCESS']);
  showTrust(lab, roleA, 'the new external id');
  expectTrust(lab, roleA, policy(linked(NEW_EXTERNAL_ID)));

  heading(
    '4. Move the link to a second role (template changed: SnowflakeRoleB, RoleArn: !GetAtt SnowflakeRoleB.Arn)',
  );
  result = await stack.update({ template: withSecondRole(template) });
  expectStatus(result, 'UPDATE_COMPLETE');
  expectRequests(result, ['Update SUCCESS', 'Delete SUCCESS']);
  const roleB = stack.resource('SnowflakeRoleB')?.physicalId ?? '';
  showTrust(lab, roleA, 'the first role: the old link removed, the placeholder back');
  expectTrust(lab, roleA, policy(placeholder(root)));
  showTrust(lab, roleB, 'the second role: linked');
  expectTrust(lab, roleB, policy(linked(NEW_EXTERNAL_ID)));

  heading('5. Unlink: deploy with both values empty (the LinkReady condition drops the resource)');
  result = await stack.update({ parameters: { SnowflakeIamUserArn: '', SnowflakeExternalId: '' } });
  expectStatus(result, 'UPDATE_COMPLETE');
  expectRequests(result, ['Delete SUCCESS']);
  showTrust(lab, roleB, 'the placeholder back: only the account itself may assume the role');
  expectTrust(lab, roleB, policy(placeholder(root)));

  heading('6. Delete the stack');
  expectStatus(await stack.delete(), 'DELETE_COMPLETE');
  check(lab.iam.role(roleA) === undefined && lab.iam.role(roleB) === undefined, 'the roles are gone');

  await lab.cfn.settled();
  heading('Checks on every response and call');
  const violations = lab.cfn.violations;
  console.log(
    `  ${stack.requests.length} CloudFormation responses checked as S3 and CloudFormation would: ${violations.length} problem(s)`,
  );
  for (const v of violations)
    problems.push(`${v.slot.RequestType} ${v.slot.LogicalResourceId}: ${v.problem}`);
  const calls = lab.iam.calls.filter((c) => c.action === 'GetRole' || c.action === 'UpdateAssumeRolePolicy');
  console.log(`  IAM calls by the link function: ${countBy(calls.map((c) => c.action))}`);
  const logs = (await Promise.all(stack.requests.map((r) => r.invocations))).flat().flatMap((i) => i.logs);
  const leaked = stack.requests.filter((r) =>
    logs.some((line) => line.includes(new URL(r.event.ResponseURL).pathname)),
  );
  check(leaked.length === 0, 'no response URL appears in the function logs');
}

// --- printing -------------------------------------------------------------------------------------

function heading(text: string): void {
  console.log(`\n== ${text}`);
}

function showTrust(lab: Lab, roleName: string, what: string): void {
  console.log(`\n  Trust policy of ${roleName} (${what}):`);
  console.log(indent(JSON.stringify(lab.iam.trustPolicy(roleName), null, 2), 4));
}

function showResponse(outcome: CustomResourceOutcome): void {
  const { event } = outcome;
  const target = event.PhysicalResourceId === undefined ? '' : ` ${event.PhysicalResourceId}`;
  console.log(`\n  CloudFormation -> ${event.RequestType} ${event.LogicalResourceId}${target}`);
  const body = outcome.response?.body;
  const shown = body === undefined ? '(no response)' : JSON.stringify(readable(JSON.parse(body)), null, 2);
  console.log(`  <- response:\n${indent(shown, 4)}`);
}

function showOutputs(stack: Stack, names: string[]): void {
  const outputs = stack.outputs();
  for (const name of names) console.log(`\n  Output ${name}: ${outputs[name]}`);
}

// The StackId is long, and Data.TrustPolicy repeats the trust policy printed after the step.
function readable(body: Record<string, unknown>): Record<string, unknown> {
  const data = body.Data as Record<string, string> | undefined;
  const stackId = String(body.StackId);
  const trustPolicy =
    data?.TrustPolicy === undefined
      ? undefined
      : `(${data.TrustPolicy.length} characters of JSON, as shown below)`;
  return {
    ...body,
    StackId: `${stackId.slice(0, stackId.lastIndexOf('/') + 9)}...`,
    ...(trustPolicy === undefined ? {} : { Data: { ...data, TrustPolicy: trustPolicy } }),
  };
}

function indent(text: string, spaces: number): string {
  return text.replace(/^/gm, ' '.repeat(spaces));
}

function countBy(items: string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([item, n]) => `${n} ${item}`).join(', ');
}

// --- checks ---------------------------------------------------------------------------------------

function check(ok: boolean, what: string): void {
  console.log(`  ${ok ? 'ok' : 'NOT OK'}: ${what}`);
  if (!ok) problems.push(what);
}

function expectStatus(result: StackOperationResult, status: string): void {
  for (const request of result.requests) showResponse(request);
  const failures = result.events
    .filter((e) => e.reason !== undefined)
    .map((e) => `${e.logicalResourceId}: ${e.reason}`);
  console.log(`\n  Stack: ${result.status}${failures.length > 0 ? `\n    ${failures.join('\n    ')}` : ''}`);
  check(result.status === status, `the stack operation ends ${status}`);
}

function expectRequests(result: StackOperationResult, expected: string[]): void {
  const actual = result.requests.map((r) => `${r.event.RequestType} ${r.status}`);
  check(isDeepStrictEqual(actual, expected), `CloudFormation's requests and answers: ${expected.join(', ')}`);
}

function expectSamePhysicalId(result: StackOperationResult): void {
  const [update] = result.requests;
  check(
    update?.physicalResourceId === update?.event.PhysicalResourceId,
    'the rotation keeps the physical id',
  );
}

function expectTrust(lab: Lab, roleName: string, expected: object): void {
  check(
    isDeepStrictEqual(lab.iam.trustPolicy(roleName), expected),
    `the trust policy of ${roleName} is as expected`,
  );
}

// --- expected documents -----------------------------------------------------------------------------

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

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
