import { describe, expect, it } from 'vitest';
import type { DescribeRow } from '../../scripts/link/describe-row';
import { DescribeOutputError } from '../../scripts/link/errors';
import { integrationValues, unwrapValue } from '../../scripts/link/integration-values';
import { parseDescribe } from '../../scripts/link/parse-describe';
import { fixture } from './cli-harness';

const USER_ARN = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const ROLE_ARN = 'arn:aws:iam::001234567890:role/myrole';

function rowsOf(name: string): readonly DescribeRow[] {
  return parseDescribe(fixture(name)).rows;
}

function apiRows(userArn: string, externalId: string, roleArn = ROLE_ARN): DescribeRow[] {
  return [
    { property: 'API_PROVIDER', value: 'AWS_API_GATEWAY' },
    { property: 'API_AWS_IAM_USER_ARN', value: userArn },
    { property: 'API_AWS_ROLE_ARN', value: roleArn },
    { property: 'API_AWS_EXTERNAL_ID', value: externalId },
  ];
}

describe('integrationValues', () => {
  it.each([
    ['api-snow.json', 'api'],
    ['api-snowsql.txt', 'api'],
    ['api-snowsight.csv', 'api'],
    ['storage-snowsql.txt', 'storage'],
  ] as const)('takes the %s pair of a %s integration', (name, kind) => {
    expect(integrationValues(rowsOf(name))).toEqual({
      kind,
      userArn: USER_ARN,
      externalId: EXTERNAL_ID,
      roleArn: ROLE_ARN,
    });
  });

  it('unwraps values that a copy wrapped in spaces and quotes', () => {
    expect(integrationValues(rowsOf('api-quoted.json'))).toEqual({
      kind: 'api',
      userArn: USER_ARN,
      externalId: EXTERNAL_ID,
      roleArn: ROLE_ARN,
    });
  });

  it.each([
    [
      'a CSV',
      `property,property_value\nAPI_AWS_IAM_USER_ARN,"  ""${USER_ARN}"" "\nAPI_AWS_EXTERNAL_ID, '${EXTERNAL_ID}'\nAPI_AWS_ROLE_ARN,${ROLE_ARN}\n`,
    ],
    [
      'a table',
      `| property | property_value |\n|---|---|\n| API_AWS_IAM_USER_ARN | "${USER_ARN}" |\n| API_AWS_EXTERNAL_ID | \u201C${EXTERNAL_ID}\u201D |\n| API_AWS_ROLE_ARN | ${ROLE_ARN} |\n`,
    ],
  ])('unwraps quoted values in %s', (_form, text) => {
    expect(integrationValues(parseDescribe(text).rows)).toEqual({
      kind: 'api',
      userArn: USER_ARN,
      externalId: EXTERNAL_ID,
      roleArn: ROLE_ARN,
    });
  });

  it('accepts the kind it was told to expect', () => {
    expect(integrationValues(rowsOf('storage-snowsql.txt'), 'storage').kind).toBe('storage');
  });

  it("refuses the seed's example, whose account id has 13 digits", () => {
    const refuse = () => integrationValues(rowsOf('seed-snowsql.txt'));

    expect(refuse).toThrow(DescribeOutputError);
    expect(refuse).toThrow(
      'API_AWS_IAM_USER_ARN: SnowflakeIamUserArn "arn:aws:iam::1234567898012:user/development/development_user" is not an IAM user ARN: an AWS account id has 12 digits.',
    );
  });

  it.each([
    [
      'an ARN with a space inside',
      apiRows('arn:aws:iam::123456789001:user/abc1 -b-self1234', EXTERNAL_ID),
      /contains whitespace/,
    ],
    [
      'an external id with a space inside',
      apiRows(USER_ARN, 'MYACCOUNT_SFCRole=2_a123 456='),
      /contains " "/,
    ],
    [
      'an external id cut short with an ellipsis',
      apiRows(USER_ARN, 'MYACCOUNT_SFCRole=2_a12...'),
      /cut short/,
    ],
    ['an external id cut short with \u2026', apiRows(USER_ARN, 'MYACCOUNT_SFCRole=2_a12\u2026'), /cut short/],
    [
      'a role ARN pasted for the user ARN',
      apiRows('arn:aws:iam::001234567890:role/myrole', EXTERNAL_ID),
      /role ARN/,
    ],
    [
      'a missing role ARN, which names the stack to link',
      apiRows(USER_ARN, EXTERNAL_ID).filter((row) => row.property !== 'API_AWS_ROLE_ARN'),
      /API_AWS_ROLE_ARN is missing/,
    ],
    [
      'a user ARN where the role ARN belongs',
      apiRows(USER_ARN, EXTERNAL_ID, USER_ARN),
      /API_AWS_ROLE_ARN: .* is not an IAM role ARN/,
    ],
    ['an empty external id', apiRows(USER_ARN, ' "" '), /API_AWS_EXTERNAL_ID is empty/],
    ['a missing external id', apiRows(USER_ARN, EXTERNAL_ID).slice(0, 2), /API_AWS_EXTERNAL_ID is missing/],
    [
      'a notification integration',
      parseDescribe(fixture('notification-snow.json')).rows,
      /neither an API nor a storage integration .*NOTIFICATION_PROVIDER/,
    ],
    ['an Azure API integration', rowsOf('azure-api-snow.json'), /provider is AZURE_API_MANAGEMENT, not AWS/],
    [
      'both pairs at once',
      [...rowsOf('api-snow.json'), ...rowsOf('storage-snowsql.txt')],
      /both API_ and STORAGE_ properties/,
    ],
    [
      'one property twice with two values',
      [...apiRows(USER_ARN, EXTERNAL_ID), { property: 'API_AWS_EXTERNAL_ID', value: 'OTHER_SFCRole=1_abc=' }],
      /API_AWS_EXTERNAL_ID appears twice/,
    ],
  ])('refuses %s', (_case, rows, message) => {
    expect(() => integrationValues(rows)).toThrow(message);
  });

  it('names both problems when both values are malformed', () => {
    const refuse = () => integrationValues(apiRows('arn:aws:iam::12345:user/x', 'a'));

    expect(refuse).toThrow(/API_AWS_IAM_USER_ARN: .*12 digits[\s\S]*\nAPI_AWS_EXTERNAL_ID: .*too short/);
  });

  it.each([
    ['storage', 'api-snow.json', /--type storage was given, but this is an API integration's/],
    ['api', 'storage-snowsql.txt', /--type api was given, but this is a storage integration's/],
  ] as const)('refuses --type %s for %s', (expected, name, message) => {
    expect(() => integrationValues(rowsOf(name), expected)).toThrow(message);
  });
});

describe('unwrapValue', () => {
  it.each([
    ['  abc  ', 'abc'],
    ['"abc"', 'abc'],
    ["'abc'", 'abc'],
    ['`abc`', 'abc'],
    ['\u201Cabc\u201D', 'abc'],
    ['\u2018abc\u2019', 'abc'],
    [` " 'abc' " `, 'abc'],
    ['"abc', '"abc'],
    ['a"b"c', 'a"b"c'],
    ['"', '"'],
  ])('makes %j into %j', (raw, value) => {
    expect(unwrapValue(raw)).toBe(value);
  });
});
