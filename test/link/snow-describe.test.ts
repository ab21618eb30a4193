import { describe, expect, it } from 'vitest';
import { integrationNameProblem, snowDescribeArgs } from '../../scripts/link/snow-describe';

describe('integrationNameProblem', () => {
  it.each([['MY_API_INT'], ['_x$1'], ['"My Integration"'], ['"say ""hi"""']])('accepts %s', (name) => {
    expect(integrationNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['x; DROP INTEGRATION y'],
    ['1abc'],
    ['my-int'],
    ['a.b'],
    ['"unclosed'],
    ['"a" OR "b"'],
    ['"line\nbreak"'],
    [''],
    ['a'.repeat(256)],
  ])('refuses %j', (name) => {
    expect(integrationNameProblem(name)).toMatch(/is not a Snowflake identifier/);
  });
});

describe('snowDescribeArgs', () => {
  it('asks for JSON, on the connection when one is given', () => {
    expect(snowDescribeArgs('MY_INT', 'prod')).toEqual([
      'sql',
      '-q',
      'DESC INTEGRATION MY_INT',
      '--format',
      'json',
      '-c',
      'prod',
    ]);
    expect(snowDescribeArgs('MY_INT')).toEqual(['sql', '-q', 'DESC INTEGRATION MY_INT', '--format', 'json']);
  });
});
