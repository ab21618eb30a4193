// The CDK stacks the construct tests synthesize: the usage, as a user's gateway stack would write it.
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { copyBundles } from '../../cdk/scripts/assets';
import {
  SnowflakeApiIntegration,
  SnowflakeConnection,
  SnowflakeExternalFunction,
  SnowflakeTrustLink,
} from '../../cdk/src';

export const USER_ARN = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
export const EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
export const API_URL = 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/';
export const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:snowflake/connection-AbCdEf';

/** Puts the built bundles (dist/) where the constructs read them; fails when npm run build has not run. */
export function prepareBundles(): void {
  copyBundles(process.cwd());
}

/** A new app; its assets are staged in a fresh temporary folder at synthesis. */
export function newApp(): App {
  return new App();
}

/** The placeholder trust a role starts with: the account itself, which the link takes over. */
export function snowflakeRole(stack: Stack, id = 'SnowflakeRole'): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
}

/** The one-deploy usage: an integration that links its role, and a verified external function. */
export function oneDeployStack(
  app: App,
  id = 'Gateway',
  connection?: (stack: Stack) => SnowflakeConnection,
): { stack: Stack; role: iam.Role; integration: SnowflakeApiIntegration; fn: SnowflakeExternalFunction } {
  const stack = new Stack(app, id, { env: { account: '123456789012', region: 'us-east-1' } });
  const role = snowflakeRole(stack);
  const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Connection', SECRET_ARN);
  const chosen = connection ? connection(stack) : SnowflakeConnection.fromSecret(secret);
  const integration = new SnowflakeApiIntegration(stack, 'Integration', {
    connection: chosen,
    integrationName: 'echo_api',
    role,
    allowedPrefixes: [API_URL],
  });
  const fn = new SnowflakeExternalFunction(stack, 'Echo', {
    connection: chosen,
    database: 'ANALYTICS',
    schema: 'PUBLIC',
    functionName: 'echo',
    arguments: 'value VARIANT',
    integration,
    url: `${API_URL}echo`,
    verify: "'hello'",
  });
  return { stack, role, integration, fn };
}

/** The two-step flow's link, from values given by hand. */
export function twoStepLink(stack: Stack, role: iam.IRole, id = 'Link'): SnowflakeTrustLink {
  return new SnowflakeTrustLink(stack, id, { role, iamUserArn: USER_ARN, externalIds: [EXTERNAL_ID] });
}
