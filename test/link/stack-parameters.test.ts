import { describe, expect, it } from 'vitest';
import { LinkError } from '../../scripts/link/errors';
import { describeStackArgs, isMissingStack, stackExternalIds } from '../../scripts/link/stack-parameters';

describe('describeStackArgs', () => {
  it('queries only the SnowflakeExternalId value, in the region and profile given', () => {
    expect(describeStackArgs('demo', { region: 'eu-west-1', profile: 'ops' })).toEqual([
      'cloudformation',
      'describe-stacks',
      '--stack-name',
      'demo',
      '--query',
      "Stacks[0].Parameters[?ParameterKey=='SnowflakeExternalId'].ParameterValue",
      '--output',
      'json',
      '--region',
      'eu-west-1',
      '--profile',
      'ops',
    ]);
  });
});

describe('stackExternalIds', () => {
  it.each([
    ['[\n    "A_SFCRole=1_a="\n]\n', ['A_SFCRole=1_a=']],
    ['["A_SFCRole=1_a=, B_SFCRole=2_b/+=,A_SFCRole=1_a="]', ['A_SFCRole=1_a=', 'B_SFCRole=2_b/+=']],
    ['[""]', []],
  ])('reads the ids in %j', (stdout, ids) => {
    expect(stackExternalIds(stdout, 'demo')).toEqual(ids);
  });

  it.each([
    ['[]', /has no SnowflakeExternalId parameter/],
    ['["****"]', /hides SnowflakeExternalId \(NoEcho\)/],
    ['["bad id"]', /not usable: .*contains " "/],
    ['not json', /printed no list of parameter values/],
    ['{"a": 1}', /printed no list of parameter values/],
  ])('refuses %j', (stdout, message) => {
    expect(() => stackExternalIds(stdout, 'demo')).toThrow(LinkError);
    expect(() => stackExternalIds(stdout, 'demo')).toThrow(message);
  });
});

describe('isMissingStack', () => {
  it.each([
    [
      'An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id demo does not exist',
      true,
    ],
    ['Unable to locate credentials. You can configure credentials by running "aws configure".', false],
  ])('tells whether %j means the stack is not there', (stderr, missing) => {
    expect(isMissingStack(stderr)).toBe(missing);
  });
});
