// SnowflakeExternalFunction: an external function created in Snowflake once its integration's link is in
// force, and proven by a call at deploy time (Verify): the stack completes only if Snowflake answers.
import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { SnowflakeConnection } from './connection';
import type { SnowflakeApiIntegration } from './integrations';
import { SERVICE_TIMEOUT } from './providers';

/** An external function in Snowflake. */
export interface SnowflakeExternalFunctionProps {
  /** How the Snowflake provider signs in to Snowflake. Required. */
  readonly connection: SnowflakeConnection;
  /** The database the function is created in. Required. */
  readonly database: string;
  /** The schema the function is created in. @default 'PUBLIC' */
  readonly schema?: string;
  /** The function's name (upper case unless written in double quotes). Required. */
  readonly functionName: string;
  /** Its parameters, `name TYPE` pairs separated by commas, e.g. 'value VARIANT'. @default - none */
  readonly arguments?: string;
  /** Its return type. @default 'VARIANT' */
  readonly returns?: string;
  /** The API integration it calls through; the function is created once that integration's link is in force. Required. */
  readonly integration: SnowflakeApiIntegration;
  /** The API's resource URL, https://…, under one of the integration's allowed prefixes. Required. */
  readonly url: string;
  /** SQL literals to call it with at deploy time, e.g. "'hello'"; the deploy fails if the call does. @default - no call */
  readonly verify?: string;
}

/** Creates an external function in Snowflake, proven by a call. */
export class SnowflakeExternalFunction extends Construct {
  /** The function's qualified name, DATABASE.SCHEMA.NAME, as Snowflake stores it. */
  readonly qualifiedName: string;
  /** What the deploy-time call answered (only with `verify`). */
  readonly verifyResult: string;

  constructor(scope: Construct, id: string, props: SnowflakeExternalFunctionProps) {
    super(scope, id);
    const provider = props.connection._provider(this);
    const { link } = props.integration;
    const resource = new CustomResource(this, 'Resource', {
      resourceType: 'Custom::SnowflakeExternalFunction',
      serviceToken: provider.serviceToken,
      serviceTimeout: SERVICE_TIMEOUT,
      properties: {
        ...props.connection._properties(),
        Database: props.database,
        Schema: props.schema ?? 'PUBLIC',
        FunctionName: props.functionName,
        ...(props.arguments === undefined ? {} : { Arguments: props.arguments }),
        Returns: props.returns ?? 'VARIANT',
        IntegrationName: props.integration.integrationName,
        Url: props.url,
        ...(props.verify === undefined ? {} : { Verify: props.verify }),
        // What the link wrote, and so made after it: if Snowflake cannot assume the role, Verify says which
        // side differs.
        TrustedRoleArn: link.roleArn,
        TrustedExternalIds: link.externalIds,
      },
    });
    resource.node.addDependency(...provider.dependables);
    this.qualifiedName = resource.getAttString('FunctionName');
    this.verifyResult = resource.getAttString('VerifyResult');
  }
}
