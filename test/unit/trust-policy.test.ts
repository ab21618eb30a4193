import { describe, expect, it } from 'vitest';
import {
  accountRootOf,
  externalIdsOf,
  findOwnedStatement,
  foreignSidStatement,
  type LinkTerms,
  linkTrust,
  ownedStatement,
  parseTrustPolicy,
  placeholderStatement,
  samePolicy,
  serializeTrustPolicy,
  type TrustPolicy,
  unlinkTrust,
} from '../../handler/trust-link/trust-policy';

const ROOT = 'arn:aws:iam::123456789012:root';
const USER = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const terms: LinkTerms = { sid: 'SnowflakeTrustLink', userArn: USER, externalIds: [ID] };
const placeholder = { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'sts:AssumeRole' };
const lambdaTrust = {
  Effect: 'Allow',
  Principal: { Service: 'lambda.amazonaws.com' },
  Action: 'sts:AssumeRole',
};

function policy(...statements: Record<string, unknown>[]): TrustPolicy {
  return { Version: '2012-10-17', Statement: statements };
}

describe('ownedStatement', () => {
  it('is the document of Snowflake step 4, under the link Sid', () => {
    expect(ownedStatement(terms)).toEqual({
      Sid: 'SnowflakeTrustLink',
      Effect: 'Allow',
      Principal: { AWS: USER },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': ID } },
    });
  });

  it('lists the external ids when there are several', () => {
    const statement = ownedStatement({ ...terms, externalIds: ['old_id', 'new_id'] });
    expect(statement.Condition).toEqual({ StringEquals: { 'sts:ExternalId': ['old_id', 'new_id'] } });
  });
});

describe('linkTrust', () => {
  it('takes over the placeholder that Snowflake template declares', () => {
    const linked = linkTrust(policy(placeholder), terms, ROOT);
    expect(linked).toEqual(policy(ownedStatement(terms)));
  });

  it('takes over a placeholder with an empty Condition, as the IAM console makes it', () => {
    const linked = linkTrust(policy({ ...placeholder, Condition: {} }), terms, ROOT);
    expect(linked.Statement).toEqual([ownedStatement(terms)]);
  });

  it('takes over a placeholder given as a bare account id or as one-item lists', () => {
    const bare = { Effect: 'Allow', Principal: { AWS: ['123456789012'] }, Action: ['sts:AssumeRole'] };
    expect(linkTrust(policy(bare), terms, ROOT).Statement).toEqual([ownedStatement(terms)]);
  });

  it('replaces the statement that has its Sid, wherever it stands', () => {
    const old = ownedStatement({ ...terms, externalIds: ['OLD_SFCRole=1_x'] });
    const linked = linkTrust(policy(lambdaTrust, old, placeholder), terms, ROOT);
    expect(linked.Statement).toEqual([lambdaTrust, ownedStatement(terms), placeholder]);
  });

  it('takes over a Sid-less statement that trusts the same Snowflake user with its external id only', () => {
    const byHand = {
      Effect: 'Allow',
      Principal: { AWS: USER },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': ID } },
    };
    const linked = linkTrust(policy(placeholder, byHand), terms, ROOT);
    expect(linked.Statement).toEqual([placeholder, ownedStatement(terms)]);
  });

  it('takes over a hand-made statement whose ids are some of the ids it trusts', () => {
    const rotating = { ...terms, externalIds: ['NEW_SFCRole=2_y', ID] };
    const byHand = {
      Effect: 'Allow',
      Principal: { AWS: USER },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': [ID] } },
    };
    expect(linkTrust(policy(byHand), rotating, ROOT).Statement).toEqual([ownedStatement(rotating)]);
  });

  it.each([
    ['another external id', { StringEquals: { 'sts:ExternalId': 'OTHER_SFCRole=1_x' } }],
    ['its id and another', { StringEquals: { 'sts:ExternalId': [ID, 'OTHER_SFCRole=1_x'] } }],
    ['no external id at all', undefined],
  ])('leaves a hand-made statement for the same user with %s, and appends its own', (_case, condition) => {
    const theirs = {
      Effect: 'Allow',
      Principal: { AWS: USER },
      Action: 'sts:AssumeRole',
      ...(condition === undefined ? {} : { Condition: condition }),
    };
    const before = JSON.stringify(theirs);
    const linked = linkTrust(policy(theirs), terms, ROOT);
    expect(linked.Statement).toEqual([theirs, ownedStatement(terms)]);
    expect(JSON.stringify(linked.Statement[0])).toBe(before);
  });

  it('leaves a hand-made statement whose condition holds more than the external id', () => {
    const guarded = {
      Effect: 'Allow',
      Principal: { AWS: USER },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'sts:ExternalId': 'OLD_SFCRole=1_x' },
        IpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
      },
    };
    expect(linkTrust(policy(guarded), terms, ROOT).Statement).toEqual([guarded, ownedStatement(terms)]);
  });

  it('appends its statement and keeps statements it does not own', () => {
    const otherAccount = {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999999999999:root' },
      Action: 'sts:AssumeRole',
    };
    const denied = { ...placeholder, Effect: 'Deny' };
    const linked = linkTrust(policy(lambdaTrust, otherAccount, denied), terms, ROOT);
    expect(linked.Statement).toEqual([lambdaTrust, otherAccount, denied, ownedStatement(terms)]);
  });

  it.each([
    ['has a Sid of its own', { ...placeholder, Sid: 'Admins' }],
    ['has a condition', { ...placeholder, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }],
    ['also trusts a service', { ...placeholder, Principal: { AWS: ROOT, Service: 'ec2.amazonaws.com' } }],
    ['allows more actions', { ...placeholder, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
  ])('leaves a root statement that %s', (_, statement) => {
    const linked = linkTrust(policy(statement), terms, ROOT);
    expect(linked.Statement).toEqual([statement, ownedStatement(terms)]);
  });

  it('keeps the policy fields it does not know', () => {
    const linked = linkTrust({ ...policy(placeholder), Id: 'trust' }, terms, ROOT);
    expect(linked.Id).toBe('trust');
  });
});

describe('foreignSidStatement', () => {
  const otherLink = ownedStatement({ ...terms, externalIds: ['STORAGE_SFCRole=4_y'] });

  it.each([
    ['no statement has the Sid', policy(placeholder)],
    [
      'the Sid holds the placeholder, as the template declares it',
      policy({ Sid: terms.sid, ...placeholder }),
    ],
    ['the Sid holds what this link writes', policy(ownedStatement(terms))],
  ])('finds nothing when %s', (_, current) => {
    expect(foreignSidStatement(current, terms, ROOT)).toBeUndefined();
  });

  it('finds the statement of another link under the same Sid', () => {
    expect(foreignSidStatement(policy(lambdaTrust, otherLink), terms, ROOT)).toEqual(otherLink);
  });
});

describe('unlinkTrust', () => {
  it('removes its statement and keeps the others in order', () => {
    const unlinked = unlinkTrust(policy(lambdaTrust, ownedStatement(terms), placeholder), terms.sid, ROOT);
    expect(unlinked.Statement).toEqual([lambdaTrust, placeholder]);
  });

  it('puts the placeholder back where nothing would remain', () => {
    const unlinked = unlinkTrust(policy(ownedStatement(terms)), terms.sid, ROOT);
    expect(unlinked).toEqual(policy(placeholderStatement(ROOT)));
  });

  it('returns the same policy when it holds no statement of the link', () => {
    const current = policy(lambdaTrust);
    expect(unlinkTrust(current, terms.sid, ROOT)).toBe(current);
  });
});

describe('samePolicy', () => {
  it('ignores key order, one-item lists and the order of values', () => {
    const a = policy({ ...ownedStatement({ ...terms, externalIds: ['a1', 'b2'] }) });
    const b: TrustPolicy = {
      Statement: [
        {
          Condition: { StringEquals: { 'sts:ExternalId': ['b2', 'a1'] } },
          Action: ['sts:AssumeRole'],
          Principal: { AWS: [USER] },
          Effect: 'Allow',
          Sid: 'SnowflakeTrustLink',
        },
      ],
      Version: '2012-10-17',
    };
    expect(samePolicy(a, b)).toBe(true);
  });

  it.each([
    ['another external id', { ...terms, externalIds: ['OTHER_SFCRole=1_x'] }],
    ['another user', { ...terms, userArn: 'arn:aws:iam::123456789001:user/other' }],
    ['another Sid', { ...terms, sid: 'Other' }],
  ])('tells policies apart that differ in %s', (_, other) => {
    expect(samePolicy(policy(ownedStatement(terms)), policy(ownedStatement(other)))).toBe(false);
  });

  it('tells the order of statements apart', () => {
    expect(samePolicy(policy(lambdaTrust, placeholder), policy(placeholder, lambdaTrust))).toBe(false);
  });
});

describe('parsing and reading', () => {
  it('turns a single statement object into a list', () => {
    const parsed = parseTrustPolicy(JSON.stringify({ Version: '2012-10-17', Statement: placeholder }));
    expect(parsed.Statement).toEqual([placeholder]);
  });

  it.each([['[]'], ['"text"'], ['{"Statement": [1]}'], ['not json']])('refuses %s', (json) => {
    expect(() => parseTrustPolicy(json)).toThrow(SyntaxError);
  });

  it('serializes compactly and round-trips', () => {
    const text = serializeTrustPolicy(policy(ownedStatement(terms)));
    expect(text).not.toMatch(/\s/);
    expect(parseTrustPolicy(text)).toEqual(policy(ownedStatement(terms)));
  });

  it('keeps every number of another statement exactly as written through parse, edit and serialize', () => {
    const big =
      '{"Sid":"Big","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":98765432109876543210},"NumericEquals":{"aws:EpochTime":1.0,"n":1e3}}}';
    const parsed = parseTrustPolicy(`{"Version":"2012-10-17","Statement":[${big}]}`);

    const unlinked = unlinkTrust(linkTrust(parsed, terms, ROOT), terms.sid, ROOT);

    expect(serializeTrustPolicy(unlinked)).toBe(`{"Version":"2012-10-17","Statement":[${big}]}`);
    expect(samePolicy(unlinked, parsed)).toBe(true);
  });

  it('finds the owned statement and its external ids', () => {
    const owned = findOwnedStatement(policy(lambdaTrust, ownedStatement(terms)), terms.sid);
    expect(owned && externalIdsOf(owned)).toEqual([ID]);
    expect(externalIdsOf(lambdaTrust)).toEqual([]);
  });

  it.each([
    ['arn:aws:iam::123456789012:role/path/r', 'arn:aws:iam::123456789012:root'],
    ['arn:aws-cn:iam::210987654321:role/r', 'arn:aws-cn:iam::210987654321:root'],
  ])('derives the account root of %s', (arn, root) => {
    expect(accountRootOf(arn)).toBe(root);
  });
});
