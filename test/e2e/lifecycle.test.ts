// The whole life of a link over HTTP: the built bundle run as Lambda runs it, by the lab's
// CloudFormation stand-in, against the lab's IAM stand-in.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type IamCall, loadTemplate, type Stack, type Template } from '../../lab';
import {
  EXTERNAL_ID,
  type Harness,
  linkedStatement,
  linkStackTemplate,
  NEW_EXTERNAL_ID,
  placeholderPolicy,
  requestLines,
  SID,
  SNOWFLAKE_USER,
  startHarness,
  statementsOf,
} from './harness';

let harness: Harness;
let stackCount = 0;

beforeAll(async () => {
  // The read-back after a write catches a concurrent writer only within the settle window: keep it well
  // above IAM's answer time, as the default 1 s is in AWS (see the concurrent links below).
  harness = await startHarness({ settleMs: 250 });
});

afterEach(async () => {
  await harness.lab.cfn.settled();
  expect(harness.lab.cfn.violations).toEqual([]);
});

afterAll(async () => {
  await harness?.close();
});

const oneLink = linkStackTemplate([{ logicalId: 'Link', sid: SID }]);

function newStack(): { stack: Stack; roleA: string; roleB: string } {
  stackCount += 1;
  const stack = harness.lab.cfn.stack(`life${stackCount}`);
  return { stack, roleA: `${stack.stackName}-a`, roleB: `${stack.stackName}-b` };
}

function trustOf(roleName: string) {
  return harness.lab.iam.trustPolicy(roleName);
}

/** Runs an act and returns the IAM calls it made on a role. */
async function callsDuring<T>(
  roleName: string,
  act: () => Promise<T>,
): Promise<{ result: T; calls: string[] }> {
  const from = harness.lab.iam.calls.length;
  const result = await act();
  const calls = harness.lab.iam.calls
    .slice(from)
    .filter((c: IamCall) => c.roleName === roleName)
    .map((c) => c.action);
  return { result, calls };
}

describe('a link through its life cycle', () => {
  it('creates the link: the placeholder becomes the step 4 statement, with one write and one read-back', async () => {
    const { stack, roleA } = newStack();

    const { result, calls } = await callsDuring(roleA, () => stack.create(oneLink));

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(trustOf(roleA)).toEqual({ Version: '2012-10-17', Statement: [linkedStatement(EXTERNAL_ID)] });
    expect(calls).toEqual(['CreateRole', 'GetRole', 'TagRole', 'UpdateAssumeRolePolicy', 'GetRole']);
    expect(harness.lab.iam.tags(roleA)).toEqual([
      {
        key: expect.stringMatching(/^SnowflakeTrustLink:[0-9a-f]{24}$/),
        value: expect.stringMatching(
          new RegExp(`^${SID} [0-9a-f]{12} [0-9a-f]{16} ${stack.stackName}/Link$`),
        ),
      },
    ]);
    expect(result.requests[0]).toMatchObject({
      status: 'SUCCESS',
      physicalResourceId: `SnowflakeTrustLink:${roleA}:${SID}`,
      data: {
        RoleArn: `arn:aws:iam::123456789012:role/${roleA}`,
        RoleName: roleA,
        StatementSid: SID,
        ExternalIds: EXTERNAL_ID,
      },
    });
    expect(JSON.parse(String(result.requests[0]?.data.TrustPolicy))).toEqual(trustOf(roleA));
  });

  it('makes no write on an update that changes nothing in the policy', async () => {
    const { stack, roleA } = newStack();
    await stack.create(oneLink);
    const before = harness.lab.iam.trustPolicyText(roleA);

    const { result, calls } = await callsDuring(roleA, () =>
      stack.update({ parameters: { LinkExternalId: ` ${EXTERNAL_ID} ` } }),
    );

    expect(requestLines(result.requests)).toEqual(['Update Link SUCCESS']);
    expect(calls).toEqual(['GetRole']);
    expect(harness.lab.iam.trustPolicyText(roleA)).toBe(before);
  });

  it('rotates the external id in place, keeping the physical id', async () => {
    const { stack, roleA } = newStack();
    await stack.create(oneLink);

    const result = await stack.update({ parameters: { LinkExternalId: NEW_EXTERNAL_ID } });

    expect(requestLines(result.requests)).toEqual(['Update Link SUCCESS']);
    expect(result.requests[0]?.physicalResourceId).toBe(result.requests[0]?.event.PhysicalResourceId);
    expect(trustOf(roleA)).toEqual({ Version: '2012-10-17', Statement: [linkedStatement(NEW_EXTERNAL_ID)] });
  });

  it('links several external ids at once, then one again', async () => {
    const { stack, roleA } = newStack();
    await stack.create(oneLink);

    await stack.update({ parameters: { LinkExternalId: `${EXTERNAL_ID},${NEW_EXTERNAL_ID}` } });
    const both = trustOf(roleA);
    const result = await stack.update({ parameters: { LinkExternalId: NEW_EXTERNAL_ID } });

    expect(statementsOf(both)).toEqual([linkedStatement([EXTERNAL_ID, NEW_EXTERNAL_ID])]);
    expect(result.requests[0]?.data.ExternalIds).toBe(NEW_EXTERNAL_ID);
    expect(statementsOf(trustOf(roleA))).toEqual([linkedStatement(NEW_EXTERNAL_ID)]);
  });

  it('moves to another role: the new link is made, then CloudFormation deletes the old one', async () => {
    const { stack, roleA, roleB } = newStack();
    await stack.create(oneLink);

    const result = await stack.update({ parameters: { LinkRole: 'b' } });

    expect(requestLines(result.requests)).toEqual(['Update Link SUCCESS', 'Delete Link SUCCESS']);
    expect(result.requests[1]?.event.PhysicalResourceId).toBe(`SnowflakeTrustLink:${roleA}:${SID}`);
    expect(trustOf(roleA)).toEqual(placeholderPolicy());
    expect(statementsOf(trustOf(roleB))).toEqual([linkedStatement(EXTERNAL_ID)]);
  });

  it('replaces the link on a change of Sid, leaving one statement', async () => {
    const { stack, roleA } = newStack();
    await stack.create(oneLink);

    const result = await stack.update({ parameters: { LinkSid: 'SnowflakeApi2' } });

    expect(requestLines(result.requests)).toEqual(['Update Link SUCCESS', 'Delete Link SUCCESS']);
    expect(statementsOf(trustOf(roleA))).toEqual([linkedStatement(EXTERNAL_ID, { sid: 'SnowflakeApi2' })]);
  });

  it('links a role given by an ARN with a path', async () => {
    const roleName = `life-path-${stackCount}`;
    const role = harness.lab.iam.createRole({
      roleName,
      path: '/snowflake/',
      trustPolicy: placeholderPolicy(),
    });

    const outcome = await harness.request({
      requestType: 'Create',
      properties: {
        RoleArn: role.arn,
        SnowflakeIamUserArn: SNOWFLAKE_USER,
        SnowflakeExternalId: EXTERNAL_ID,
      },
    });

    expect(role.arn).toBe(`arn:aws:iam::123456789012:role/snowflake/${roleName}`);
    expect(outcome).toMatchObject({ status: 'SUCCESS', data: { RoleArn: role.arn } });
    expect(statementsOf(trustOf(roleName))).toEqual([linkedStatement(EXTERNAL_ID)]);
  });

  it('unlinks on delete, putting the placeholder back', async () => {
    const { stack, roleA } = newStack();
    await stack.create(oneLink);

    const result = await stack.update({ parameters: { LinkEnabled: 'no' } });

    expect(requestLines(result.requests)).toEqual(['Delete Link SUCCESS']);
    expect(trustOf(roleA)).toEqual(placeholderPolicy());
  });

  it('keeps statements it does not own when it unlinks', async () => {
    const { stack, roleA } = newStack();
    await stack.create(oneLink);
    const mine = statementsOf(trustOf(roleA));
    const someoneElse = {
      Sid: 'Ops',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 'sts:AssumeRole',
    };
    harness.lab.iam.setTrustPolicy(roleA, { Version: '2012-10-17', Statement: [...mine, someoneElse] });

    await stack.update({ parameters: { LinkEnabled: 'no' } });

    expect(trustOf(roleA)).toEqual({ Version: '2012-10-17', Statement: [someoneElse] });
  });

  it('deletes the stack, link first, then the roles', async () => {
    const { stack, roleA } = newStack();
    await stack.create(oneLink);

    const result = await stack.delete();

    const order = result.events.filter((e) => e.status === 'DELETE_COMPLETE').map((e) => e.logicalResourceId);
    expect(result.status).toBe('DELETE_COMPLETE');
    expect(order.indexOf('Link')).toBeLessThan(order.indexOf('RoleA'));
    expect(harness.lab.iam.role(roleA)).toBeUndefined();
  });

  it('succeeds in deleting a link whose role has vanished', async () => {
    const { stack, roleA } = newStack();
    await stack.create(oneLink);
    harness.lab.iam.deleteRole(roleA);

    const result = await stack.delete();

    expect(result.status).toBe('DELETE_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Delete Link SUCCESS']);
  });

  it('touches nothing on the Delete that follows a failed create', async () => {
    const { stack, roleA } = newStack();
    await stack.create(oneLink, { LinkEnabled: 'no' });
    const before = harness.lab.iam.trustPolicyText(roleA);

    const { result, calls } = await callsDuring(roleA, () =>
      stack.update({
        parameters: { LinkEnabled: 'yes', LinkUser: 'arn:aws:iam::123456789003:user/unknown' },
      }),
    );

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Create Link FAILED', 'Delete Link SUCCESS']);
    expect(result.requests[0]?.reason).toContain('Invalid principal in policy');
    expect(result.requests[1]?.event.PhysicalResourceId).toMatch(/^SnowflakeTrustLink-CreateFailed:/);
    // The record went first, and is taken back when IAM refuses the statement; the Delete then finds none.
    expect(calls).toEqual(['GetRole', 'TagRole', 'UpdateAssumeRolePolicy', 'UntagRole', 'GetRole']);
    expect(harness.lab.iam.trustPolicyText(roleA)).toBe(before);
    expect(harness.lab.iam.tags(roleA)).toEqual([]);
  });

  it('restores the old link when CloudFormation rolls a failed update back', async () => {
    const { stack, roleA } = newStack();
    await stack.create(oneLink);
    const before = harness.lab.iam.trustPolicyText(roleA);

    const result = await stack.update({
      parameters: { LinkExternalId: NEW_EXTERNAL_ID, LinkUser: 'arn:aws:iam::123456789003:user/unknown' },
    });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Update Link FAILED', 'Update Link SUCCESS']);
    expect(result.requests[0]?.physicalResourceId).toBe(result.requests[0]?.event.PhysicalResourceId);
    expect(harness.lab.iam.trustPolicyText(roleA)).toBe(before);
  });

  it('restores a link that was updated when another resource fails the stack update', async () => {
    const { stack, roleA } = newStack();
    const template = linkStackTemplate([
      { logicalId: 'Link', sid: SID },
      { logicalId: 'Other', sid: 'OtherIntegration' },
    ]);
    await stack.create(template);
    const before = trustOf(roleA);

    const result = await stack.update({
      parameters: { LinkExternalId: NEW_EXTERNAL_ID, OtherUser: 'arn:aws:iam::123456789003:user/unknown' },
    });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(requestLines(result.requests).sort()).toEqual(
      ['Update Link SUCCESS', 'Update Link SUCCESS', 'Update Other FAILED', 'Update Other SUCCESS'].sort(),
    );
    expect(trustOf(roleA)).toEqual(before);
  });

  it('undoes a replacement whose update failed, and the old link stays', async () => {
    const { stack, roleA, roleB } = newStack();
    await stack.create(oneLink);

    const result = await stack.update({
      parameters: { LinkRole: 'b', LinkUser: 'arn:aws:iam::123456789003:user/unknown' },
    });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(statementsOf(trustOf(roleA))).toEqual([linkedStatement(EXTERNAL_ID)]);
    expect(statementsOf(trustOf(roleB))).toHaveLength(1);
    expect(statementsOf(trustOf(roleB))[0]?.Condition).toBeUndefined();
  });
});

describe("template.yaml's stack", () => {
  it('links the role as the template declares it, once both values are given', async () => {
    const stack = harness.lab.cfn.stack(`tpl${++stackCount}`);
    const template = loadTemplate('template.yaml');

    const first = await stack.create(template);
    const roleName = stack.resource('SnowflakeRole')?.physicalId ?? '';
    const declared = trustOf(roleName);
    const linked = await stack.update({
      parameters: {
        SnowflakeIamUserArn: SNOWFLAKE_USER,
        SnowflakeExternalId: `${EXTERNAL_ID},${NEW_EXTERNAL_ID}`,
      },
    });

    expect(first).toMatchObject({ status: 'CREATE_COMPLETE', requests: [] });
    expect(statementsOf(declared)).toEqual([{ Sid: SID, ...statementsOf(placeholderPolicy())[0] }]);
    expect(requestLines(linked.requests)).toEqual(['Create SnowflakeTrustLink SUCCESS']);
    expect(linked.requests[0]?.event.ResourceProperties).toMatchObject({
      RoleArn: `arn:aws:iam::123456789012:role/${roleName}`,
      SnowflakeExternalId: [EXTERNAL_ID, NEW_EXTERNAL_ID],
      ServiceTimeout: expect.any(String),
    });
    expect(statementsOf(trustOf(roleName))).toEqual([linkedStatement([EXTERNAL_ID, NEW_EXTERNAL_ID])]);
    expect(stack.outputs().SnowflakeTrustLinkStatus).toMatch(/^in force/);
  });
});

describe('several links on one role at the same time', () => {
  const LINKS = ['One', 'Two', 'Three', 'Four'].map((name) => ({
    logicalId: `Link${name}`,
    sid: `Integration${name}`,
  }));
  const template = linkStackTemplate(LINKS);
  const idOf = (logicalId: string, round: number) => `${logicalId}_round${round}_id=`;

  it('creates, updates and deletes them together over repeated rounds, losing none', async () => {
    harness.lab.iam.faults.delayEachAnswer(5);
    const { stack, roleA } = newStack();
    const lost: string[] = [];
    const expectAll = (round: number) => {
      const statements = statementsOf(trustOf(roleA));
      for (const { logicalId, sid } of LINKS) {
        const found = statements.find((s) => s.Sid === sid);
        if (found?.Condition?.StringEquals?.['sts:ExternalId'] !== idOf(logicalId, round))
          lost.push(`${sid} round ${round}`);
      }
    };
    const parametersFor = (round: number) =>
      Object.fromEntries(LINKS.map(({ logicalId }) => [`${logicalId}ExternalId`, idOf(logicalId, round)]));

    const created = await stack.create(template, parametersFor(0));
    expectAll(0);
    const statuses = [created.status];
    for (let round = 1; round <= 5; round++) {
      statuses.push((await stack.update({ parameters: parametersFor(round) })).status);
      expectAll(round);
    }
    const unlinked = await stack.update({
      parameters: Object.fromEntries(LINKS.map(({ logicalId }) => [`${logicalId}Enabled`, 'no'])),
    });
    harness.lab.iam.faults.clear();

    expect(statuses).toEqual(['CREATE_COMPLETE', ...Array(5).fill('UPDATE_COMPLETE')]);
    expect(lost).toEqual([]);
    expect(unlinked.status).toBe('UPDATE_COMPLETE');
    // None of these links owns the declared placeholder's Sid, so it stayed throughout, alone at the end.
    expect(trustOf(roleA)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: SID, ...statementsOf(placeholderPolicy())[0] }],
    });
  });
});

// The one-deploy shape of a link, without Snowflake: the link told its current id, a revocation fed by the
// link's CurrentExternalId, and a resource after both that fails the stack when Fail is yes.
function rotatingTemplate(): Template {
  const template = linkStackTemplate([{ logicalId: 'Link', sid: SID }]);
  Object.assign(template.Parameters ?? {}, {
    CurrentId: { Type: 'String', Default: EXTERNAL_ID },
    Fail: { Type: 'String', Default: 'no', AllowedValues: ['yes', 'no'] },
  });
  Object.assign(template.Conditions ?? {}, { Fails: { 'Fn::Equals': [{ Ref: 'Fail' }, 'yes'] } });
  const link = template.Resources.Link as { Properties: Record<string, unknown> };
  link.Properties.CurrentExternalId = { Ref: 'CurrentId' };
  template.Resources.Revocation = {
    Type: 'Custom::SnowflakeTrustLinkRevocation',
    Condition: 'LinkIsEnabled',
    Properties: {
      ServiceToken: { 'Fn::GetAtt': ['TrustLinkFunction', 'Arn'] },
      ServiceTimeout: 300,
      RoleArn: { 'Fn::GetAtt': ['Link', 'RoleArn'] },
      CurrentExternalId: { 'Fn::GetAtt': ['Link', 'CurrentExternalId'] },
    },
  };
  // A link to a role that does not exist: it fails after the link and the revocation are updated.
  template.Resources.Breaker = {
    Type: 'Custom::SnowflakeTrustLink',
    Condition: 'Fails',
    DependsOn: ['Revocation'],
    Properties: {
      ServiceToken: { 'Fn::GetAtt': ['TrustLinkFunction', 'Arn'] },
      RoleName: 'no-such-role',
      SnowflakeIamUserArn: SNOWFLAKE_USER,
      SnowflakeExternalId: EXTERNAL_ID,
    },
  };
  return template;
}

const rotated = { LinkExternalId: `${NEW_EXTERNAL_ID},${EXTERNAL_ID}`, CurrentId: NEW_EXTERNAL_ID };

describe('a rotation of a link told its current id', () => {
  it('trusts both ids while the stack moves over, and revokes the old one at the cleanup of the same deploy', async () => {
    const { stack, roleA } = newStack();
    await stack.create(rotatingTemplate());

    const result = await stack.update({ parameters: rotated });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(requestLines(result.requests)).toEqual([
      'Update Link SUCCESS',
      'Update Revocation SUCCESS',
      'Delete Revocation SUCCESS',
    ]);
    expect(result.requests[0]?.data).toMatchObject({
      ExternalIds: `${NEW_EXTERNAL_ID},${EXTERNAL_ID}`,
      CurrentExternalId: NEW_EXTERNAL_ID,
      RetiringExternalIds: EXTERNAL_ID,
    });
    expect(result.requests[0]?.physicalResourceId).toBe(`SnowflakeTrustLink:${roleA}:${SID}`);
    expect(trustOf(roleA)).toEqual({ Version: '2012-10-17', Statement: [linkedStatement(NEW_EXTERNAL_ID)] });
    // The record names the current id, for the status command; the Link's Delete still owns the statement.
    expect(harness.lab.iam.tags(roleA)?.map((tag) => tag.value)).toEqual([
      expect.stringMatching(
        new RegExp(`^${SID} [0-9a-f]{12} [0-9a-f]{16} id=[0-9a-f]{12} ${stack.stackName}/Link$`),
      ),
    ]);
    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(trustOf(roleA)).toBeUndefined();
  });

  it('keeps the old id and removes the new one when the rotating update rolls back', async () => {
    const { stack, roleA } = newStack();
    await stack.create(rotatingTemplate());
    const tagsBefore = harness.lab.iam.tags(roleA);

    const result = await stack.update({ parameters: { ...rotated, Fail: 'yes' } });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(requestLines(result.requests)).toEqual([
      'Update Link SUCCESS',
      'Update Revocation SUCCESS',
      'Create Breaker FAILED',
      'Delete Breaker SUCCESS',
      'Delete Revocation SUCCESS',
      'Update Link SUCCESS',
    ]);
    expect(trustOf(roleA)).toEqual({ Version: '2012-10-17', Statement: [linkedStatement(EXTERNAL_ID)] });
    expect(harness.lab.iam.tags(roleA)).toEqual(tagsBefore);
  });

  it('unlinks when the link leaves the stack after a rotation: the revocation touches nothing, the link removes its statement', async () => {
    const { stack, roleA } = newStack();
    await stack.create(rotatingTemplate());
    await stack.update({ parameters: rotated });

    const { result, calls } = await callsDuring(roleA, () =>
      stack.update({ parameters: { LinkEnabled: 'no' } }),
    );

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Delete Revocation SUCCESS', 'Delete Link SUCCESS']);
    expect(calls.filter((call) => call === 'UpdateAssumeRolePolicy')).toHaveLength(1);
    expect(trustOf(roleA)).toEqual(placeholderPolicy());
    expect(harness.lab.iam.tags(roleA)).toEqual([]);
  });

  it('shows a revocation that fails in the cleanup, ends UPDATE_COMPLETE, and the next rotation revokes what it left', async () => {
    const { lab } = harness;
    const { stack, roleA } = newStack();
    await stack.create(rotatingTemplate());
    // IAM fails every read of the role once the cleanup starts (the forward phase went through).
    const cleanupStarts = (async () => {
      while (!stack.events.some((e) => e.status === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      lab.iam.faults.serviceFailure({ action: 'GetRole', role: roleA, times: 100 });
    })();

    const result = await stack.update({ parameters: rotated });
    await cleanupStarts;
    lab.iam.faults.clear();
    const left = trustOf(roleA);
    const third = 'MYACCOUNT_SFCRole=2_c000000/u2cDEFGhIJklmNoPqRs=';
    const next = await stack.update({
      parameters: { LinkExternalId: `${third},${NEW_EXTERNAL_ID}`, CurrentId: third },
    });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(
      result.events.find((e) => e.logicalResourceId === 'Revocation' && e.status === 'DELETE_FAILED')?.reason,
    ).toMatch(
      new RegExp(
        `^Could not revoke the external id\\(s\\) a rotation replaced on role "${roleA}": .* They stay trusted until the next deploy that updates the link`,
      ),
    );
    expect(left).toEqual({
      Version: '2012-10-17',
      Statement: [linkedStatement([NEW_EXTERNAL_ID, EXTERNAL_ID])],
    });
    expect(next.status).toBe('UPDATE_COMPLETE');
    expect(next.requests[0]?.data.ExternalIds).toBe(`${third},${NEW_EXTERNAL_ID}`);
    expect(trustOf(roleA)).toEqual({ Version: '2012-10-17', Statement: [linkedStatement(third)] });
  });
});
