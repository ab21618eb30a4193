import { describe, expect, it } from 'vitest';
import { acceptTrustPolicy, type PrincipalDirectory } from '../../lab/iam';

const SNOWFLAKE_USER = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const known: PrincipalDirectory = {
  isKnown: (arn) => [SNOWFLAKE_USER, 'arn:aws:iam::123456789012:root'].includes(arn),
};

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

const linked = {
  Sid: 'SnowflakeTrustLink',
  Effect: 'Allow',
  Principal: { AWS: SNOWFLAKE_USER },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'sts:ExternalId': 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=' } },
};

describe('acceptTrustPolicy', () => {
  it('accepts the linked document and stores it as compact JSON', () => {
    const text = JSON.stringify(JSON.parse(policy(linked)), null, 2);

    const stored = acceptTrustPolicy(text, known);

    expect(stored).toBe(policy(linked));
  });

  it('stores a bare account id principal as the account root ARN', () => {
    const stored = acceptTrustPolicy(
      policy({ Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }),
      known,
    );

    expect(JSON.parse(stored).Statement[0].Principal.AWS).toBe('arn:aws:iam::123456789012:root');
  });

  it('counts the quota without whitespace', () => {
    const padded = policy(linked).replace(/,/g, ',          ');

    expect(() => acceptTrustPolicy(padded, known, policy(linked).length)).not.toThrow();
    expect(() => acceptTrustPolicy(policy(linked), known, policy(linked).length - 1)).toThrow(
      expect.objectContaining({ code: 'LimitExceeded', status: 409 }),
    );
  });

  it('names the quota in the LimitExceeded message', () => {
    const long = policy(
      ...Array.from({ length: 20 }, (_, i) => ({
        ...linked,
        Sid: `S${i}`,
        Principal: { AWS: SNOWFLAKE_USER },
      })),
    );

    expect(() => acceptTrustPolicy(long, known)).toThrow('Cannot exceed quota for ACLSizePerRole: 2048');
  });

  it.each([
    ['not JSON', '{"Version": "2012-10-17",', 'This policy contains invalid Json'],
    ['a JSON array', '[]', 'This policy contains invalid Json'],
    ['an unknown Version', JSON.stringify({ Version: '2020-01-01', Statement: [linked] }), 'legacy parsing'],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' }), 'Missing required field Statement'],
    ['an empty Statement list', policy(), 'Syntax errors in policy.'],
    ['repeated Sids', policy(linked, linked), 'Statement IDs (SID) in a single policy must be unique.'],
    [
      'a Sid with a dash',
      policy({ ...linked, Sid: 'Snow-flake' }),
      'Statement IDs (SID) must be alpha-numeric',
    ],
    [
      'an unknown user',
      policy({ ...linked, Principal: { AWS: 'arn:aws:iam::123456789001:user/nobody' } }),
      'Invalid principal in policy: "AWS":"arn:aws:iam::123456789001:user/nobody"',
    ],
    [
      'a 13-digit account',
      policy({
        ...linked,
        Principal: { AWS: 'arn:aws:iam::1234567898012:user/development/development_user' },
      }),
      'Invalid principal in policy: "AWS":"arn:aws:iam::1234567898012:user/development/development_user"',
    ],
    [
      'a missing Principal',
      policy({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
      'Missing required field Principal',
    ],
    ['a Resource', policy({ ...linked, Resource: '*' }), 'Has prohibited field Resource'],
    [
      'a non-STS action',
      policy({ ...linked, Action: 's3:GetObject' }),
      'AssumeRole policy may only specify STS AssumeRole actions.',
    ],
    [
      'an Effect other than Allow or Deny',
      policy({ ...linked, Effect: 'Permit' }),
      'Syntax errors in policy.',
    ],
    [
      'a malformed Condition',
      policy({ ...linked, Condition: { StringEquals: 'x' } }),
      'Syntax errors in policy.',
    ],
  ])('refuses %s as MalformedPolicyDocument', (_case, text, message) => {
    expect(() => acceptTrustPolicy(text, known)).toThrow(
      expect.objectContaining({
        code: 'MalformedPolicyDocument',
        status: 400,
        message: expect.stringContaining(message),
      }),
    );
  });

  it('accepts a policy without Version, service principals and lists of principals', () => {
    const text = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        {
          Effect: 'Allow',
          Principal: { AWS: [SNOWFLAKE_USER, '123456789012'] },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    });

    const stored = JSON.parse(acceptTrustPolicy(text, known));

    expect(stored.Statement[1].Principal.AWS).toEqual([SNOWFLAKE_USER, 'arn:aws:iam::123456789012:root']);
  });
});
