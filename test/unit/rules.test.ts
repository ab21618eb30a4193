import { describe, expect, it } from 'vitest';
import {
  EXTERNAL_ID_PATTERN,
  externalIdProblem,
  roleArnProblem,
  roleNameOfArn,
  roleNameProblem,
  sidProblem,
  splitExternalIds,
  USER_ARN_PATTERN,
  userArnProblem,
} from '../../handler/trust-link/rules';

describe('userArnProblem', () => {
  it.each([
    'arn:aws:iam::123456789001:user/abc1-b-self1234',
    'arn:aws:iam::123456789001:user/development/development_user',
    'arn:aws-cn:iam::123456789001:user/a/b/c/name+=,.@-_',
    'arn:aws-us-gov:iam::123456789001:user/x',
  ])('accepts %s', (arn) => {
    expect(userArnProblem(arn)).toBeUndefined();
    expect(new RegExp(USER_ARN_PATTERN).test(arn)).toBe(true);
  });

  it.each([
    ['arn:aws:iam::1234567898012:user/development/development_user', 'an AWS account id has 12 digits'],
    ['arn:aws:iam::123456789001:role/snowflake', 'is a role ARN, not a user ARN'],
    ['arn:aws:iam::123456789001:user/abc1 b', 'contains whitespace'],
    ['AIDAEXAMPLEUNIQUEID', 'is not an ARN'],
    ['arn:aws:s3:::bucket:user/x', 'its service is "s3"'],
    ['arn:azure:iam::123456789001:user/x', 'partition "azure"'],
    ['arn:aws:iam::123456789001:group/x', 'of the form arn:aws:iam::<12 digits>:user/<name>'],
    ['arn:aws:iam::123456789001:user/', 'of the form'],
  ])('refuses %s, saying %s', (arn, words) => {
    expect(userArnProblem(arn)).toContain(words);
    expect(userArnProblem(arn)).toContain('DESCRIBE INTEGRATION');
    expect(new RegExp(USER_ARN_PATTERN).test(arn)).toBe(false);
  });
});

describe('externalIdProblem', () => {
  it.each([
    'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=',
    'EXTERNAL_FUNCTIONS_SFCRole=3_8Hcmbi9halFOkt+MdilPi7rdgOv=',
    'ab',
    'x'.repeat(1224),
    'a@b.c:d-e',
  ])('accepts %s', (id) => {
    expect(externalIdProblem(id)).toBeUndefined();
    expect(new RegExp(EXTERNAL_ID_PATTERN).test(id)).toBe(true);
  });

  it.each([
    ['a', 'too short'],
    ['x'.repeat(1225), 'is 1225 characters long'],
    ['abc def', 'contains " "'],
    ['abc"def', 'contains "\\""'],
    ['abc,def', 'contains ","'],
  ])('refuses %s, saying %s', (id, words) => {
    expect(externalIdProblem(id)).toContain(words);
    expect(new RegExp(EXTERNAL_ID_PATTERN).test(id)).toBe(false);
  });
});

describe('role and Sid rules', () => {
  it.each([['SnowflakeTrustLink'], ['Link2']])('accepts the Sid %s', (sid) => {
    expect(sidProblem(sid)).toBeUndefined();
  });

  it.each([['Snowflake-Link'], [''], ['Link 2'], ['x'.repeat(129)]])('refuses the Sid "%s"', (sid) => {
    expect(sidProblem(sid)).toContain('ASCII letters and digits');
  });

  it('checks role names and ARNs', () => {
    expect(roleNameProblem('snowflake-role_1+=,.@')).toBeUndefined();
    expect(roleNameProblem('has space')).toContain('not an IAM role name');
    expect(roleNameProblem('x'.repeat(65))).toContain('not an IAM role name');
    expect(roleArnProblem('arn:aws:iam::123456789012:role/path/to/snowflake')).toBeUndefined();
    expect(roleArnProblem('arn:aws:iam::123456789012:user/snowflake')).toContain('not an IAM role ARN');
  });

  it('takes the role name from the last segment of a role ARN', () => {
    expect(roleNameOfArn('arn:aws:iam::123456789012:role/path/to/snowflake')).toBe('snowflake');
  });
});

describe('splitExternalIds', () => {
  it.each([
    ['one', ['one']],
    [' a1 , b2 ', ['a1', 'b2']],
    [
      ['a1', ' b2', 'a1'],
      ['a1', 'b2'],
    ],
    [
      ['a1,b2', 'c3'],
      ['a1', 'b2', 'c3'],
    ],
    ['a1,,b2', ['a1', '', 'b2']],
  ] as const)('splits %j into %j', (value, ids) => {
    expect(splitExternalIds(value)).toEqual(ids);
  });
});
