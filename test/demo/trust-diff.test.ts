import { describe, expect, it } from 'vitest';
import { diffTrustPolicies, formatTrustDiff } from '../../scripts/demo/trust-diff';

const ROOT = 'arn:aws:iam::123456789012:root';
const SNOWFLAKE_USER = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const OLD_ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const NEW_ID = 'MYACCOUNT_SFCRole=2_b765432/t1bCDEFgHIJklmNoPqR=';

const placeholder = { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'sts:AssumeRole' };
const linked = (externalId: string | string[]) => ({
  Sid: 'SnowflakeTrustLink',
  Effect: 'Allow',
  Principal: { AWS: SNOWFLAKE_USER },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'sts:ExternalId': externalId } },
});
const policy = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });

describe('diffTrustPolicies', () => {
  it('shows only the fields of a statement that changed, matched by Sid', () => {
    const before = policy({ Sid: 'SnowflakeTrustLink', ...placeholder });

    const changes = diffTrustPolicies(before, policy(linked(OLD_ID)));

    expect(changes).toEqual([
      {
        kind: 'changed',
        label: 'Sid SnowflakeTrustLink',
        fields: [
          { path: 'Principal.AWS', before: ROOT, after: SNOWFLAKE_USER },
          { path: 'Condition.StringEquals.sts:ExternalId', before: undefined, after: OLD_ID },
        ],
      },
    ]);
  });

  it('shows a list of external ids as one value', () => {
    const changes = diffTrustPolicies(policy(linked(OLD_ID)), policy(linked([OLD_ID, NEW_ID])));

    expect(changes[0]?.fields).toEqual([
      {
        path: 'Condition.StringEquals.sts:ExternalId',
        before: OLD_ID,
        after: JSON.stringify([OLD_ID, NEW_ID]),
      },
    ]);
  });

  it('lists every statement as added when the role is new, without the Sid as a field', () => {
    const changes = diffTrustPolicies(undefined, policy(linked(OLD_ID)));

    expect(changes).toHaveLength(1);
    expect(changes[0]?.kind).toBe('added');
    expect(changes[0]?.fields.map((f) => f.path)).toEqual([
      'Effect',
      'Principal.AWS',
      'Action',
      'Condition.StringEquals.sts:ExternalId',
    ]);
    expect(changes[0]?.fields.every((f) => f.before === undefined)).toBe(true);
  });

  it('lists every statement as removed when the role is gone', () => {
    const changes = diffTrustPolicies(policy(linked(OLD_ID), placeholder), undefined);

    expect(changes.map((c) => [c.kind, c.label])).toEqual([
      ['removed', 'Sid SnowflakeTrustLink'],
      ['removed', 'statement without Sid'],
    ]);
  });

  it('finds no change when only the order of statements differs', () => {
    const other = { ...linked(NEW_ID), Sid: 'StorageLink' };

    expect(diffTrustPolicies(policy(linked(OLD_ID), other), policy(other, linked(OLD_ID)))).toEqual([]);
  });

  it('matches a statement without Sid only to an identical one', () => {
    const before = policy(linked(OLD_ID), placeholder);
    const handMade = { ...placeholder, Principal: { AWS: SNOWFLAKE_USER } };

    expect(diffTrustPolicies(before, policy(linked(OLD_ID), placeholder))).toEqual([]);
    expect(diffTrustPolicies(before, policy(linked(OLD_ID), handMade)).map((c) => c.kind)).toEqual([
      'removed',
      'added',
    ]);
  });

  it('reads a Statement given as one object rather than a list', () => {
    const before = { Version: '2012-10-17', Statement: { Sid: 'SnowflakeTrustLink', ...placeholder } };

    const changes = diffTrustPolicies(before, policy({ Sid: 'SnowflakeTrustLink', ...placeholder }));

    expect(changes).toEqual([]);
  });

  it('shows a link moved off a role as the linked statement removed and the placeholder added', () => {
    const changes = diffTrustPolicies(policy(linked(NEW_ID)), policy(placeholder));

    expect(changes.map((c) => `${c.kind} ${c.label}`)).toEqual([
      'removed Sid SnowflakeTrustLink',
      'added statement without Sid',
    ]);
  });
});

describe('formatTrustDiff', () => {
  it('writes the statement, then a removed and an added line for each changed field', () => {
    const lines = formatTrustDiff(diffTrustPolicies(policy(linked(OLD_ID)), policy(linked(NEW_ID))));

    expect(lines).toEqual([
      '~ Sid SnowflakeTrustLink',
      `    - Condition.StringEquals.sts:ExternalId: ${OLD_ID}`,
      `    + Condition.StringEquals.sts:ExternalId: ${NEW_ID}`,
    ]);
  });

  it('writes only the added line for a field that is new', () => {
    const before = policy({ Sid: 'SnowflakeTrustLink', ...placeholder });

    const lines = formatTrustDiff(diffTrustPolicies(before, policy(linked(OLD_ID))));

    expect(lines).toContain(`    + Condition.StringEquals.sts:ExternalId: ${OLD_ID}`);
    expect(lines.some((line) => line.startsWith('    - Condition'))).toBe(false);
  });

  it('writes nothing when nothing changed', () => {
    expect(formatTrustDiff([])).toEqual([]);
  });
});
