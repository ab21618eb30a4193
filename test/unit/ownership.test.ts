import { describe, expect, it } from 'vitest';
import { stackNameOf } from '../../handler/framework/framework';
import {
  externalIdDigest,
  ownerRecord,
  ownerRecords,
  ownershipOf,
  recordedAsWritten,
  recordTag,
  statementDigest,
} from '../../handler/trust-link/ownership';

const STACK =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/gateway/0a1b2c3d-0000-4000-8000-000000000001';
const OTHER_STACK =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/storage/0a1b2c3d-0000-4000-8000-000000000002';
const statement = {
  Sid: 'SnowflakeTrustLink',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789001:user/abc1-b-self1234' },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'sts:ExternalId': ['B_ID=', 'A_ID='] } },
};
const owner = { stackId: STACK, logicalId: 'SnowflakeTrustLink' };

describe('ownership records', () => {
  it('round-trips a record through a role tag that IAM accepts', () => {
    const record = ownerRecord(owner, 'SnowflakeTrustLink', statement);

    const tag = recordTag(record);

    expect(tag.key).toMatch(/^SnowflakeTrustLink:[0-9a-f]{24}$/);
    expect(tag.value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u);
    expect(ownerRecords([tag])).toEqual([record]);
  });

  it('round-trips the current external id of a record, by digest, before the label', () => {
    const record = ownerRecord(owner, 'SnowflakeTrustLink', statement, 'B_ID=');

    const tag = recordTag(record);

    expect(tag.value).toBe(
      `SnowflakeTrustLink ${record.stack} ${record.statement} id=${externalIdDigest('B_ID=')} gateway/SnowflakeTrustLink`,
    );
    expect(tag.value).not.toContain('B_ID=');
    expect(ownerRecords([tag])).toEqual([{ ...record, current: externalIdDigest('B_ID=') }]);
  });

  it('reads a record written before the current id existed', () => {
    const written = {
      key: 'SnowflakeTrustLink:0123456789abcdef01234567',
      value: 'Sid1 0123456789ab 0123456789abcdef gateway/Link',
    };
    expect(ownerRecords([written])).toEqual([
      {
        key: written.key,
        sid: 'Sid1',
        stack: '0123456789ab',
        statement: '0123456789abcdef',
        label: 'gateway/Link',
      },
    ]);
  });

  it('gives each resource, stack and Sid its own key, and a stack the same stack digest', () => {
    const keys = [
      ownerRecord(owner, 'A', statement),
      ownerRecord(owner, 'B', statement),
      ownerRecord({ ...owner, logicalId: 'Renamed' }, 'A', statement),
      ownerRecord({ ...owner, stackId: OTHER_STACK }, 'A', statement),
    ];

    expect(new Set(keys.map((r) => r.key)).size).toBe(4);
    expect(keys[2]?.stack).toBe(keys[0]?.stack);
    expect(keys[3]?.stack).not.toBe(keys[0]?.stack);
  });

  it('cuts a long label so that the tag value stays within 256 characters, and replaces what a tag may not hold', () => {
    const record = ownerRecord(
      { stackId: STACK, logicalId: `L${'x'.repeat(300)}` },
      'S'.repeat(128),
      statement,
    );

    const tag = recordTag({ ...record, label: `${record.label}#!` });

    expect(tag.value.length).toBe(256);
    expect(ownerRecords([tag])[0]?.sid).toBe('S'.repeat(128));
  });

  it('ignores tags that are not records: another prefix, or a value of another shape', () => {
    const tags = [
      { key: 'CostCenter', value: 'SnowflakeTrustLink 0123456789ab 0123456789abcdef x/y' },
      { key: 'SnowflakeTrustLink:abc', value: 'not a record' },
    ];

    expect(ownerRecords(tags)).toEqual([]);
  });

  it('digests a statement regardless of key order and of the order of values in a list', () => {
    const reordered = {
      Condition: { StringEquals: { 'sts:ExternalId': ['A_ID=', 'B_ID='] } },
      Action: 'sts:AssumeRole',
      Principal: { AWS: 'arn:aws:iam::123456789001:user/abc1-b-self1234' },
      Effect: 'Allow',
      Sid: 'SnowflakeTrustLink',
    };

    expect(statementDigest(reordered)).toBe(statementDigest(statement));
    expect(statementDigest({ ...statement, Sid: 'Other' })).not.toBe(statementDigest(statement));
  });
});

describe('ownershipOf', () => {
  const records = [
    ownerRecord(owner, 'SnowflakeTrustLink', statement),
    ownerRecord({ ...owner, logicalId: 'Renamed' }, 'SnowflakeTrustLink', statement),
    ownerRecord({ stackId: OTHER_STACK, logicalId: 'Link' }, 'SnowflakeTrustLink', statement),
    ownerRecord(owner, 'AnotherSid', statement),
  ];

  it('sorts the records of one Sid into mine, the same stack, and other stacks', () => {
    const ownership = ownershipOf(records, owner, 'SnowflakeTrustLink');

    expect(ownership.mine).toBe(records[0]);
    expect(ownership.sameStack).toEqual([records[1]]);
    expect(ownership.otherStacks).toEqual([records[2]]);
  });

  it('finds no record of mine for a Sid I never linked', () => {
    expect(ownershipOf(records, owner, 'Unlinked')).toEqual({ sameStack: [], otherStacks: [] });
  });

  it('tells a statement the owners wrote from one that merely holds the Sid', () => {
    const placeholder = {
      Sid: 'SnowflakeTrustLink',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 'sts:AssumeRole',
    };

    expect(recordedAsWritten(records, statement)).toBe(true);
    expect(recordedAsWritten(records, placeholder)).toBe(false);
  });
});

describe('stackNameOf', () => {
  it.each([
    [STACK, 'gateway'],
    ['not-an-arn', 'not-an-arn'],
  ])('reads the stack name of %s', (stackId, name) => {
    expect(stackNameOf(stackId)).toBe(name);
  });
});
