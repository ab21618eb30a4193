import { describe, expect, it } from 'vitest';
import { LinkError } from '../../scripts/link/errors';
import { deployedLink, describeStackArgs, isMissingStack } from '../../scripts/link/stack-parameters';

describe('describeStackArgs', () => {
  it("asks for the stack's parameters as JSON, in the region and profile given", () => {
    expect(describeStackArgs('demo', { region: 'eu-west-1', profile: 'ops' })).toEqual([
      'cloudformation',
      'describe-stacks',
      '--stack-name',
      'demo',
      '--query',
      'Stacks[0].Parameters',
      '--output',
      'json',
      '--region',
      'eu-west-1',
      '--profile',
      'ops',
    ]);
  });
});

const USER_ARN = 'arn:aws:iam::123456789001:user/abc1-b-self1234';

function parameters(values: Record<string, string>): string {
  const list = Object.entries(values).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
  return `${JSON.stringify(list, null, 4)}\n`;
}

describe('deployedLink', () => {
  it.each([
    [{ SnowflakeExternalId: 'A_SFCRole=1_a=' }, ['A_SFCRole=1_a=']],
    [
      { SnowflakeExternalId: 'A_SFCRole=1_a=, B_SFCRole=2_b/+=,A_SFCRole=1_a=' },
      ['A_SFCRole=1_a=', 'B_SFCRole=2_b/+='],
    ],
    [{ SnowflakeExternalId: '' }, []],
  ])('reads the external ids of %j', (values, ids) => {
    expect(deployedLink(parameters({ Stage: 'prod', ...values }), 'demo').externalIds).toEqual(ids);
  });

  it('reads the user ARN the stack trusts, empty when it has none', () => {
    const linked = parameters({ SnowflakeIamUserArn: USER_ARN, SnowflakeExternalId: 'A_SFCRole=1_a=' });

    expect(deployedLink(linked, 'demo').userArn).toBe(USER_ARN);
    expect(deployedLink(parameters({ SnowflakeExternalId: '' }), 'demo').userArn).toBe('');
  });

  it.each([
    [parameters({ Stage: 'prod' }), /has no SnowflakeExternalId parameter/],
    ['null\n', /has no SnowflakeExternalId parameter/],
    [parameters({ SnowflakeExternalId: '****' }), /hides SnowflakeExternalId \(NoEcho\)/],
    [parameters({ SnowflakeExternalId: 'bad id' }), /not usable: .*contains " "/],
    ['not json', /printed no list of parameters/],
    ['[{"ParameterKey": 1}]', /printed no list of parameters/],
    ['["SnowflakeExternalId"]', /printed no list of parameters/],
  ])('refuses %j', (stdout, message) => {
    expect(() => deployedLink(stdout, 'demo')).toThrow(LinkError);
    expect(() => deployedLink(stdout, 'demo')).toThrow(message);
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
