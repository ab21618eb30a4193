import { describe, expect, it } from 'vitest';
import { InvalidPropertiesError } from '../../handler/trust-link/errors';
import { parseLinkProperties, parseRevocationProperties } from '../../handler/trust-link/properties';

const USER = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const good = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f',
  RoleName: 'snowflake',
  SnowflakeIamUserArn: USER,
  SnowflakeExternalId: ID,
};

function problemOf(properties: unknown): string {
  try {
    parseLinkProperties(properties);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPropertiesError);
    return (error as Error).message;
  }
  throw new Error('the properties were accepted');
}

describe('parseLinkProperties', () => {
  it('reads a link with the default Sid', () => {
    expect(parseLinkProperties(good)).toEqual({
      roleName: 'snowflake',
      userArn: USER,
      externalIds: [ID],
      sid: 'SnowflakeTrustLink',
    });
  });

  it('trims pasted whitespace and drops repeated ids', () => {
    const spec = parseLinkProperties({
      ...good,
      SnowflakeIamUserArn: ` ${USER}\n`,
      SnowflakeExternalId: [` ${ID} `, ID, 'OLD_SFCRole=1_x'],
    });
    expect(spec.userArn).toBe(USER);
    expect(spec.externalIds).toEqual([ID, 'OLD_SFCRole=1_x']);
  });

  it('splits a comma-separated external id string', () => {
    expect(
      parseLinkProperties({ ...good, SnowflakeExternalId: `${ID},OLD_SFCRole=1_x` }).externalIds,
    ).toEqual([ID, 'OLD_SFCRole=1_x']);
  });

  it('takes the role name from a RoleArn with a path, and keeps the ARN to check', () => {
    const { RoleName: _, ...rest } = good;
    const spec = parseLinkProperties({
      ...rest,
      RoleArn: 'arn:aws:iam::123456789012:role/snowflake/ext-fn',
      StatementSid: 'Analytics',
    });
    expect(spec).toMatchObject({
      roleName: 'ext-fn',
      roleArn: 'arn:aws:iam::123456789012:role/snowflake/ext-fn',
      sid: 'Analytics',
    });
  });

  it('accepts RoleName and RoleArn that differ only in case, as IAM does', () => {
    expect(
      parseLinkProperties({ ...good, RoleArn: 'arn:aws:iam::123456789012:role/Snowflake' }).roleName,
    ).toBe('snowflake');
  });

  it('accepts RoleName and RoleArn together when they agree', () => {
    expect(
      parseLinkProperties({ ...good, RoleArn: 'arn:aws:iam::123456789012:role/snowflake' }).roleName,
    ).toBe('snowflake');
  });

  it.each([
    ['no role', { ...good, RoleName: undefined }, 'RoleName or RoleArn is required'],
    ['an empty role name', { ...good, RoleName: '  ' }, 'RoleName or RoleArn is required'],
    [
      'disagreeing role name and ARN',
      { ...good, RoleArn: 'arn:aws:iam::123456789012:role/other' },
      'name different roles',
    ],
    ['a malformed role ARN', { ...good, RoleName: undefined, RoleArn: 'snowflake' }, 'not an IAM role ARN'],
    ['no user ARN', { ...good, SnowflakeIamUserArn: undefined }, 'SnowflakeIamUserArn is required'],
    ['an empty user ARN', { ...good, SnowflakeIamUserArn: '' }, 'SnowflakeIamUserArn is required'],
    [
      'the seed example 13-digit account',
      { ...good, SnowflakeIamUserArn: 'arn:aws:iam::1234567898012:user/x' },
      'an AWS account id has 12 digits',
    ],
    [
      'a role ARN for the user',
      { ...good, SnowflakeIamUserArn: 'arn:aws:iam::123456789001:role/x' },
      'is a role ARN',
    ],
    [
      'whitespace inside the user ARN',
      { ...good, SnowflakeIamUserArn: 'arn:aws:iam::123456789001:user/a b' },
      'contains whitespace',
    ],
    ['no external id', { ...good, SnowflakeExternalId: undefined }, 'SnowflakeExternalId is required'],
    [
      'an empty list of external ids',
      { ...good, SnowflakeExternalId: [] },
      'SnowflakeExternalId is required',
    ],
    [
      'an empty RoleName beside a RoleArn',
      { ...good, RoleName: '', RoleArn: 'arn:aws:iam::123456789012:role/snowflake' },
      'RoleName is empty',
    ],
    ['an empty external id', { ...good, SnowflakeExternalId: ' ' }, 'SnowflakeExternalId is required'],
    ['an empty list entry', { ...good, SnowflakeExternalId: `${ID},` }, 'has an empty entry'],
    ['a one-character external id', { ...good, SnowflakeExternalId: 'x' }, 'too short'],
    ['a bad character in the external id', { ...good, SnowflakeExternalId: 'abc$def' }, 'contains "$"'],
    [
      'a number for the external id',
      { ...good, SnowflakeExternalId: 42 },
      'must be a string or a list of strings, not a number',
    ],
    [
      'a list for the user ARN',
      { ...good, SnowflakeIamUserArn: [USER] },
      'SnowflakeIamUserArn must be a string, not a list',
    ],
    ['a Sid with a dash', { ...good, StatementSid: 'Snowflake-Link' }, 'StatementSid "Snowflake-Link"'],
    [
      'the typo SnowflakeExternalID',
      { ...good, SnowflakeExternalID: ID },
      'Unknown property "SnowflakeExternalID". Did you mean SnowflakeExternalId?',
    ],
    [
      'an unknown property',
      { ...good, Region: 'us-east-1' },
      'Allowed properties: RoleName, RoleArn, SnowflakeIamUserArn, SnowflakeExternalId, StatementSid, CurrentExternalId.',
    ],
    ['no properties at all', null, 'RoleName or RoleArn is required'],
  ])('refuses %s', (_, properties, words) => {
    expect(problemOf(properties)).toContain(words);
  });

  it('names every problem at once', () => {
    const message = problemOf({ RoleName: 'snowflake', SnowflakeIamUserArn: 'x', SnowflakeExternalId: 'y' });
    expect(message).toMatch(
      /^2 problems with the properties: \(1\) SnowflakeIamUserArn "x".*\(2\) SnowflakeExternalId "y"/,
    );
  });
});

describe('CurrentExternalId', () => {
  const OLD = 'MYACCOUNT_SFCRole=2_z999999/old0000000000000000=';

  it('reads the current id among the ids the link trusts', () => {
    const spec = parseLinkProperties({ ...good, SnowflakeExternalId: [ID, OLD], CurrentExternalId: ID });
    expect(spec).toMatchObject({ externalIds: [ID, OLD], currentId: ID });
  });

  it('refuses a current id that is not one of SnowflakeExternalId', () => {
    expect(problemOf({ ...good, CurrentExternalId: OLD })).toContain(
      `CurrentExternalId "${OLD}" is not one of SnowflakeExternalId`,
    );
  });

  it("reads a revocation's role, Sid and current id", () => {
    expect(
      parseRevocationProperties({
        ServiceToken: good.ServiceToken,
        RoleArn: 'arn:aws:iam::123456789012:role/snowflake',
        CurrentExternalId: ID,
      }),
    ).toEqual({
      roleName: 'snowflake',
      roleArn: 'arn:aws:iam::123456789012:role/snowflake',
      sid: 'SnowflakeTrustLink',
      currentId: ID,
    });
  });

  it.each([
    ['no current id', { RoleName: 'snowflake' }, 'CurrentExternalId is required'],
    [
      'a link property',
      { RoleName: 'snowflake', CurrentExternalId: ID, SnowflakeExternalId: ID },
      'Unknown property "SnowflakeExternalId"',
    ],
    ['a bad id', { RoleName: 'snowflake', CurrentExternalId: 'a b' }, 'CurrentExternalId "a b"'],
  ])('refuses a revocation with %s', (_case, properties, words) => {
    expect(() => parseRevocationProperties(properties)).toThrow(InvalidPropertiesError);
    expect(() => parseRevocationProperties(properties)).toThrow(words);
  });
});
