// The trust a link writes, for the tests of every suite: Snowflake's step 4 statement under the link's Sid.
import type { TrustPolicy, TrustStatement } from '../../lab';

/** The IAM user Snowflake's examples print as API_AWS_IAM_USER_ARN. */
export const SNOWFLAKE_USER = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
export const SID = 'SnowflakeTrustLink';

/** The statement a link owns: the seed's step 4 statement under its Sid. */
export function linkedStatement(
  externalIds: string | string[],
  { sid = SID, user = SNOWFLAKE_USER }: { sid?: string; user?: string } = {},
): TrustStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: user },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': externalIds } },
  };
}

/** A trust policy holding only the link's statement. */
export function linkedTrust(externalIds: string | string[]): TrustPolicy {
  return { Version: '2012-10-17', Statement: [linkedStatement(externalIds)] };
}
