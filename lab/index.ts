// The local lab: IAM, DynamoDB, STS, Secrets Manager, Snowflake, API Gateway and CloudFormation stand-ins
// wired together, so that a stack from a template (or a single custom resource) runs against them over
// loopback, with no AWS or Snowflake account.
import { ApiGatewayStandIn } from './apigateway';
import { CloudFormationStandIn, type CloudFormationStandInOptions } from './cloudformation';
import { DynamoDbStandIn } from './dynamodb';
import { IamStandIn, type IamStandInOptions } from './iam';
import { SecretsManagerStandIn } from './secrets-manager';
import { SnowflakeStandIn, type SnowflakeStandInOptions } from './snowflake';
import { StsStandIn } from './sts';

export * from './apigateway';
export * from './cloudformation';
export * from './dynamodb';
export * from './iam';

/** How to start the lab. */
export interface LabOptions extends IamStandInOptions {
  /** Options for the CloudFormation stand-in, apart from the endpoints (the lab's own stand-ins). */
  cloudformation?: Omit<CloudFormationStandInOptions, 'iamEndpoint' | 'dynamodb'>;
  /** Options for the Snowflake stand-in, apart from the IAM stand-in it is wired to. */
  snowflake?: Omit<SnowflakeStandInOptions, 'iam'>;
  /** The module the API Gateway stand-in's POST …/echo runs; default the echo bundle. */
  echoModulePath?: string;
}

/** Every stand-in, running. */
export interface Lab {
  iam: IamStandIn;
  dynamodb: DynamoDbStandIn;
  sts: StsStandIn;
  secrets: SecretsManagerStandIn;
  snowflake: SnowflakeStandIn;
  api: ApiGatewayStandIn;
  cfn: CloudFormationStandIn;
  /** Kills every function instance and stops every server. */
  close(): Promise<void>;
}

/**
 * Starts the stand-ins, then the CloudFormation stand-in pointed at them. Every function gets the
 * endpoints of IAM, DynamoDB, Secrets Manager and STS, and SNOWFLAKE_ENDPOINT_OVERRIDE, the Snowflake
 * stand-in's SQL API, which the Snowflake function alone reads. Snowflake's IAM user is a principal IAM knows.
 */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const { cloudformation, snowflake: snowflakeOptions, echoModulePath, ...iamOptions } = options;
  const iam = await IamStandIn.start(iamOptions);
  const dynamodb = await DynamoDbStandIn.start();
  const sts = await StsStandIn.start();
  const secrets = await SecretsManagerStandIn.start();
  const snowflake = await SnowflakeStandIn.start({ ...snowflakeOptions, iam });
  iam.addKnownPrincipal(snowflake.iamUserArn);
  const api = await ApiGatewayStandIn.start();
  const cfn = await CloudFormationStandIn.start({
    ...cloudformation,
    environment: {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      // Every lab function signs with the same credentials: to STS, all of them run as its callerRoleArn.
      AWS_ENDPOINT_URL_STS: sts.endpoint,
      SNOWFLAKE_ENDPOINT_OVERRIDE: snowflake.endpoint,
      ...cloudformation?.environment,
    },
    accountId: iam.accountId,
    iamEndpoint: iam.endpoint,
    dynamodb,
  });
  routeEcho(api, cfn, echoModulePath ?? 'dist/echo/index.mjs');
  return {
    iam,
    dynamodb,
    sts,
    secrets,
    snowflake,
    api,
    cfn,
    async close() {
      iam.release();
      await cfn.close();
      await api.close();
      await snowflake.close();
      await secrets.close();
      await sts.close();
      await iam.close();
      await dynamodb.close();
    },
  };
}

// POST <any API>/<any stage>/echo runs the echo bundle as Lambda runs it (API Gateway's proxy integration).
function routeEcho(api: ApiGatewayStandIn, cfn: CloudFormationStandIn, modulePath: string): void {
  const echo = cfn.function({ functionName: 'lab-api-echo', modulePath, timeoutMs: 10_000 });
  api.route('/echo', async (event) => {
    const invocation = await echo.invoke(event);
    if (invocation.outcome !== 'returned')
      throw new Error(invocation.error?.errorMessage ?? invocation.outcome);
    return invocation.value as { statusCode: number; body?: string };
  });
}
