import { describe, expect, it } from 'vitest';
import { UnexpectedResponseError } from '../../handler/snowflake/client/errors';
import {
  describeProperties,
  listProperty,
  parseResultSet,
  parseRows,
  rowsByName,
} from '../../handler/snowflake/client/results';

const DESCRIBE_BODY = {
  code: '090001',
  statementHandle: '01b0-handle',
  resultSetMetaData: {
    numRows: 3,
    format: 'jsonv2',
    rowType: [
      { name: 'property' },
      { name: 'property_type' },
      { name: 'property_value' },
      { name: 'property_default' },
    ],
    partitionInfo: [{ rowCount: 3 }],
  },
  data: [
    ['API_AWS_IAM_USER_ARN', 'String', 'arn:aws:iam::123456789001:user/abc1-b-self1234', ''],
    ['api_aws_external_id', 'String', 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=', ''],
    ['ENABLED', 'Boolean', 'true', 'false'],
    ['COMMENT', 'String', null, null],
  ],
};

describe('parseResultSet', () => {
  it('keeps the handle, the column names, the rows and the partition count', () => {
    const result = parseResultSet(DESCRIBE_BODY);

    expect(result.statementHandle).toBe('01b0-handle');
    expect(result.columns).toEqual(['property', 'property_type', 'property_value', 'property_default']);
    expect(result.rows).toHaveLength(4);
    expect(result.partitions).toBe(1);
  });

  it('counts partitions and reads a result without data as no rows', () => {
    const result = parseResultSet({
      statementHandle: 'h',
      resultSetMetaData: { rowType: [{ name: 'status' }], partitionInfo: [{}, {}, {}] },
    });

    expect(result.partitions).toBe(3);
    expect(result.rows).toEqual([]);
  });

  it.each([
    ['no body', undefined],
    ['no handle', { resultSetMetaData: { rowType: [] } }],
    ['no rowType', { statementHandle: 'h', resultSetMetaData: {} }],
    ['a list', []],
  ])('refuses a 200 with %s', (_, body) => {
    expect(() => parseResultSet(body)).toThrow(UnexpectedResponseError);
  });
});

describe('parseRows', () => {
  it('keeps strings and nulls, and writes other values as strings', () => {
    expect(parseRows([['a', null, 1, true]])).toEqual([['a', null, '1', 'true']]);
  });

  it('refuses data that is not a list of rows', () => {
    expect(() => parseRows(['a'])).toThrow('not a list of rows');
    expect(() => parseRows({})).toThrow(UnexpectedResponseError);
  });
});

describe('rowsByName', () => {
  it('gives each row as an object keyed by column name', () => {
    const rows = rowsByName({ columns: ['name', 'kind'], rows: [['X', 'API'], ['Y']] });

    expect(rows).toEqual([
      { name: 'X', kind: 'API' },
      { name: 'Y', kind: null },
    ]);
  });
});

describe('describeProperties', () => {
  it('maps each property, upper case, to its value', () => {
    const properties = describeProperties(parseResultSet(DESCRIBE_BODY));

    expect(properties.get('API_AWS_IAM_USER_ARN')).toBe('arn:aws:iam::123456789001:user/abc1-b-self1234');
    expect(properties.get('API_AWS_EXTERNAL_ID')).toBe('MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=');
    expect(properties.get('ENABLED')).toBe('true');
    expect(properties.get('COMMENT')).toBeNull();
    expect(properties.has('MISSING')).toBe(false);
  });

  it('finds the columns whatever their case', () => {
    const properties = describeProperties({ columns: ['PROPERTY', 'PROPERTY_VALUE'], rows: [['x', 'y']] });

    expect(properties.get('X')).toBe('y');
  });

  it('refuses a result without the DESCRIBE columns, naming those it has', () => {
    expect(() => describeProperties({ columns: ['name'], rows: [] })).toThrow('(it has name)');
  });
});

describe('listProperty', () => {
  it.each([
    ['https://a/,https://b/', ['https://a/', 'https://b/']],
    ['[https://a/, https://b/]', ['https://a/', 'https://b/']],
    ['[]', []],
    ['', []],
    [null, []],
    [undefined, []],
  ])('reads %j as %j', (value, items) => {
    expect(listProperty(value)).toEqual(items);
  });
});
