import { describe, expect, it } from 'vitest';
import type { DeployedStack } from '../../scripts/link/deployed-stack';
import { linkOutcome } from '../../scripts/link/link-outcome';

const USER_ARN = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const NEW_ID = 'ACME_SFCRole=2_new=';
const OLD_ID = 'ACME_SFCRole=2_old=';
const VALUES = { userArn: USER_ARN, externalIds: [NEW_ID, OLD_ID] };
const BY_STATUS = {
  statusOutput: 'SnowflakeTrustLinkStatus',
  parameters: { userArn: 'SnowflakeIamUserArn', externalId: 'SnowflakeExternalId' },
};
const IN_FORCE = `in force: ${USER_ARN} may assume myrole with external id(s) ${NEW_ID},${OLD_ID}`;

function stack(status: string, lastUpdated: string | undefined, linkStatus?: string): DeployedStack {
  const outputs = new Map<string, string>(
    linkStatus === undefined ? [] : [['SnowflakeTrustLinkStatus', linkStatus]],
  );
  return { name: 'demo', status, lastUpdated, parameters: new Map(), outputs };
}

const BEFORE = stack('CREATE_COMPLETE', undefined, 'pending: run the SQL');

describe('linkOutcome', () => {
  it('is linked when the stack is complete and its status names the user and every id', () => {
    const after = stack('UPDATE_COMPLETE', '2026-02-02T10:00:00.000Z', IN_FORCE);

    expect(linkOutcome(BEFORE, after, VALUES, BY_STATUS)).toEqual({
      kind: 'linked',
      changed: true,
      evidence: `SnowflakeTrustLinkStatus: ${IN_FORCE}`,
    });
  });

  it('is linked, unchanged, when the stack already linked these values', () => {
    const linked = stack('UPDATE_COMPLETE', '2026-02-02T10:00:00.000Z', IN_FORCE);

    expect(linkOutcome(linked, linked, VALUES, BY_STATUS)).toMatchObject({ kind: 'linked', changed: false });
  });

  it('is not executed when the stack did not move', () => {
    expect(linkOutcome(BEFORE, BEFORE, VALUES, BY_STATUS)).toEqual({ kind: 'not-executed' });
  });

  it.each([
    ['UPDATE_ROLLBACK_COMPLETE', IN_FORCE, /is UPDATE_ROLLBACK_COMPLETE: the deploy did not hold/],
    ['UPDATE_IN_PROGRESS', IN_FORCE, /is UPDATE_IN_PROGRESS/],
    ['UPDATE_COMPLETE', 'pending: run the SQL', /says SnowflakeTrustLinkStatus "pending: run the SQL"/],
    ['UPDATE_COMPLETE', undefined, /has no SnowflakeTrustLinkStatus output/],
    [
      'UPDATE_COMPLETE',
      `in force: ${USER_ARN} may assume myrole with external id(s) ${NEW_ID}`,
      /not the link in force for these values/,
    ],
    [
      'UPDATE_COMPLETE',
      `in force: arn:aws:iam::999999999999:user/other may assume myrole with external id(s) ${NEW_ID},${OLD_ID}`,
      /not the link in force/,
    ],
    [
      'UPDATE_COMPLETE',
      `in force: ${USER_ARN} may assume myrole with external id(s) ${NEW_ID}x,${OLD_ID}`,
      /not the link in force/,
    ],
  ])('is not linked when the stack is %s with status %j', (status, linkStatus, reason) => {
    const after = stack(status, '2026-02-02T10:00:00.000Z', linkStatus);

    const outcome = linkOutcome(BEFORE, after, VALUES, BY_STATUS);

    expect(outcome.kind).toBe('not-linked');
    expect(outcome.kind === 'not-linked' && outcome.reason).toMatch(reason);
  });
});

describe('linkOutcome of a stack without SnowflakeTrustLinkStatus', () => {
  const BY_PARAMETERS = { parameters: { userArn: 'SfUser', externalId: 'SfIds' } };

  function userStack(
    status: string,
    lastUpdated: string | undefined,
    user: string,
    ids: string,
  ): DeployedStack {
    const parameters = new Map([
      ['SfUser', user],
      ['SfIds', ids],
    ]);
    return { name: 'mine', status, lastUpdated, parameters, outputs: new Map() };
  }
  const PENDING = userStack('CREATE_COMPLETE', undefined, '', '');
  const LATER = '2026-02-02T10:00:00.000Z';

  it('is linked when the stack settled with exactly these values in its two parameters', () => {
    const after = userStack('UPDATE_COMPLETE', LATER, USER_ARN, `${OLD_ID}, ${NEW_ID}`);

    const outcome = linkOutcome(PENDING, after, VALUES, BY_PARAMETERS);

    expect(outcome).toMatchObject({ kind: 'linked', changed: true });
    expect(outcome.kind === 'linked' && outcome.evidence).toMatch(
      /parameters SfUser and SfIds hold these values \(UPDATE_COMPLETE; the template has no SnowflakeTrustLinkStatus output\)/,
    );
  });

  it.each([
    ['a rollback', 'UPDATE_ROLLBACK_COMPLETE', USER_ARN, `${NEW_ID},${OLD_ID}`, /did not hold/],
    [
      'another user',
      'UPDATE_COMPLETE',
      'arn:aws:iam::999999999999:user/other',
      `${NEW_ID},${OLD_ID}`,
      /hold other values/,
    ],
    ['an id missing', 'UPDATE_COMPLETE', USER_ARN, NEW_ID, /hold other values/],
    ['an id more', 'UPDATE_COMPLETE', USER_ARN, `${NEW_ID},${OLD_ID},ACME_SFCRole=2_x=`, /hold other values/],
  ])('is not linked after %s', (_case, status, user, ids, reason) => {
    const outcome = linkOutcome(PENDING, userStack(status, LATER, user, ids), VALUES, BY_PARAMETERS);

    expect(outcome.kind).toBe('not-linked');
    expect(outcome.kind === 'not-linked' && outcome.reason).toMatch(reason);
  });

  it('is not executed when the stack did not move, though it settled', () => {
    expect(linkOutcome(PENDING, PENDING, VALUES, BY_PARAMETERS)).toEqual({ kind: 'not-executed' });
  });
});
