// What the lifecycle tests share: the Snowflake, IAM and API Gateway stand-ins in this process, a SQL API
// client signed in with a programmatic access token, and invocations as the framework makes them.

import { handler as echo } from '../../../handler/echo/index';
import type { Invocation } from '../../../handler/framework/framework';
import { authenticatorFor } from '../../../handler/snowflake/client/credentials';
import { parseConnectionSecret } from '../../../handler/snowflake/client/settings';
import { SqlApiClient } from '../../../handler/snowflake/client/sql-api';
import type { Connect, SnowflakeInvocation } from '../../../handler/snowflake/resources/session';
import { ApiGatewayStandIn } from '../../../lab/apigateway';
import { IamStandIn } from '../../../lab/iam';
import { SnowflakeStandIn } from '../../../lab/snowflake';
import { SNOWFLAKE_USER } from '../../helpers/trust';

export const ROLE_NAME = 'snowflake';
export const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE_NAME}`;
export const STACK_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/one-deploy/7c1f0e2a-1111-2222-3333-444455556666';
export const API_URL = 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/';
export const FAILED_CREATE = 'SnowflakeCreateFailed:request-1';

/** The stand-ins, running. */
export interface SnowflakeLab {
  iam: IamStandIn;
  snowflake: SnowflakeStandIn;
  api: ApiGatewayStandIn;
  connect: Connect;
  close(): Promise<void>;
}

/** Starts the stand-ins: a service user SVC (ACCOUNTADMIN, COMPUTE_WH) and database LAB; POST …/echo is the echo handler. */
export async function startSnowflakeLab(): Promise<SnowflakeLab> {
  const iam = await IamStandIn.start({ knownPrincipals: [SNOWFLAKE_USER] });
  const snowflake = await SnowflakeStandIn.start({ iam, iamUserArn: SNOWFLAKE_USER });
  const api = await ApiGatewayStandIn.start();
  api.route('/echo', (event) => echo(event));
  snowflake.createUser({
    name: 'SVC',
    roles: ['ACCOUNTADMIN'],
    defaultRole: 'ACCOUNTADMIN',
    defaultWarehouse: 'COMPUTE_WH',
  });
  snowflake.createDatabase('LAB');
  const token = snowflake.addProgrammaticAccessToken('SVC');
  const settings = parseConnectionSecret(
    JSON.stringify({ account: 'MYORG-MYACCOUNT', user: 'SVC', token }),
    'lab',
  );
  const connect: Connect = async () =>
    new SqlApiClient(settings, authenticatorFor(settings), {
      endpointOverride: snowflake.endpoint,
      retry: { attempts: 2, baseMs: 1, maxMs: 2 },
    });
  return {
    iam,
    snowflake,
    api,
    connect,
    async close() {
      await api.close();
      await snowflake.close();
      await iam.close();
    },
  };
}

/**
 * A connection signed in as another user, with that user's default role: the lab makes the user (and the
 * role, with CREATE INTEGRATION) on first use. Stands for a secret whose user or role changed.
 */
export function connectAs(lab: SnowflakeLab, user: string, role: string): Connect {
  lab.snowflake.createRole(role, ['CREATE INTEGRATION']);
  lab.snowflake.createUser({ name: user, roles: [role], defaultRole: role, defaultWarehouse: 'COMPUTE_WH' });
  const token = lab.snowflake.addProgrammaticAccessToken(user);
  const settings = parseConnectionSecret(JSON.stringify({ account: 'MYORG-MYACCOUNT', user, token }), 'lab');
  return async () =>
    new SqlApiClient(settings, authenticatorFor(settings), {
      endpointOverride: lab.snowflake.endpoint,
      retry: { attempts: 2, baseMs: 1, maxMs: 2 },
    });
}

/** An invocation as the framework makes it, for one logical id of the test stack. */
export function invocationFor(
  lab: SnowflakeLab,
  logicalId: string,
  overrides: Partial<SnowflakeInvocation> = {},
): SnowflakeInvocation & Invocation {
  return {
    signal: new AbortController().signal,
    owner: { stackId: STACK_ID, logicalId },
    id: 'invocation-1',
    deadline: Date.now() + 300_000,
    failedPhysicalId: FAILED_CREATE,
    connect: lab.connect,
    verifyMs: 3000,
    ...overrides,
  };
}

export const PLACEHOLDER_TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'SnowflakeTrustLink',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 'sts:AssumeRole',
    },
  ],
};
