// The CloudFormation stand-in: runs stacks of custom resources (and the IAM roles and functions they
// need) by CloudFormation's rules, with functions run as Lambda runs them and responses judged as S3
// and CloudFormation judge them.
import { dirname, resolve } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { CloudFormationApi } from './api';
import { LambdaFunction, type LambdaFunctionConfig } from './lambda';
import { ResponseReceiver, type Violation } from './receiver';
import type { PackagedTemplate, TableHost } from './resource';
import { Stack } from './stack';

export { CloudFormationApi } from './api';
export {
  type CustomResourceEvent,
  type CustomResourceOutcome,
  type CustomResourceRequest,
  type RequestType,
  sendRequest,
  stringifyProperties,
} from './custom-resource';
export { evaluateCondition, resolveValue, TemplateError } from './intrinsics';
export { type DiscardedEvent, type Invocation, LambdaFunction, type LambdaFunctionConfig } from './lambda';
export { type ReceivedResponse, ResponseReceiver, type ResponseSlot, type Violation } from './receiver';
export { ResourceFailure, type ResourceState, type TableHost } from './resource';
export { type CfnResponseBody, cfnProblems, MAX_RESPONSE_BYTES, s3Refusal } from './response-checks';
export { expandServerlessApis } from './serverless-api';
export { Stack, type StackEvent, type StackOperationResult, StackValidationError } from './stack';
export { loadTemplate, parseTemplate, type Template } from './template';

/** How the stand-in starts. */
export interface CloudFormationStandInOptions {
  /** The IAM endpoint (the IAM stand-in's) for roles the stacks declare and for the functions. */
  iamEndpoint: string;
  accountId?: string;
  region?: string;
  /** Directory that CodeUri paths are relative to; default the current directory. */
  templateDir?: string;
  /** Overrides per function logical id: modulePath, environment, timeoutMs, asyncRetries... */
  functions?: Record<string, Partial<LambdaFunctionConfig>>;
  /** Environment for every function, besides AWS_ENDPOINT_URL_IAM. */
  environment?: Record<string, string>;
  /** The DynamoDB stand-in: stacks make their tables there, and functions get AWS_ENDPOINT_URL_DYNAMODB. */
  dynamodb?: TableHost & { endpoint: string };
  /** Overrides every custom resource's ServiceTimeout, in ms (CloudFormation's default is one hour). */
  serviceTimeoutMs?: number;
  /** A response body slower than this is an S3 RequestTimeout; default 5000 ms. */
  bodyTimeoutMs?: number;
  /**
   * Applications "published" to the Serverless Application Repository, for an AWS::Serverless::Application
   * whose Location is { ApplicationId, SemanticVersion }: `<ApplicationId>@<SemanticVersion>` to a template path.
   */
  applications?: Record<string, string>;
}

/** A running CloudFormation stand-in. Start with `CloudFormationStandIn.start()`, end with `close()`. */
export class CloudFormationStandIn {
  private readonly functions: LambdaFunction[] = [];
  private readonly stacks: Stack[] = [];
  private readApi: Promise<CloudFormationApi> | undefined;
  private readonly packages = new Map<string, PackagedTemplate>();

  private constructor(
    private readonly options: CloudFormationStandInOptions,
    /** Where responses arrive; its `violations` list every problem found with a response. */
    readonly receiver: ResponseReceiver,
    private readonly iam: IAMClient,
  ) {}

  static async start(options: CloudFormationStandInOptions): Promise<CloudFormationStandIn> {
    const receiver = await ResponseReceiver.start({ bodyTimeoutMs: options.bodyTimeoutMs ?? 5000 });
    const iam = new IAMClient({
      endpoint: options.iamEndpoint,
      region: options.region ?? 'us-east-1',
      credentials: { accessKeyId: 'ASIALABLABLABLABLAB1', secretAccessKey: 'lab-secret-access-key' },
    });
    return new CloudFormationStandIn(options, receiver, iam);
  }

  /** A new, empty stack; call `create()` on it. Relative paths in its template are read from `templateDir`. */
  stack(stackName: string, { templateDir }: { templateDir?: string } = {}): Stack {
    const { options } = this;
    const stack = new Stack(stackName, {
      accountId: options.accountId ?? '123456789012',
      region: options.region ?? 'us-east-1',
      templateDir: resolve(templateDir ?? options.templateDir ?? '.'),
      iam: this.iam,
      receiver: this.receiver,
      functionOverrides: options.functions ?? {},
      functionEnvironment: this.environment(),
      ...(options.dynamodb ? { tables: options.dynamodb } : {}),
      serviceTimeoutMs: options.serviceTimeoutMs,
      functionByArn: (arn) => [...this.functions].reverse().find((fn) => fn.arn === arn),
      adoptFunction: (fn) => this.functions.push(fn),
      nested: {
        packages: this.packages,
        applications: options.applications ?? {},
        newStack: (name, dir) => this.stack(name, { templateDir: dir }),
        stackById: (id) => this.stackById(id),
      },
    });
    this.stacks.push(stack);
    return stack;
  }

  /** CloudFormation's read API (DescribeStacks, ListStackResources) over this stand-in's stacks; started once. */
  api(): Promise<CloudFormationApi> {
    this.readApi ??= CloudFormationApi.start(() => this.stacks);
    return this.readApi;
  }

  /** A stack made before (nested ones included), by its id. */
  stackById(stackId: string): Stack | undefined {
    return this.stacks.find((stack) => stack.stackId === stackId);
  }

  /** A function run as Lambda runs it, outside any stack (for sending requests by hand). */
  function(config: LambdaFunctionConfig): LambdaFunction {
    const fn = new LambdaFunction({
      ...config,
      environment: { ...this.environment(), ...config.environment },
    });
    this.functions.push(fn);
    return fn;
  }

  // The stand-ins' endpoints, then the environment every function is given.
  private environment(): Record<string, string> {
    const { iamEndpoint, dynamodb, environment } = this.options;
    return {
      AWS_ENDPOINT_URL_IAM: iamEndpoint,
      ...(dynamodb ? { AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint } : {}),
      ...environment,
    };
  }

  /** Every problem found with any response so far. */
  get violations(): Violation[] {
    return this.receiver.violations;
  }

  /** Waits until no function runs (retries included). */
  async settled(): Promise<void> {
    await Promise.all(this.functions.map((fn) => fn.settled()));
  }

  /** Kills every function instance and stops the receiver. */
  async close(): Promise<void> {
    await Promise.all(this.functions.map((fn) => fn.close()));
    await this.receiver.close();
    await (await this.readApi)?.close();
    this.iam.destroy();
  }
}

/** The directory of a template file, for `templateDir`. */
export function templateDirOf(templatePath: string): string {
  return dirname(resolve(templatePath));
}
