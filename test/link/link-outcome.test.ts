import { describe, expect, it } from 'vitest';
import type { DeployedStack } from '../../scripts/link/deployed-stack';
import { linkOutcome } from '../../scripts/link/link-outcome';

const USER_ARN = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const NEW_ID = 'ACME_SFCRole=2_new=';
const OLD_ID = 'ACME_SFCRole=2_old=';
const VALUES = { userArn: USER_ARN, externalIds: [NEW_ID, OLD_ID] };
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

    expect(linkOutcome(BEFORE, after, VALUES)).toEqual({ kind: 'linked', changed: true, status: IN_FORCE });
  });

  it('is linked, unchanged, when the stack already linked these values', () => {
    const linked = stack('UPDATE_COMPLETE', '2026-02-02T10:00:00.000Z', IN_FORCE);

    expect(linkOutcome(linked, linked, VALUES)).toMatchObject({ kind: 'linked', changed: false });
  });

  it('is not executed when the stack did not move', () => {
    expect(linkOutcome(BEFORE, BEFORE, VALUES)).toEqual({ kind: 'not-executed' });
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

    const outcome = linkOutcome(BEFORE, after, VALUES);

    expect(outcome.kind).toBe('not-linked');
    expect(outcome.kind === 'not-linked' && outcome.reason).toMatch(reason);
  });
});
