import { describe, expect, it } from 'vitest';
import { DescribeOutputError } from '../../scripts/link/errors';
import { describeForm, parseDescribe } from '../../scripts/link/parse-describe';
import { fixture } from './cli-harness';

const USER_ARN = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';

function valueIn(text: string, property: string): string | undefined {
  return parseDescribe(text).rows.find((row) => row.property === property)?.value;
}

describe('parseDescribe', () => {
  it.each([
    ['api-snow.json', 'json', 9],
    ['api-snow-multi.json', 'json', 5],
    ['api-snowsql.txt', 'table', 9],
    ['storage-snowsql.txt', 'table', 7],
    ['api-snow-table.txt', 'table', 5],
    ['api-snowsight.csv', 'csv', 9],
  ] as const)('reads every row of %s as %s', (name, form, rowCount) => {
    const output = parseDescribe(fixture(name));

    expect(output.form).toBe(form);
    expect(output.rows).toHaveLength(rowCount);
  });

  it.each([
    ['api-snow.json'],
    ['api-snow-multi.json'],
    ['api-snowsql.txt'],
    ['api-snow-table.txt'],
    ['api-snowsight.csv'],
  ])('finds the API pair in %s', (name) => {
    const text = fixture(name);

    expect([valueIn(text, 'API_AWS_IAM_USER_ARN'), valueIn(text, 'API_AWS_EXTERNAL_ID')]).toEqual([
      USER_ARN,
      EXTERNAL_ID,
    ]);
  });

  it('joins the lines Snowflake CLI folds a long value onto', () => {
    const text = fixture('api-snow-table.txt');

    expect(valueIn(text, 'API_PROVIDER')).toBe('AWS_API_GATEWAY');
    expect(valueIn(text, 'API_AWS_ROLE_ARN')).toBe('arn:aws:iam::001234567890:role/myrole');
  });

  it('keeps a quoted CSV value with a comma whole', () => {
    expect(valueIn(fixture('api-snowsight.csv'), 'COMMENT')).toBe('Links the echo API, for the demo');
  });

  it('reads cells copied from the Snowsight grid, which are tab-separated', () => {
    const text = `property\tproperty_type\tproperty_value\tproperty_default\nAPI_AWS_EXTERNAL_ID\tString\t${EXTERNAL_ID}\t\n`;

    expect(valueIn(text, 'API_AWS_EXTERNAL_ID')).toBe(EXTERNAL_ID);
  });

  it('reads a Markdown copy of the table, which has no borders', () => {
    const text = `| property | property_value |\n|---|---|\n| API_AWS_IAM_USER_ARN | ${USER_ARN} |\n`;

    expect(valueIn(text, 'API_AWS_IAM_USER_ARN')).toBe(USER_ARN);
  });

  it('accepts the header columns in any case', () => {
    const text = JSON.stringify([{ PROPERTY: 'API_AWS_EXTERNAL_ID', PROPERTY_VALUE: EXTERNAL_ID }]);

    expect(valueIn(text, 'API_AWS_EXTERNAL_ID')).toBe(EXTERNAL_ID);
  });

  it('ignores a byte-order mark at the start', () => {
    expect(parseDescribe(`\uFEFF${fixture('api-snowsight.csv')}`).rows).toHaveLength(9);
  });

  it.each([
    ['empty output', '', /is empty/],
    ['blank lines only', '\n  \n\t\n', /is empty/],
    ['JSON cut off', fixture('api-snow.json').slice(0, 300), /does not parse.*cut off/],
    [
      'JSON of something else',
      '[{"name": "MY_INT", "type": "EXTERNAL_API"}]',
      /not the output of DESC INTEGRATION/,
    ],
    [
      'JSON with two DESCRIBE results',
      `[${fixture('api-snow.json')}, ${fixture('api-snow.json')}]`,
      /2 DESCRIBE results: describe one integration at a time/,
    ],
    ['a table cut at the bottom', fixture('api-snowsql-cut.txt'), /cut off at the bottom/],
    ['a table cut at the top', fixture('api-snowsql-cut-top.txt'), /cut off at the top/],
    [
      'a table whose last row is cut mid-line',
      fixture('api-snowsql.txt').split('\n').slice(0, 11).join('\n').slice(0, -30),
      /Line 11 of the table is cut off/,
    ],
    [
      'a table with fewer rows than it says it produced',
      fixture('api-snowsql.txt').replace(/^\| COMMENT .*\n/m, ''),
      /shows 8 of the 9 rows/,
    ],
    [
      'a table with a row of the wrong width',
      fixture('api-snowsql.txt').replace('| COMMENT              | String ', '| COMMENT | a | b | String '),
      /6 cells where the header has 4/,
    ],
    [
      'two DESCRIBE tables',
      `${fixture('storage-snowsql.txt')}\n${fixture('api-snowsql.txt')}`,
      /2 DESCRIBE tables/,
    ],
    ['CSV without its header', 'API_AWS_EXTERNAL_ID,String,x,\n', /no header with "property"/],
    [
      'CSV cut inside a quoted value',
      `${fixture('api-snowsight.csv')}COMMENT,String,"half`,
      /does not parse.*cut off/,
    ],
    ['CSV cut inside a row', `${fixture('api-snowsight.csv')}API_KEY,Str`, /does not parse.*cut off/],
  ])('refuses %s', (_case, text, message) => {
    expect(() => parseDescribe(text)).toThrow(DescribeOutputError);
    expect(() => parseDescribe(text)).toThrow(message);
  });
});

describe('describeForm', () => {
  it.each([
    ['[{"property": "A"}]', 'json'],
    ['  {"property": "A"}', 'json'],
    ['me#WH@DB>DESC INTEGRATION x;\n+---+\n| property |\n+---+', 'table'],
    ['| property | property_value |', 'table'],
    ['property,property_type,property_value,property_default', 'csv'],
  ] as const)('tells %j is %s', (text, form) => {
    expect(describeForm(text)).toBe(form);
  });
});
