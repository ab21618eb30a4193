// Faults and bad input, end to end: the built bundle against the IAM stand-in's injected faults and
// every bad input of the handler's issue. Each scenario checks the answer, that nothing was lost, and
// that the trust policy is unchanged where it must be. The suite ends by printing one summary line.
import { IAMClient, UntagRoleCommand } from '@aws-sdk/client-iam';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CustomResourceOutcome, type IamStandIn, sendRequest, type TrustStatement } from '../../lab';
import {
  BUNDLE,
  EXTERNAL_ID,
  type Harness,
  linkedStatement,
  linkStackTemplate,
  NEW_EXTERNAL_ID,
  placeholderPolicy,
  requestLines,
  SID,
  SNOWFLAKE_USER,
  STACK_ID,
  startHarness,
  statementsOf,
} from './harness';

const FUNCTION_TIMEOUT_MS = 4000;
const OPS: TrustStatement = {
  Sid: 'Ops',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789012:root' },
  Action: 'sts:AssumeRole',
  Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
};
const PLACEHOLDER: TrustStatement = {
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789012:root' },
  Action: 'sts:AssumeRole',
};

let harness: Harness;
/** A lab whose function has a short time limit, for the hangs. */
let quick: Harness;
let roleCount = 0;
const tally = { scenarios: 0, lost: 0 };

beforeAll(async () => {
  [harness, quick] = await Promise.all([
    startHarness(),
    startHarness({ functionTimeoutMs: FUNCTION_TIMEOUT_MS, serviceTimeoutMs: 2 * FUNCTION_TIMEOUT_MS }),
  ]);
});

afterEach(async () => {
  for (const h of [harness, quick]) {
    h.lab.iam.faults.clear();
    h.lab.dynamodb.clearFaults();
    h.lab.iam.dropHung();
    await h.lab.cfn.settled();
  }
  expect([...harness.lab.cfn.violations, ...quick.lab.cfn.violations]).toEqual([]);
});

afterAll(async () => {
  const both = [harness, quick].filter((h) => h !== undefined);
  const faults = both.reduce(
    (n, h) =>
      n + h.lab.iam.faults.injected + h.lab.cfn.receiver.faultsInjected + h.lab.dynamodb.faultsInjected,
    0,
  );
  const responses = both.reduce((n, h) => n + h.lab.cfn.receiver.received.length, 0);
  const summary = `fault suite: ${tally.scenarios} scenarios, ${faults} faults injected, ${responses} responses checked, ${tally.lost} statements lost`;
  console.log(summary);
  await Promise.all(both.map((h) => h.close()));
  // A scenario that lost a statement has failed already; this catches one that counted without asserting.
  expect(tally.lost, summary).toBe(0);
  expect(tally.scenarios, summary).toBeGreaterThan(0);
});

/** A role whose trust holds a statement the link does not own, next to Snowflake's placeholder. */
function prepareRole(
  iam: IamStandIn,
  options: { path?: string; statements?: TrustStatement[] } = {},
): string {
  roleCount += 1;
  const roleName = `fault-role-${roleCount}`;
  iam.createRole({
    roleName,
    ...(options.path === undefined ? {} : { path: options.path }),
    trustPolicy: { Version: '2012-10-17', Statement: options.statements ?? [PLACEHOLDER, OPS] },
  });
  return roleName;
}

function linkProperties(roleName: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    RoleName: roleName,
    SnowflakeIamUserArn: SNOWFLAKE_USER,
    SnowflakeExternalId: [EXTERNAL_ID],
    ...overrides,
  };
}

/** Counts a scenario, and fails it on every statement that should be in the role's trust and is not. */
function scenarioEnds(iam: IamStandIn, roleName: string, shouldHold: TrustStatement[]): void {
  tally.scenarios += 1;
  const statements = statementsOf(iam.trustPolicy(roleName));
  const lost = shouldHold.filter((s) => !statements.some((t) => JSON.stringify(t) === JSON.stringify(s)));
  tally.lost += lost.length;
  expect(lost, `statements lost from the trust of ${roleName}`).toEqual([]);
}

function writesTo(iam: IamStandIn, roleName: string): number {
  return iam.callsOf('UpdateAssumeRolePolicy', roleName).filter((c) => c.status === 200).length;
}

describe('IAM faults', () => {
  it.each([
    ['throttling on GetRole', (iam: IamStandIn) => iam.faults.throttle({ action: 'GetRole', times: 2 })],
    [
      'throttling on the write',
      (iam: IamStandIn) => iam.faults.throttle({ action: 'UpdateAssumeRolePolicy', times: 2 }),
    ],
    ['500s from IAM', (iam: IamStandIn) => iam.faults.serviceFailure({ times: 2 })],
    [
      'ConcurrentModification on the write',
      (iam: IamStandIn) => iam.faults.concurrentModification({ action: 'UpdateAssumeRolePolicy', times: 2 }),
    ],
    ['slow answers', (iam: IamStandIn) => iam.faults.delayEachAnswer(250)],
    // IAM is eventually consistent: the read-back may not show the write yet (here 2.5 settle windows behind).
    ['reads that lag behind the writes', (iam: IamStandIn) => iam.faults.staleReads(50)],
    [
      'a connection dropped before IAM read the request',
      (iam: IamStandIn) => {
        iam.faults.hang({ action: 'GetRole', times: 1 });
        setTimeout(() => iam.dropHung(), 200);
      },
    ],
  ])('links despite %s, keeping the other statements', async (_case, inject) => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);
    inject(iam);

    const outcome = await harness.request({ requestType: 'Create', properties: linkProperties(roleName) });

    expect(outcome.status).toBe('SUCCESS');
    expect(statementsOf(iam.trustPolicy(roleName))).toEqual([linkedStatement(EXTERNAL_ID), OPS]);
    scenarioEnds(iam, roleName, [linkedStatement(EXTERNAL_ID), OPS]);
  });

  it.each([
    [
      'keeps throttling',
      (iam: IamStandIn) => iam.faults.throttle({ times: Number.POSITIVE_INFINITY }),
      /Rate exceeded|Throttl/,
    ],
    [
      'keeps failing with 500',
      (iam: IamStandIn) => iam.faults.serviceFailure({ times: Number.POSITIVE_INFINITY }),
      /ServiceFailure|unknown error/,
    ],
  ])('answers FAILED when IAM %s, and leaves the policy as it was', async (_case, inject, reason) => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);
    const before = iam.trustPolicyText(roleName);
    inject(iam);

    const outcome = await harness.request({ requestType: 'Create', properties: linkProperties(roleName) });

    expect(outcome.status).toBe('FAILED');
    expect(outcome.reason).toMatch(reason);
    expect(iam.trustPolicyText(roleName)).toBe(before);
    scenarioEnds(iam, roleName, [PLACEHOLDER, OPS]);
  });

  it.each(['Create', 'Delete'] as const)(
    'answers a %s FAILED before the deadline when IAM hangs',
    async (requestType) => {
      const { iam } = quick.lab;
      const roleName = prepareRole(iam, { statements: [linkedStatement(EXTERNAL_ID), OPS] });
      const before = iam.trustPolicyText(roleName);
      iam.faults.hang();

      const outcome = await quick.request({
        requestType,
        properties: linkProperties(roleName),
        ...(requestType === 'Delete' ? { physicalResourceId: `SnowflakeTrustLink:${roleName}:${SID}` } : {}),
      });
      const [invocation] = await outcome.invocations;

      expect(outcome.status).toBe('FAILED');
      expect(outcome.reason).toContain("did not finish within the function's time");
      expect((outcome.response?.at ?? Number.POSITIVE_INFINITY) - (invocation?.startedAt ?? 0)).toBeLessThan(
        FUNCTION_TIMEOUT_MS,
      );
      expect(invocation?.outcome).toBe('returned');
      expect(iam.trustPolicyText(roleName)).toBe(before);
      scenarioEnds(iam, roleName, [linkedStatement(EXTERNAL_ID), OPS]);
    },
  );

  /** A Create whose write hangs past the deadline, what IAM then does with it, and the Delete that follows. */
  async function createWhileTheWriteHangs(then: (iam: IamStandIn) => void) {
    const { iam } = quick.lab;
    const roleName = prepareRole(iam);
    iam.faults.hang({ action: 'UpdateAssumeRolePolicy' });
    const created = await quick.request({ requestType: 'Create', properties: linkProperties(roleName) });
    iam.faults.clear();
    then(iam);
    const deleted = await quick.request({
      requestType: 'Delete',
      properties: linkProperties(roleName),
      physicalResourceId: created.physicalResourceId ?? '',
    });
    return { iam, roleName, created, deleted };
  }

  it('answers FAILED before the deadline when the write hangs; the Delete finds nothing to undo if it was lost', async () => {
    const { iam, roleName, created, deleted } = await createWhileTheWriteHangs((i) => i.dropHung());

    expect(created.status).toBe('FAILED');
    expect(created.reason).toContain("did not finish within the function's time");
    expect(deleted.status).toBe('SUCCESS');
    expect(statementsOf(iam.trustPolicy(roleName))).toEqual([PLACEHOLDER, OPS]);
    scenarioEnds(iam, roleName, [PLACEHOLDER, OPS]);
  });

  it('answers FAILED before the deadline when the write hangs; the Delete undoes it if it lands late', async () => {
    const { iam, roleName, created, deleted } = await createWhileTheWriteHangs((i) => i.release());

    expect(created.status).toBe('FAILED');
    expect(deleted.status).toBe('SUCCESS');
    expect(statementsOf(iam.trustPolicy(roleName))).toEqual([OPS]);
    scenarioEnds(iam, roleName, [OPS]);
  });

  it('delivers its answer when the response URL fails at first', async () => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);
    harness.lab.cfn.receiver.failNextPuts(2);

    const outcome = await harness.request({ requestType: 'Create', properties: linkProperties(roleName) });

    expect(outcome.status).toBe('SUCCESS');
    expect(outcome.timedOut).toBe(false);
    scenarioEnds(iam, roleName, [linkedStatement(EXTERNAL_ID), OPS]);
  });
});

describe('two writers on one role', () => {
  async function until(condition: () => boolean): Promise<void> {
    for (let waited = 0; !condition(); waited += 10) {
      if (waited > 5000) throw new Error('timed out waiting for the lab');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('keeps both links when one write is cut off: the other waits for the lease, then merges', async () => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);
    const linkA = linkedStatement(EXTERNAL_ID, { sid: 'LinkA' });
    const linkB = linkedStatement(NEW_EXTERNAL_ID, { sid: 'LinkB' });
    iam.faults.hang({ action: 'UpdateAssumeRolePolicy', times: 1 });

    const first = harness.request({
      requestType: 'Create',
      logicalResourceId: 'LinkA',
      properties: linkProperties(roleName, { StatementSid: 'LinkA' }),
    });
    await until(() => iam.calls.some((c) => c.roleName === roleName && c.fault === 'Hang'));
    const second = harness.request({
      requestType: 'Create',
      logicalResourceId: 'LinkB',
      properties: linkProperties(roleName, { StatementSid: 'LinkB', SnowflakeExternalId: NEW_EXTERNAL_ID }),
    });
    setTimeout(() => iam.dropHung(), 300);
    const outcomes = await Promise.all([first, second]);

    expect(outcomes.map((o) => o.status)).toEqual(['SUCCESS', 'SUCCESS']);
    scenarioEnds(iam, roleName, [linkA, linkB, OPS]);
    expect(statementsOf(iam.trustPolicy(roleName))).toEqual(expect.arrayContaining([linkA, linkB, OPS]));
  });
});

describe('the lease on a role', () => {
  /** A DynamoDB request that gives up the lease on this role. */
  const releaseOf =
    (roleName: string) =>
    (operation: string, input: Record<string, unknown>): boolean =>
      operation === 'UpdateItem' &&
      String(input.UpdateExpression).includes('REMOVE #holder') &&
      JSON.stringify(input.Key).includes(`role/${roleName}`);

  it('links on a first deploy while DynamoDB still denies the table grant, waiting for IAM to propagate it', async () => {
    const { iam, dynamodb } = harness.lab;
    const roleName = prepareRole(iam);
    dynamodb.denyAccess(2000);

    const outcome = await harness.request({ requestType: 'Create', properties: linkProperties(roleName) });

    expect(outcome.status).toBe('SUCCESS');
    expect(dynamodb.calls.filter((c) => c.error === 'AccessDeniedException').length).toBeGreaterThan(0);
    expect(statementsOf(iam.trustPolicy(roleName))).toEqual([linkedStatement(EXTERNAL_ID), OPS]);
    scenarioEnds(iam, roleName, [linkedStatement(EXTERNAL_ID), OPS]);
  });

  it.each([
    ['is lost once: it is sent again', 1, 2000],
    // Every attempt lost: the lease ends by itself, a term (late-write window + 4 s) after its last renewal.
    ['never lands: its short term ends it', 3, 1500 + 4000 + 2000],
  ])('lets the next link on the role go within seconds when a release %s', async (_case, lost, withinMs) => {
    const { iam, dynamodb } = harness.lab;
    const roleName = prepareRole(iam);
    const linkA = linkedStatement(EXTERNAL_ID, { sid: 'LinkA' });
    const linkB = linkedStatement(NEW_EXTERNAL_ID, { sid: 'LinkB' });
    const callsBefore = dynamodb.calls.length;
    dynamodb.dropRequests(lost, releaseOf(roleName));

    const first = await harness.request({
      requestType: 'Create',
      logicalResourceId: 'LinkA',
      properties: linkProperties(roleName, { StatementSid: 'LinkA' }),
    });
    const started = Date.now();
    const second = await harness.request({
      requestType: 'Create',
      logicalResourceId: 'LinkB',
      properties: linkProperties(roleName, { StatementSid: 'LinkB', SnowflakeExternalId: NEW_EXTERNAL_ID }),
    });
    const waited = Date.now() - started;

    expect([first.status, second.status]).toEqual(['SUCCESS', 'SUCCESS']);
    expect(dynamodb.calls.slice(callsBefore).filter((c) => c.error === 'Dropped')).toHaveLength(lost);
    expect(waited).toBeLessThan(withinMs);
    expect(statementsOf(iam.trustPolicy(roleName))).toEqual(expect.arrayContaining([linkA, linkB, OPS]));
    scenarioEnds(iam, roleName, [linkA, linkB, OPS]);
  });

  it('refuses to link from a function deployed without its lock table, naming the setting, and writes nothing', async () => {
    const { iam } = harness.lab;
    const stack = harness.lab.cfn.stack('no-lock-table');
    const template = linkStackTemplate([{ logicalId: 'Link', sid: SID }]);
    const fn = template.Resources.TrustLinkFunction?.Properties as { Environment: { Variables: object } };
    fn.Environment.Variables = { TRUST_LINK_STACK_ID: { Ref: 'AWS::StackId' } };

    const result = await stack.create(template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Create Link FAILED', 'Delete Link SUCCESS']);
    expect(result.requests[0]?.reason).toContain('TRUST_LINK_LOCK_TABLE is not set');
    expect(result.requests[0]?.reason).toContain('LinkLockTable');
    expect(result.requests[0]?.reason).not.toContain('IAM did not answer');
    expect(iam.callsOf('UpdateAssumeRolePolicy', 'no-lock-table-a')).toEqual([]);
    expect(iam.callsOf('TagRole', 'no-lock-table-a')).toEqual([]);
    tally.scenarios += 1;
  });
});

describe('late asynchronous events', () => {
  it('never starts a Create that Lambda held back past its event age: CloudFormation fails it and nothing is linked', async () => {
    const { iam, cfn, dynamodb } = harness.lab;
    const roleName = prepareRole(iam);
    const before = iam.trustPolicyText(roleName);
    dynamodb.createTable('aged-locks', 'LockId');
    // As the templates bound it, scaled down: event age (1 s) + Timeout (2 s) < ServiceTimeout (3.5 s).
    const fn = cfn.function({
      functionName: 'trust-link-aged',
      modulePath: BUNDLE,
      timeoutMs: 2000,
      maxEventAgeMs: 1000,
      environment: { TRUST_LINK_LOCK_TABLE: 'aged-locks' },
    });
    // Throttled past CloudFormation's wait: without the age bound, the event would run after it gave up.
    fn.throttle(5000);

    const outcome = await sendRequest(fn, cfn.receiver, {
      requestType: 'Create',
      stackId:
        'arn:aws:cloudformation:us-east-1:123456789012:stack/e2e-late/22222222-2222-4222-8222-222222222222',
      logicalResourceId: 'Link',
      resourceType: 'Custom::SnowflakeTrustLink',
      properties: { ServiceToken: fn.arn, ServiceTimeout: '4', ...linkProperties(roleName) },
      serviceTimeoutMs: 3500,
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await fn.settled();

    expect(outcome.timedOut).toBe(true);
    expect(fn.invocations).toEqual([]);
    expect(fn.discarded).toHaveLength(1);
    expect(iam.trustPolicyText(roleName)).toBe(before);
    expect(iam.tags(roleName)).toEqual([]);
    scenarioEnds(iam, roleName, [PLACEHOLDER, OPS]);
  });
});

// The bad inputs of the handler's issue: each is refused before anything is written.
const BAD_INPUT: Array<[string, (roleName: string) => Record<string, unknown>, string]> = [
  [
    'no SnowflakeIamUserArn',
    (r) => ({ RoleName: r, SnowflakeExternalId: EXTERNAL_ID }),
    'SnowflakeIamUserArn is required',
  ],
  [
    'an empty SnowflakeIamUserArn',
    (r) => linkProperties(r, { SnowflakeIamUserArn: '' }),
    'SnowflakeIamUserArn',
  ],
  [
    'no SnowflakeExternalId',
    (r) => ({ RoleName: r, SnowflakeIamUserArn: SNOWFLAKE_USER }),
    'SnowflakeExternalId',
  ],
  [
    'an empty SnowflakeExternalId',
    (r) => linkProperties(r, { SnowflakeExternalId: '' }),
    'SnowflakeExternalId',
  ],
  [
    'neither RoleName nor RoleArn',
    () => ({ SnowflakeIamUserArn: SNOWFLAKE_USER, SnowflakeExternalId: EXTERNAL_ID }),
    'RoleName',
  ],
  [
    'RoleName and RoleArn that disagree',
    (r) => linkProperties(r, { RoleArn: 'arn:aws:iam::123456789012:role/another-role' }),
    'RoleArn',
  ],
  [
    'the typo SnowflakeExternalID',
    (r) => ({ ...linkProperties(r), SnowflakeExternalID: EXTERNAL_ID }),
    'SnowflakeExternalID',
  ],
  [
    'a role ARN as the user ARN',
    (r) => linkProperties(r, { SnowflakeIamUserArn: 'arn:aws:iam::123456789001:role/snowflake' }),
    'is a role ARN',
  ],
  [
    "the seed example's 13-digit account",
    (r) =>
      linkProperties(r, {
        SnowflakeIamUserArn: 'arn:aws:iam::1234567898012:user/development/development_user',
      }),
    'an AWS account id has 12 digits',
  ],
  [
    'whitespace inside the user ARN',
    (r) => linkProperties(r, { SnowflakeIamUserArn: 'arn:aws:iam::123456789001:user/abc1-b- self1234' }),
    'contains whitespace',
  ],
  ['a one-character external id', (r) => linkProperties(r, { SnowflakeExternalId: 'x' }), 'too short'],
  [
    'a 1225-character external id',
    (r) => linkProperties(r, { SnowflakeExternalId: 'x'.repeat(1225) }),
    'at most 1224',
  ],
  [
    'a character no external id has',
    (r) => linkProperties(r, { SnowflakeExternalId: 'MYACCOUNT_SFCRole#2' }),
    '"#"',
  ],
  [
    'a stray comma in the external ids',
    (r) => linkProperties(r, { SnowflakeExternalId: `${EXTERNAL_ID},` }),
    'SnowflakeExternalId',
  ],
  [
    'a Sid that is not alphanumeric',
    (r) => linkProperties(r, { StatementSid: 'Snowflake-Link' }),
    'StatementSid',
  ],
  [
    'a RoleArn of another account',
    (r) => linkProperties(r, { RoleName: undefined, RoleArn: `arn:aws:iam::999999999999:role/${r}` }),
    'does not match',
  ],
  [
    'a non-ASCII character in an external id (the Reason is sent in bytes)',
    (r) => linkProperties(r, { SnowflakeExternalId: 'MYACCOUNT_SFCRole=2_é' }),
    '"é"',
  ],
  [
    'a value so long that the Reason would pass 4096 bytes',
    (r) => linkProperties(r, { SnowflakeIamUserArn: `arn:aws:iam::123456789001:user/${'x'.repeat(5000)}` }),
    'SnowflakeIamUserArn',
  ],
];

describe('bad input', () => {
  it.each(BAD_INPUT)(
    'refuses %s on Create, writes nothing, and its Delete touches nothing',
    async (_case, properties, reason) => {
      const { iam } = harness.lab;
      const roleName = prepareRole(iam);
      const before = iam.trustPolicyText(roleName);

      const created = await harness.request({ requestType: 'Create', properties: properties(roleName) });
      const callsBeforeDelete = iam.calls.length;
      const deleted = await harness.request({
        requestType: 'Delete',
        properties: properties(roleName),
        physicalResourceId: created.physicalResourceId ?? '',
      });

      expect(created.status).toBe('FAILED');
      expect(created.reason).toContain(reason);
      expect(created.physicalResourceId).toMatch(/^SnowflakeTrustLink-CreateFailed:/);
      expect(deleted.status).toBe('SUCCESS');
      // The Delete may look for a record of the failed Create to take back; it writes nothing.
      expect(iam.calls.slice(callsBeforeDelete).map((c) => c.action)).not.toContain('UpdateAssumeRolePolicy');
      expect(iam.calls.slice(callsBeforeDelete).map((c) => c.action)).not.toContain('TagRole');
      expect(writesTo(iam, roleName)).toBe(0);
      expect(iam.tags(roleName)).toEqual([]);
      expect(iam.trustPolicyText(roleName)).toBe(before);
      scenarioEnds(iam, roleName, [PLACEHOLDER, OPS]);
    },
  );

  it.each(BAD_INPUT)(
    'refuses %s on Update, keeping the physical id and the link',
    async (_case, properties, reason) => {
      const { iam } = harness.lab;
      const roleName = prepareRole(iam);
      const created = await harness.request({ requestType: 'Create', properties: linkProperties(roleName) });
      const before = iam.trustPolicyText(roleName);

      const updated = await harness.request({
        requestType: 'Update',
        properties: properties(roleName),
        oldProperties: linkProperties(roleName),
        physicalResourceId: created.physicalResourceId ?? '',
      });

      expect(updated.status).toBe('FAILED');
      expect(updated.reason).toContain(reason);
      expect(updated.physicalResourceId).toBe(created.physicalResourceId);
      expect(iam.trustPolicyText(roleName)).toBe(before);
      scenarioEnds(iam, roleName, [linkedStatement(EXTERNAL_ID), OPS]);
    },
  );

  it.each([
    ['a role that does not exist', () => 'no-such-role', {}, 'does not exist'],
    [
      'a policy that would exceed the quota',
      (iam: IamStandIn) =>
        prepareRole(iam, {
          statements: [
            PLACEHOLDER,
            ...Array.from({ length: 7 }, (_, i) => ({
              ...OPS,
              Sid: `Ops${i}`,
              Condition: { StringEquals: { 'sts:ExternalId': `${'o'.repeat(60)}${i}` } },
            })),
          ],
        }),
      { SnowflakeExternalId: [EXTERNAL_ID, NEW_EXTERNAL_ID, `${'n'.repeat(300)}`] },
      'ACLSizePerRole',
    ],
    [
      'a Snowflake user IAM does not know',
      (iam: IamStandIn) => prepareRole(iam),
      { SnowflakeIamUserArn: 'arn:aws:iam::123456789003:user/unknown' },
      'Invalid principal in policy',
    ],
    [
      'a statement it does not own naming a deleted user',
      (iam: IamStandIn) => {
        const person = `arn:aws:iam::123456789012:user/left-${roleCount}`;
        iam.addKnownPrincipal(person);
        const roleName = prepareRole(iam, {
          statements: [PLACEHOLDER, { ...OPS, Principal: { AWS: person } }],
        });
        iam.removeKnownPrincipal(person);
        return roleName;
      },
      {},
      'Invalid principal in policy: "AWS":"AIDA',
    ],
    [
      'a Sid that another link already holds',
      (iam: IamStandIn) =>
        prepareRole(iam, { statements: [OPS, linkedStatement('STORAGE_SFCRole=4_anotherIntegration=')] }),
      {},
      'StatementSid "SnowflakeTrustLink" is already taken',
    ],
    [
      'a role only AWS may modify',
      (iam: IamStandIn) => prepareRole(iam, { path: '/aws-service-role/' }),
      {},
      'protected role',
    ],
  ])(
    'answers FAILED for %s with IAM’s words, and leaves the policy as it was',
    async (_case, role, overrides, reason) => {
      const { iam } = harness.lab;
      const roleName = role(iam);
      const before = iam.trustPolicyText(roleName);

      const created = await harness.request({
        requestType: 'Create',
        properties: linkProperties(roleName, overrides),
      });
      await harness.request({
        requestType: 'Delete',
        properties: linkProperties(roleName, overrides),
        physicalResourceId: created.physicalResourceId ?? '',
      });

      expect(created.status).toBe('FAILED');
      expect(created.reason).toContain(reason);
      expect(writesTo(iam, roleName)).toBe(0);
      expect(iam.trustPolicyText(roleName)).toBe(before);
      tally.scenarios += 1;
    },
  );

  it('trims whitespace around values and drops repeated ids', async () => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);

    const outcome = await harness.request({
      requestType: 'Create',
      properties: linkProperties(` ${roleName} `, {
        SnowflakeIamUserArn: ` ${SNOWFLAKE_USER}\n`,
        SnowflakeExternalId: [` ${EXTERNAL_ID}`, `${EXTERNAL_ID} `],
      }),
    });

    expect(outcome.status).toBe('SUCCESS');
    expect(outcome.data.ExternalIds).toBe(EXTERNAL_ID);
    scenarioEnds(iam, roleName, [linkedStatement(EXTERNAL_ID), OPS]);
  });
});

describe('malformed events', () => {
  async function rawRequest(event: Record<string, unknown>): Promise<CustomResourceOutcome['response']> {
    const slot = {
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/raw/1',
      RequestId: `raw-${Math.random()}`,
      LogicalResourceId: 'Link',
      RequestType: String(event.RequestType),
    };
    const pending = harness.lab.cfn.receiver.expect(slot);
    await harness.fn.invokeAsync({
      ...slot,
      ResponseURL: pending.url,
      ResourceType: 'Custom::SnowflakeTrustLink',
      ...event,
    });
    const response = await pending.first(1000);
    pending.expire();
    return response;
  }

  it.each([
    ['no ResourceProperties', { RequestType: 'Create' }],
    ['an unknown RequestType', { RequestType: 'Upsert', ResourceProperties: linkProperties('any-role') }],
    ['properties that are not an object', { RequestType: 'Create', ResourceProperties: 'RoleName=x' }],
  ])('answers FAILED to an event with %s', async (_case, event) => {
    const response = await rawRequest(event);

    expect(response?.response?.Status).toBe('FAILED');
    expect(response?.response?.Reason).toEqual(expect.any(String));
    tally.scenarios += 1;
  });

  it('never writes the response URL into its logs', async () => {
    const invocations = [...harness.fn.invocations, ...quick.fn.invocations];
    const signatures = [...harness.lab.cfn.receiver.received, ...quick.lab.cfn.receiver.received].map(
      (r) => r.slot.RequestId,
    );
    const lines = invocations.flatMap((i) => i.logs);

    expect(invocations.length).toBeGreaterThan(10);
    expect(
      lines.filter((line) => /X-Amz-Signature|cloudformation-custom-resource-response/.test(line)),
    ).toEqual([]);
    expect(signatures.length).toBeGreaterThan(0);
    tally.scenarios += 1;
  });
});

describe('ownership', () => {
  const linkIdOf = (roleName: string, sid = SID) => `SnowflakeTrustLink:${roleName}:${sid}`;
  const otherStack =
    'arn:aws:cloudformation:us-east-1:123456789012:stack/e2e-other/11111111-1111-4111-8111-111111111111';
  let stackCount = 0;
  function newStack() {
    stackCount += 1;
    const stack = harness.lab.cfn.stack(`own${stackCount}`);
    return { stack, roleA: `${stack.stackName}-a`, roleB: `${stack.stackName}-b` };
  }

  it.each([
    ['keeps the link when a template rename replaces the resource', {}, EXTERNAL_ID],
    [
      'ends with the new id when a rename comes with a rotation',
      { RenamedExternalId: NEW_EXTERNAL_ID },
      NEW_EXTERNAL_ID,
    ],
  ])('%s, and the last owner removes it', async (_case, parameters, inForce) => {
    const { iam } = harness.lab;
    const { stack, roleA } = newStack();
    await stack.create(linkStackTemplate([{ logicalId: 'Link', sid: SID }]));

    const renamed = await stack.update({
      template: linkStackTemplate([{ logicalId: 'Renamed', sid: SID }]),
      parameters,
    });
    const afterRename = statementsOf(iam.trustPolicy(roleA));
    const tagsAfterRename = iam.tags(roleA) ?? [];
    const removed = await stack.update({ template: linkStackTemplate([]), parameters: {} });

    expect(renamed.status).toBe('UPDATE_COMPLETE');
    expect(requestLines(renamed.requests)).toEqual(['Create Renamed SUCCESS', 'Delete Link SUCCESS']);
    expect(afterRename).toEqual([linkedStatement(inForce)]);
    expect(tagsAfterRename.map((tag) => tag.value.split(' ').at(-1))).toEqual([`${stack.stackName}/Renamed`]);
    expect(requestLines(removed.requests)).toEqual(['Delete Renamed SUCCESS']);
    expect(iam.trustPolicy(roleA)).toEqual(placeholderPolicy());
    expect(iam.tags(roleA)).toEqual([]);
    scenarioEnds(iam, roleA, []);
  });

  it.each([
    ['the same values', {}],
    ['different values', { SnowflakeExternalId: [NEW_EXTERNAL_ID] }],
  ])(
    'refuses a second stack claiming the role and Sid with %s, naming the owner, and changes nothing',
    async (_case, overrides) => {
      const { iam } = harness.lab;
      const roleName = prepareRole(iam);
      await harness.request({ requestType: 'Create', properties: linkProperties(roleName) });
      const before = iam.trustPolicyText(roleName);
      const tagsBefore = iam.tags(roleName);

      const second = await harness.request({
        requestType: 'Create',
        stackId: otherStack,
        properties: linkProperties(roleName, overrides),
      });
      const secondDeleted = await harness.request({
        requestType: 'Delete',
        stackId: otherStack,
        properties: linkProperties(roleName, overrides),
        physicalResourceId: second.physicalResourceId ?? '',
      });

      expect(second.status).toBe('FAILED');
      expect(second.reason).toContain('is linked by another stack (e2e-direct/Link)');
      expect(second.physicalResourceId).toMatch(/^SnowflakeTrustLink-CreateFailed:/);
      expect(secondDeleted.status).toBe('SUCCESS');
      expect(iam.trustPolicyText(roleName)).toBe(before);
      expect(iam.tags(roleName)).toEqual(tagsBefore);
      scenarioEnds(iam, roleName, [linkedStatement(EXTERNAL_ID), OPS]);
    },
  );

  it('names the exact command that clears the record of a stack that no longer exists, and links once it ran', async () => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);
    // The other stack linked the role, then went away keeping its link (delete-stack --retain-resources).
    await harness.request({
      requestType: 'Create',
      stackId: otherStack,
      properties: linkProperties(roleName),
    });
    const before = iam.trustPolicyText(roleName);

    const refused = await harness.request({ requestType: 'Create', properties: linkProperties(roleName) });
    const command = /aws iam untag-role --role-name '([^']+)' --tag-keys ((?:'[^']+' ?)+)/.exec(
      refused.reason ?? '',
    );
    const keys = [...(command?.[2] ?? '').matchAll(/'([^']+)'/g)].map((match) => match[1] ?? '');
    await new IAMClient({
      endpoint: iam.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLAB', secretAccessKey: 'secret' },
    }).send(new UntagRoleCommand({ RoleName: command?.[1], TagKeys: keys }));
    const linked = await harness.request({ requestType: 'Create', properties: linkProperties(roleName) });

    expect(refused.status).toBe('FAILED');
    expect(refused.reason).toContain('is linked by another stack (e2e-other/Link)');
    expect(command?.[1]).toBe(roleName);
    expect(keys).toEqual([expect.stringMatching(/^SnowflakeTrustLink:[0-9a-f]{24}$/)]);
    expect(iam.trustPolicyText(roleName)).toBe(before);
    expect(linked.status).toBe('SUCCESS');
    expect(iam.tags(roleName)?.map((tag) => tag.value.split(' ').at(-1))).toEqual(['e2e-direct/Link']);
    scenarioEnds(iam, roleName, [linkedStatement(EXTERNAL_ID), OPS]);
  });

  it('keeps a statement two resources of one stack share until the last of them is deleted', async () => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);
    for (const logicalResourceId of ['First', 'Second']) {
      await harness.request({
        requestType: 'Create',
        logicalResourceId,
        properties: linkProperties(roleName),
      });
    }

    await harness.request({
      requestType: 'Delete',
      logicalResourceId: 'First',
      properties: linkProperties(roleName),
      physicalResourceId: linkIdOf(roleName),
    });
    const afterFirst = statementsOf(iam.trustPolicy(roleName));
    await harness.request({
      requestType: 'Delete',
      logicalResourceId: 'Second',
      properties: linkProperties(roleName),
      physicalResourceId: linkIdOf(roleName),
    });

    expect(afterFirst).toEqual([linkedStatement(EXTERNAL_ID), OPS]);
    expect(statementsOf(iam.trustPolicy(roleName))).toEqual([OPS]);
    expect(iam.tags(roleName)).toEqual([]);
    scenarioEnds(iam, roleName, [OPS]);
  });

  /** A move to another role whose write hangs past the deadline, what IAM does with it, and the rollback. */
  async function failedMove(then: (iam: IamStandIn) => void) {
    const { iam } = quick.lab;
    const home = prepareRole(iam);
    const other = prepareRole(iam, { statements: [{ ...PLACEHOLDER, Sid: SID }, OPS] });
    await quick.request({ requestType: 'Create', properties: linkProperties(home) });
    iam.faults.hang({ action: 'UpdateAssumeRolePolicy', role: other });
    const moved = await quick.request({
      requestType: 'Update',
      properties: linkProperties(other),
      oldProperties: linkProperties(home),
      physicalResourceId: linkIdOf(home),
    });
    iam.faults.clear();
    then(iam);
    // CloudFormation rolls the failed update back: the old properties again, the failed ones as the old.
    const rolledBack = await quick.request({
      requestType: 'Update',
      properties: linkProperties(home),
      oldProperties: linkProperties(other),
      physicalResourceId: linkIdOf(home),
    });
    return { iam, home, other, moved, rolledBack };
  }

  it('leaves the other role as it was after a failed move whose write lands late', async () => {
    const { iam, home, other, moved, rolledBack } = await failedMove((i) => i.release());

    expect(moved.status).toBe('FAILED');
    expect(moved.physicalResourceId).toBe(linkIdOf(home));
    expect(rolledBack.status).toBe('SUCCESS');
    expect(statementsOf(iam.trustPolicy(other))).toEqual([OPS]);
    expect(iam.tags(other)).toEqual([]);
    expect(statementsOf(iam.trustPolicy(home))).toEqual([linkedStatement(EXTERNAL_ID), OPS]);
    scenarioEnds(iam, other, [OPS]);
  });

  it('leaves the other role as it was when the write of a failed move lands during the rollback', async () => {
    const { iam, other, moved, rolledBack } = await failedMove(
      // The write lands half a second into the rollback: the hold on the role keeps the rollback from reading before.
      (i) => setTimeout(() => i.release(), 500),
    );

    expect(moved.status).toBe('FAILED');
    expect(rolledBack.status).toBe('SUCCESS');
    expect(statementsOf(iam.trustPolicy(other))).toEqual([OPS]);
    expect(iam.tags(other)).toEqual([]);
    scenarioEnds(iam, other, [OPS]);
  });

  it('leaves the placeholder under the Sid after a failed move whose write was dropped', async () => {
    const { iam, other, moved, rolledBack } = await failedMove((i) => i.dropHung());

    expect(moved.status).toBe('FAILED');
    expect(rolledBack.status).toBe('SUCCESS');
    expect(statementsOf(iam.trustPolicy(other))).toEqual([{ ...PLACEHOLDER, Sid: SID }, OPS]);
    expect(iam.tags(other)).toEqual([]);
    scenarioEnds(iam, other, [{ ...PLACEHOLDER, Sid: SID }, OPS]);
  });

  it('answers once, before its deadline, when the response URL never answers', async () => {
    const { iam, cfn } = quick.lab;
    const roleName = prepareRole(iam);
    cfn.receiver.ignoreNextPuts(20);

    const outcome = await quick.request({ requestType: 'Create', properties: linkProperties(roleName) });
    const invocations = await outcome.invocations;
    cfn.receiver.ignoreNextPuts(0);
    const attempts = cfn.receiver.unanswered.filter((put) => put.slot.RequestId === outcome.event.RequestId);

    expect(outcome.timedOut).toBe(true);
    expect(invocations.map((i) => i.outcome)).toEqual(['returned']);
    expect(invocations[0]?.durationMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(attempts.length).toBeGreaterThan(0);
    expect(new Set(attempts.map((put) => put.body)).size).toBe(1);
    expect(JSON.parse(attempts[0]?.body ?? '{}').Status).toBe('SUCCESS');
    scenarioEnds(iam, roleName, [linkedStatement(EXTERNAL_ID), OPS]);
  });

  it.each([
    [
      'with the properties of a link',
      (roleName: string) => linkProperties(roleName, { StatementSid: 'Keep' }),
    ],
    ['with no properties', () => ({})],
  ])(
    "leaves a person's statement alone on a crafted Delete naming its Sid, %s",
    async (_case, properties) => {
      const { iam } = harness.lab;
      const persons = linkedStatement('PERSON_SFCRole=9_zz', { sid: 'Keep' });
      const roleName = prepareRole(iam, { statements: [persons, OPS] });

      const deleted = await harness.request({
        requestType: 'Delete',
        properties: properties(roleName),
        physicalResourceId: linkIdOf(roleName, 'Keep'),
      });

      expect(deleted.status).toBe('SUCCESS');
      expect(statementsOf(iam.trustPolicy(roleName))).toEqual([persons, OPS]);
      scenarioEnds(iam, roleName, [persons, OPS]);
    },
  );

  it("refuses a link from a stack that borrows another stack's ServiceToken", async () => {
    const { iam } = harness.lab;
    const { stack: owner } = newStack();
    await owner.create(linkStackTemplate([]));
    const { stack: borrower, roleA } = newStack();
    const template = linkStackTemplate([{ logicalId: 'Link', sid: SID }]);
    const link = template.Resources.Link?.Properties as Record<string, unknown>;
    link.ServiceToken = owner.resource('TrustLinkFunction')?.attributes.Arn;

    const result = await borrower.create(template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.requests[0]?.reason).toContain(`This link function belongs to stack "${owner.stackName}"`);
    expect(result.requests[0]?.reason).toContain(`Deploy a link function in stack "${borrower.stackName}"`);
    expect(iam.trustPolicy(roleA)).toBeUndefined();
    tally.scenarios += 1;
  });

  it('loses no statement when three links are made at once while IAM reads lag 1.5 s behind', async () => {
    const { iam } = harness.lab;
    const { stack, roleA } = newStack();
    const links = ['One', 'Two', 'Three'].map((n) => ({ logicalId: `Link${n}`, sid: `Integration${n}` }));
    iam.faults.staleReads(1500);

    const created = await stack.create(linkStackTemplate(links));
    iam.faults.clear();

    expect(created.status).toBe('CREATE_COMPLETE');
    const statements = statementsOf(iam.trustPolicy(roleA));
    expect(links.map(({ sid }) => statements.some((s) => s.Sid === sid))).toEqual([true, true, true]);
    scenarioEnds(
      iam,
      roleA,
      links.map(({ sid }) => linkedStatement(EXTERNAL_ID, { sid })),
    );
  });

  it('leaves a hand-made trust of the same Snowflake user for another external id byte for byte through Create, Update and Delete', async () => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);
    // Another integration of the same Snowflake account (one IAM user per account), linked by hand.
    const theirs =
      '{"Effect":"Allow","Principal":{"AWS":"' +
      SNOWFLAKE_USER +
      '"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"OTHER_SFCRole=9_storage0000000000000="}}}';
    iam.setTrustPolicy(roleName, `{"Version":"2012-10-17","Statement":[${theirs}]}`);
    const texts: string[] = [];

    const created = await harness.request({ requestType: 'Create', properties: linkProperties(roleName) });
    texts.push(iam.trustPolicyText(roleName) ?? '');
    const updated = await harness.request({
      requestType: 'Update',
      properties: linkProperties(roleName, { SnowflakeExternalId: [NEW_EXTERNAL_ID] }),
      oldProperties: linkProperties(roleName),
      physicalResourceId: created.physicalResourceId ?? '',
    });
    texts.push(iam.trustPolicyText(roleName) ?? '');
    const deleted = await harness.request({
      requestType: 'Delete',
      properties: linkProperties(roleName, { SnowflakeExternalId: [NEW_EXTERNAL_ID] }),
      physicalResourceId: created.physicalResourceId ?? '',
    });

    expect([created.status, updated.status, deleted.status]).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(texts[0]).toBe(
      `{"Version":"2012-10-17","Statement":[${theirs},${JSON.stringify(linkedStatement(EXTERNAL_ID))}]}`,
    );
    expect(texts[1]).toBe(
      `{"Version":"2012-10-17","Statement":[${theirs},${JSON.stringify(linkedStatement(NEW_EXTERNAL_ID))}]}`,
    );
    expect(iam.trustPolicyText(roleName)).toBe(`{"Version":"2012-10-17","Statement":[${theirs}]}`);
    scenarioEnds(iam, roleName, [JSON.parse(theirs) as TrustStatement]);
  });

  it('keeps every number of another statement exactly as written', async () => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);
    const bigNumber =
      '{"Sid":"Big","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":98765432109876543210},"NumericEquals":{"aws:EpochTime":1.0}}}';
    iam.setTrustPolicy(roleName, `{"Version":"2012-10-17","Statement":[${bigNumber}]}`);

    const created = await harness.request({ requestType: 'Create', properties: linkProperties(roleName) });
    const deleted = await harness.request({
      requestType: 'Delete',
      properties: linkProperties(roleName),
      physicalResourceId: created.physicalResourceId ?? '',
    });

    expect(created.status).toBe('SUCCESS');
    expect(deleted.status).toBe('SUCCESS');
    expect(iam.trustPolicyText(roleName)).toBe(`{"Version":"2012-10-17","Statement":[${bigNumber}]}`);
    tally.scenarios += 1;
  });
});

describe('rotation with a current id, request by request', () => {
  const THIRD = 'MYACCOUNT_SFCRole=2_c000000/u2cDEFGhIJklmNoPqRs=';
  const both = [NEW_EXTERNAL_ID, EXTERNAL_ID];
  const first = (roleName: string) => linkProperties(roleName, { CurrentExternalId: EXTERNAL_ID });
  const rotating = (roleName: string, overrides: Record<string, unknown> = {}) =>
    linkProperties(roleName, { SnowflakeExternalId: both, CurrentExternalId: NEW_EXTERNAL_ID, ...overrides });
  // The same link with the role given by its ARN: a change of properties that moves nothing.
  const byArn = (roleName: string) => {
    const { RoleName: _name, ...rest } = rotating(roleName);
    return { ...rest, RoleArn: `arn:aws:iam::123456789012:role/${roleName}` };
  };

  /** A request to the revocation resource, as CloudFormation sends it. */
  function revocation(
    requestType: 'Create' | 'Update' | 'Delete',
    roleName: string,
    currentId: string,
    options: { physicalResourceId?: string; stackId?: string } = {},
  ): Promise<CustomResourceOutcome> {
    const { fn, lab } = harness;
    return sendRequest(fn, lab.cfn.receiver, {
      requestType,
      stackId: options.stackId ?? STACK_ID,
      logicalResourceId: 'Revocation',
      resourceType: 'Custom::SnowflakeTrustLinkRevocation',
      properties: { ServiceToken: fn.arn, RoleName: roleName, CurrentExternalId: currentId },
      ...(options.physicalResourceId === undefined ? {} : { physicalResourceId: options.physicalResourceId }),
      serviceTimeoutMs: 30_000,
    });
  }

  /** Create, then the rotating Update: the role trusts both ids, and the old revocation's id is returned. */
  async function rotate(roleName: string): Promise<{ linkId: string; oldRevocation: string }> {
    const created = await harness.request({ requestType: 'Create', properties: first(roleName) });
    const made = await revocation('Create', roleName, EXTERNAL_ID);
    await harness.request({
      requestType: 'Update',
      properties: rotating(roleName),
      oldProperties: first(roleName),
      physicalResourceId: created.physicalResourceId ?? '',
    });
    return { linkId: created.physicalResourceId ?? '', oldRevocation: made.physicalResourceId ?? '' };
  }

  it('never trusts a revoked id again on a later Update whose properties still list it', async () => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);
    const { linkId, oldRevocation } = await rotate(roleName);
    const revoked = await revocation('Delete', roleName, EXTERNAL_ID, { physicalResourceId: oldRevocation });
    const writes = writesTo(iam, roleName);

    // The same role by its ARN: a change of properties, with the integration's attribute still listing both.
    const later = await harness.request({
      requestType: 'Update',
      properties: byArn(roleName),
      oldProperties: rotating(roleName),
      physicalResourceId: linkId,
    });

    expect(revoked.status).toBe('SUCCESS');
    expect(later.status).toBe('SUCCESS');
    expect(later.data).toMatchObject({ ExternalIds: NEW_EXTERNAL_ID, RetiringExternalIds: 'none' });
    expect(writesTo(iam, roleName)).toBe(writes);
    expect(statementsOf(iam.trustPolicy(roleName))).toEqual([linkedStatement(NEW_EXTERNAL_ID), OPS]);
    scenarioEnds(iam, roleName, [OPS, linkedStatement(NEW_EXTERNAL_ID)]);
  });

  it('revokes on the next Update that keeps the current id what a failed revocation left', async () => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);
    const { linkId } = await rotate(roleName);

    const later = await harness.request({
      requestType: 'Update',
      properties: byArn(roleName),
      oldProperties: rotating(roleName),
      physicalResourceId: linkId,
    });

    expect(later.status).toBe('SUCCESS');
    expect(statementsOf(iam.trustPolicy(roleName))).toEqual([linkedStatement(NEW_EXTERNAL_ID), OPS]);
    scenarioEnds(iam, roleName, [OPS, linkedStatement(NEW_EXTERNAL_ID)]);
  });

  it("ignores a revocation's Delete from another stack, and one whose id is still current", async () => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);
    const { oldRevocation } = await rotate(roleName);
    const before = iam.trustPolicyText(roleName);
    const tagsBefore = iam.tags(roleName);
    const otherStack =
      'arn:aws:cloudformation:us-east-1:123456789012:stack/e2e-other/22222222-2222-4222-8222-222222222222';
    const current = await revocation('Create', roleName, NEW_EXTERNAL_ID);

    const foreign = await revocation('Delete', roleName, EXTERNAL_ID, {
      physicalResourceId: oldRevocation,
      stackId: otherStack,
    });
    const stillCurrent = await revocation('Delete', roleName, NEW_EXTERNAL_ID, {
      physicalResourceId: current.physicalResourceId ?? '',
    });

    expect([foreign.status, stillCurrent.status]).toEqual(['SUCCESS', 'SUCCESS']);
    expect(iam.trustPolicyText(roleName)).toBe(before);
    expect(iam.tags(roleName)).toEqual(tagsBefore);
    scenarioEnds(iam, roleName, [OPS, linkedStatement(both)]);
  });

  it('keeps the old id through a rename that comes with a rotation, until the old revocation goes', async () => {
    const { iam } = harness.lab;
    const roleName = prepareRole(iam);
    const created = await harness.request({ requestType: 'Create', properties: first(roleName) });
    const made = await revocation('Create', roleName, EXTERNAL_ID);

    const renamed = await harness.request({
      requestType: 'Create',
      logicalResourceId: 'Renamed',
      properties: rotating(roleName),
    });
    const whileMoving = statementsOf(iam.trustPolicy(roleName));
    await harness.request({
      requestType: 'Delete',
      properties: first(roleName),
      physicalResourceId: created.physicalResourceId ?? '',
    });
    await revocation('Delete', roleName, EXTERNAL_ID, { physicalResourceId: made.physicalResourceId ?? '' });
    const third = await harness.request({
      requestType: 'Update',
      logicalResourceId: 'Renamed',
      properties: rotating(roleName, {
        SnowflakeExternalId: [THIRD, NEW_EXTERNAL_ID],
        CurrentExternalId: THIRD,
      }),
      oldProperties: rotating(roleName),
      physicalResourceId: renamed.physicalResourceId ?? '',
    });

    expect(renamed.status).toBe('SUCCESS');
    expect(whileMoving).toEqual([linkedStatement(both), OPS]);
    expect(third.data?.ExternalIds).toBe(`${THIRD},${NEW_EXTERNAL_ID}`);
    expect(iam.tags(roleName)?.map((tag) => tag.value.split(' ').at(-1))).toEqual(['e2e-direct/Renamed']);
    scenarioEnds(iam, roleName, [OPS, linkedStatement([THIRD, NEW_EXTERNAL_ID])]);
  });
});
