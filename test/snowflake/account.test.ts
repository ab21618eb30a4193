import { describe, expect, it } from 'vitest';
import { parseAccountIdentifier, userForJwt } from '../../handler/snowflake/client/account';
import { ConnectionSettingsError } from '../../handler/snowflake/client/errors';

describe('parseAccountIdentifier', () => {
  it.each([
    ['MYORG-MYACCOUNT', 'MYORG-MYACCOUNT', 'myorg-myaccount.snowflakecomputing.com'],
    ['myorg-myaccount', 'MYORG-MYACCOUNT', 'myorg-myaccount.snowflakecomputing.com'],
    ['myorg.myaccount', 'MYORG-MYACCOUNT', 'myorg-myaccount.snowflakecomputing.com'],
    ['myorg-my_account', 'MYORG-MY_ACCOUNT', 'myorg-my-account.snowflakecomputing.com'],
    ['xy12345', 'XY12345', 'xy12345.snowflakecomputing.com'],
    ['xy12345.us-east-1', 'XY12345', 'xy12345.us-east-1.snowflakecomputing.com'],
    ['xy12345.us-east-2.aws', 'XY12345', 'xy12345.us-east-2.aws.snowflakecomputing.com'],
    ['xy12345.us-gov-west-1', 'XY12345', 'xy12345.us-gov-west-1.snowflakecomputing.com'],
    ['xy12345.east-us-2.azure', 'XY12345', 'xy12345.east-us-2.azure.snowflakecomputing.com'],
    ['xy12345.us-central1.gcp', 'XY12345', 'xy12345.us-central1.gcp.snowflakecomputing.com'],
    [
      'https://myorg-myaccount.snowflakecomputing.com/',
      'MYORG-MYACCOUNT',
      'myorg-myaccount.snowflakecomputing.com',
    ],
    ['xy12345.us-east-1.snowflakecomputing.com', 'XY12345', 'xy12345.us-east-1.snowflakecomputing.com'],
    ['  MyOrg-MyAccount  ', 'MYORG-MYACCOUNT', 'myorg-myaccount.snowflakecomputing.com'],
  ])('reads %s as %s for the JWT', (input, forJwt, host) => {
    expect(parseAccountIdentifier(input)).toEqual({ forJwt, host });
  });

  it.each([
    ['', 'not an account identifier'],
    ['my org', 'not an account identifier'],
    ['myorg..myaccount', 'not an account identifier'],
    ['myorg-myaccount.global', 'not in a form'],
    ['a.b.c.d.e', 'not in a form'],
    ['myorg-myaccount.privatelink', '"host"'],
    ['myorg.myaccount.other', 'not one Snowflake names'],
    ['xy12345.us-east-1.oracle', 'not one Snowflake names'],
  ])('refuses %j, saying which forms work', (input, words) => {
    const read = () => parseAccountIdentifier(input);
    expect(read).toThrow(ConnectionSettingsError);
    expect(read).toThrow(words);
  });

  it('names the organization-account form in its refusal', () => {
    expect(() => parseAccountIdentifier('a b')).toThrow(/MYORG-MYACCOUNT.*CURRENT_ORGANIZATION_NAME/);
  });
});

describe('userForJwt', () => {
  it('writes the user upper case', () => {
    expect(userForJwt('trust_link_svc')).toBe('TRUST_LINK_SVC');
  });
});
