// What the lab does for each resource type of a stack: IAM roles are made in IAM over the wire,
// functions become LambdaFunctions, custom resources get requests; anything else is only recorded.
import { resolve } from 'node:path';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  NoSuchEntityException,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { type CustomResourceOutcome, type RequestType, sendRequest } from './custom-resource';
import { LambdaFunction, type LambdaFunctionConfig } from './lambda';
import { isNestedStackType, nestedStack } from './nested-stack';
import {
  generatedName,
  type Provider,
  type ProviderContext,
  ResourceFailure,
  type ResourceState,
} from './resource';

export {
  generatedName,
  type Provider,
  type ProviderContext,
  ResourceFailure,
  type ResourceState,
  type TableHost,
} from './resource';

/** The provider for a resource type. */
export function providerFor(type: string): Provider {
  if (type === 'AWS::IAM::Role') return iamRole;
  if (type === 'AWS::Lambda::Function' || type === 'AWS::Serverless::Function') return lambdaFunction;
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return customResource;
  if (type === 'AWS::DynamoDB::Table') return dynamoDbTable;
  if (type === 'AWS::ApiGateway::Stage') return apiStage;
  if (isNestedStackType(type)) return nestedStack;
  return notSimulated;
}

const iamRole: Provider = {
  async create(ctx, logicalId, _type, properties) {
    const roleName = String(properties.RoleName ?? generatedName(ctx.stackName, logicalId));
    const { Role: role } = await iamCall(() =>
      ctx.iam.send(
        new CreateRoleCommand({
          RoleName: roleName,
          AssumeRolePolicyDocument: policyText(properties.AssumeRolePolicyDocument),
          Path: typeof properties.Path === 'string' ? properties.Path : undefined,
          Description: typeof properties.Description === 'string' ? properties.Description : undefined,
        }),
      ),
    );
    return {
      logicalId,
      type: 'AWS::IAM::Role',
      physicalId: roleName,
      properties,
      attributes: { Arn: role?.Arn, RoleId: role?.RoleId },
    };
  },
  async update(ctx, current, properties) {
    const replaced =
      properties.RoleName !== current.properties.RoleName || properties.Path !== current.properties.Path;
    if (replaced) return this.create(ctx, current.logicalId, current.type, properties);
    if (
      JSON.stringify(properties.AssumeRolePolicyDocument) !==
      JSON.stringify(current.properties.AssumeRolePolicyDocument)
    ) {
      await iamCall(() =>
        ctx.iam.send(
          new UpdateAssumeRolePolicyCommand({
            RoleName: current.physicalId,
            PolicyDocument: policyText(properties.AssumeRolePolicyDocument),
          }),
        ),
      );
    }
    return { ...current, properties };
  },
  async delete(ctx, state) {
    try {
      await ctx.iam.send(new DeleteRoleCommand({ RoleName: state.physicalId }));
    } catch (error) {
      if (!(error instanceof NoSuchEntityException)) throw new ResourceFailure(iamMessage(error));
    }
  },
};

const lambdaFunction: Provider = {
  async create(ctx, logicalId, type, properties) {
    const functionName = String(properties.FunctionName ?? generatedName(ctx.stackName, logicalId));
    const fn = new LambdaFunction(functionConfig(ctx, logicalId, functionName, properties));
    ctx.adoptFunction(fn);
    return { logicalId, type, physicalId: functionName, properties, attributes: { Arn: fn.arn } };
  },
  async update(ctx, current, properties) {
    const fn = new LambdaFunction(functionConfig(ctx, current.logicalId, current.physicalId, properties));
    ctx.adoptFunction(fn);
    return { ...current, properties, attributes: { Arn: fn.arn } };
  },
  async delete() {},
};

const customResource: Provider = {
  async create(ctx, logicalId, type, properties) {
    const outcome = await request(ctx, 'Create', { logicalId, type }, properties);
    return {
      logicalId,
      type,
      physicalId: outcome.physicalResourceId ?? '',
      properties,
      attributes: outcome.data,
    };
  },
  async update(ctx, current, properties) {
    // CloudFormation refuses this itself, before any request reaches the function: ServiceToken "Updates
    // aren't supported" (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html),
    // and the update fails with this text (https://github.com/cloudcomponents/cdk-constructs/issues/197,
    // https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/802).
    if (properties.ServiceToken !== current.properties.ServiceToken) {
      throw new ResourceFailure('Modifying service token is not allowed.', undefined, true);
    }
    const outcome = await request(ctx, 'Update', current, properties, current);
    return {
      ...current,
      physicalId: outcome.physicalResourceId ?? current.physicalId,
      properties,
      attributes: outcome.data,
    };
  },
  async delete(ctx, state) {
    await request(ctx, 'Delete', state, state.properties, state);
  },
};

// A table with a string partition key; its Ref is its name. Other properties are only recorded.
const dynamoDbTable: Provider = {
  async create(ctx, logicalId, type, properties) {
    const name = String(properties.TableName ?? generatedName(ctx.stackName, logicalId, 255));
    const keyName = (properties.KeySchema as Array<{ AttributeName?: string }> | undefined)?.[0]
      ?.AttributeName;
    if (!ctx.tables) throw new ResourceFailure('The lab runs no DynamoDB stand-in for AWS::DynamoDB::Table.');
    if (!keyName) throw new ResourceFailure(`Table ${logicalId} has no KeySchema.`);
    ctx.tables.createTable(name, keyName);
    return { logicalId, type, physicalId: name, properties, attributes: { Arn: tableArn(ctx, name) } };
  },
  async update(_ctx, current, properties) {
    return { ...current, properties };
  },
  async delete(ctx, state) {
    ctx.tables?.deleteTable(state.physicalId);
  },
};

function tableArn(ctx: ProviderContext, name: string): string {
  return `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${name}`;
}

// A stage is recorded only, but its Ref is its name, and a new StageName replaces it
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-stage.html).
const apiStage: Provider = {
  async create(_ctx, logicalId, type, properties) {
    return { logicalId, type, physicalId: String(properties.StageName), properties, attributes: {} };
  },
  async update(_ctx, current, properties) {
    return { ...current, physicalId: String(properties.StageName), properties };
  },
  async delete() {},
};

const notSimulated: Provider = {
  async create(ctx, logicalId, type, properties) {
    return {
      logicalId,
      type,
      physicalId:
        type === 'AWS::S3::Bucket'
          ? bucketName(ctx, logicalId, properties)
          : generatedName(ctx.stackName, logicalId),
      properties,
      attributes: {},
    };
  },
  async update(_ctx, current, properties) {
    return { ...current, properties };
  },
  async delete() {},
};

// S3 bucket names are lower case: CloudFormation generates them so, and an s3:// URL needs one.
function bucketName(ctx: ProviderContext, logicalId: string, properties: Record<string, unknown>): string {
  return String(properties.BucketName ?? generatedName(ctx.stackName, logicalId, 63).toLowerCase());
}

async function request(
  ctx: ProviderContext,
  requestType: RequestType,
  { logicalId, type }: { logicalId: string; type: string },
  properties: Record<string, unknown>,
  current?: ResourceState,
): Promise<CustomResourceOutcome> {
  const serviceToken = String(properties.ServiceToken ?? '');
  const fn = ctx.functionByArn(serviceToken);
  if (fn === undefined)
    throw new ResourceFailure(`ServiceToken ${serviceToken} names no function the lab runs.`);
  const outcome = await sendRequest(fn, ctx.receiver, {
    requestType,
    stackId: ctx.stackId,
    logicalResourceId: logicalId,
    resourceType: type,
    properties,
    ...(current === undefined ? {} : { physicalResourceId: current.physicalId }),
    ...(requestType === 'Update' && current !== undefined ? { oldProperties: current.properties } : {}),
    serviceTimeoutMs: ctx.serviceTimeoutMs ?? Number(properties.ServiceTimeout ?? 3600) * 1000,
  });
  ctx.recordRequest(outcome);
  if (outcome.status === 'FAILED') throw new ResourceFailure(outcome.reason, outcome.physicalResourceId);
  return outcome;
}

function functionConfig(
  ctx: ProviderContext,
  logicalId: string,
  functionName: string,
  properties: Record<string, unknown>,
): LambdaFunctionConfig {
  const override = ctx.functionOverrides[logicalId] ?? {};
  const [file = 'index', exportName = 'handler'] = String(properties.Handler ?? 'index.handler').split('.');
  const codeUri = typeof properties.CodeUri === 'string' ? properties.CodeUri : undefined;
  const modulePath =
    override.modulePath ??
    (codeUri === undefined ? undefined : resolve(ctx.templateDir, codeUri, `${file}.js`));
  if (modulePath === undefined) {
    throw new ResourceFailure(`Function ${logicalId} has no CodeUri; give the lab its modulePath.`);
  }
  const variables =
    (properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  // EventInvokeConfig.MaximumRetryAttempts: how often Lambda runs a failed asynchronous invocation again;
  // MaximumEventAgeInSeconds: how long it keeps an event before discarding it unrun.
  const invokeConfig = properties.EventInvokeConfig as
    | { MaximumRetryAttempts?: unknown; MaximumEventAgeInSeconds?: unknown }
    | undefined;
  const retries = invokeConfig?.MaximumRetryAttempts;
  const maxAge = invokeConfig?.MaximumEventAgeInSeconds;
  return {
    functionName,
    modulePath,
    exportName,
    ...(retries === undefined ? {} : { asyncRetries: Number(retries) }),
    ...(maxAge === undefined ? {} : { maxEventAgeMs: Number(maxAge) * 1000 }),
    timeoutMs: Number(properties.Timeout ?? 3) * 1000,
    region: ctx.region,
    accountId: ctx.accountId,
    ...(properties.MemorySize === undefined ? {} : { memoryMb: Number(properties.MemorySize) }),
    ...override,
    environment: {
      ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
      ...ctx.functionEnvironment,
      ...override.environment,
    },
  };
}

function policyText(document: unknown): string {
  return typeof document === 'string' ? document : JSON.stringify(document);
}

async function iamCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new ResourceFailure(iamMessage(error));
  }
}

function iamMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name.replace(/Exception$/, '')}: ${error.message}`;
  return String(error);
}
