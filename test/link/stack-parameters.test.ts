import { describe, expect, it } from 'vitest';
import { StackError } from '../../scripts/link/errors';
import { deployedLink } from '../../scripts/link/stack-parameters';

const USER_ARN = 'arn:aws:iam::123456789001:user/abc1-b-self1234';

function stack(values: Record<string, string>) {
  return { name: 'demo', parameters: new Map(Object.entries(values)) };
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
    expect(deployedLink(stack({ Stage: 'prod', ...values })).externalIds).toEqual(ids);
  });

  it('reads the user ARN the stack trusts, empty when it has none', () => {
    const linked = stack({ SnowflakeIamUserArn: USER_ARN, SnowflakeExternalId: 'A_SFCRole=1_a=' });

    expect(deployedLink(linked).userArn).toBe(USER_ARN);
    expect(deployedLink(stack({ SnowflakeExternalId: '' })).userArn).toBe('');
  });

  it.each([
    [{ Stage: 'prod' }, /Stack demo has no SnowflakeExternalId parameter/],
    [{ SnowflakeExternalId: '****' }, /hides SnowflakeExternalId \(NoEcho\)/],
    [{ SnowflakeExternalId: 'bad id' }, /not usable: .*contains " "/],
  ])('refuses the parameters %j', (values, message) => {
    expect(() => deployedLink(stack(values))).toThrow(StackError);
    expect(() => deployedLink(stack(values))).toThrow(message);
  });
});
