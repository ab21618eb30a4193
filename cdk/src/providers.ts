// The two functions behind the custom resources, one of each per stack however many resources use them
// (CDK's SingletonFunction idiom: found by a fixed id on the stack before it is made). Their construct
// paths, and so their logical ids, never change from one version to the next: CloudFormation refuses to
// change an existing custom resource's ServiceToken, so a replaced function would break every deployed link.
import { join } from 'node:path';
import { Aws, type CfnResource, Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';

// Fixed ids on the stack: part of every deployed link's ServiceToken (test/cdk/logical-ids.test.ts pins them).
export const TRUST_LINK_PROVIDER_ID = 'SnowflakeTrustLinkProvider';
export const SNOWFLAKE_PROVIDER_ID = 'SnowflakeResourceProvider';

/** Every custom resource's ServiceTimeout: a lost answer fails the stack in five minutes, not an hour. */
export const SERVICE_TIMEOUT = Duration.seconds(300);
// An event older than this is dropped, not run: with the function's Timeout it stays under SERVICE_TIMEOUT.
const MAX_EVENT_AGE = Duration.seconds(60);

/** Where the function bundles are: cdk/assets/<name>/, copied from dist/ by the package build. */
export function bundlePath(name: 'trust-link' | 'snowflake'): string {
  return join(__dirname, '..', 'assets', name);
}

/** What both functions share: their own role, their own log group, no retries of an event. */
export abstract class ProviderFunction extends Construct {
  readonly role: iam.Role;
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;

  protected constructor(
    scope: Construct,
    id: string,
    options: {
      bundle: 'trust-link' | 'snowflake';
      description: string;
      timeout: Duration;
      /** Policies on the role itself: they exist as early as the role, before its first call. */
      inlinePolicies?: Record<string, iam.PolicyDocument>;
    },
  ) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${options.description}`,
      ...(options.inlinePolicies ? { inlinePolicies: options.inlinePolicies } : {}),
    });
    // Logs outlive the stack: after a failed create and its rollback they are what says why.
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.function = new lambda.Function(this, 'Function', {
      description: options.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundlePath(options.bundle)),
      memorySize: 256,
      timeout: options.timeout,
      role: this.role,
      logGroup: this.logGroup,
    });
    // cdk-nag's AwsSolutions pack reads CDK's own acknowledgements (Validations.of); each says why.
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "nodejs22.x is the project's Lambda runtime (template.yaml): the bundle is built for node22, and its end-to-end suite runs on Node.js 22 and 24.",
    });
    // Every invocation answers CloudFormation itself, before its deadline: a retry could only answer twice.
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: MAX_EVENT_AGE });
    // The role's policies are written before the function exists, so before its first call.
    this.logGroup.grantWrite(this.role);
    // CDK makes the function depend on its whole role, which its Role property references already
    // (cfn-lint W3005): it needs the role's policy only.
    const policy = this.role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    (this.function.node.defaultChild as CfnResource).addOverride('DependsOn', [
      Lazy.string({ produce: () => Stack.of(this).getLogicalId(policy) }),
    ]);
  }

  /**
   * What a custom resource must wait for besides the function its ServiceToken names: the role's grants and
   * the function's no-retry setting, so its first event runs with both.
   */
  get dependables(): IConstruct[] {
    return [this.role.node.findChild('DefaultPolicy'), this.function.node.findChild('EventInvokeConfig')];
  }
}

/**
 * The link function of a stack (Custom::SnowflakeTrustLink): allowed to read and rewrite the trust policy and
 * the ownership tags of the roles the stack's links name, and nothing else; its lease table; its logs.
 */
export class TrustLinkProvider extends ProviderFunction {
  /** The stack's link provider, made on first use. */
  static of(scope: IConstruct): TrustLinkProvider {
    const stack = Stack.of(scope);
    const found = stack.node.tryFindChild(TRUST_LINK_PROVIDER_ID);
    return found instanceof TrustLinkProvider ? found : new TrustLinkProvider(stack, TRUST_LINK_PROVIDER_ID);
  }

  readonly lockTable: dynamodb.Table;
  private readonly linkedRoles = new iam.PolicyStatement({
    sid: 'LinkSnowflakeRoleTrust',
    actions: ['iam:GetRole', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole'],
  });
  private readonly roleArns = new Set<string>();

  private constructor(scope: Construct, id: string) {
    // Inline, as template.yaml has them: IAM has had the role's whole creation to propagate both grants
    // before the first link takes a lease and edits a role.
    const linkPolicy = new iam.PolicyDocument();
    super(scope, id, {
      bundle: 'trust-link',
      description: 'Custom::SnowflakeTrustLink, linking a Snowflake integration to the IAM role it assumes.',
      timeout: Duration.seconds(60),
      inlinePolicies: { 'link-snowflake-role-trust': linkPolicy },
    });
    // One item per role: the lease that makes links take turns on a role. IAM has no compare-and-set.
    this.lockTable = new dynamodb.Table(this, 'LockTable', {
      partitionKey: { name: 'LockId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // linkedRoles is one statement, grown by allowRole() as the stack's links name roles; rendered at synthesis.
    linkPolicy.addStatements(
      this.linkedRoles,
      new iam.PolicyStatement({
        sid: 'TakeLeasesOnRoles',
        actions: ['dynamodb:UpdateItem'],
        resources: [this.lockTable.tableArn],
      }),
    );
    this.function.addEnvironment('TRUST_LINK_LOCK_TABLE', this.lockTable.tableName);
    // The function serves this stack only: a new link asked by another stack is refused.
    this.function.addEnvironment('TRUST_LINK_STACK_ID', Aws.STACK_ID);
    Validations.of(this.lockTable).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'The table holds only short leases on IAM roles and a digest of the last trust written: nothing to recover.',
    });
  }

  /** The ServiceToken of Custom::SnowflakeTrustLink. */
  get serviceToken(): string {
    return this.function.functionArn;
  }

  /** Lets the function edit this role's trust policy and tags (once per role). */
  allowRole(role: iam.IRole): void {
    if (this.roleArns.has(role.roleArn)) return;
    this.roleArns.add(role.roleArn);
    this.linkedRoles.addResources(role.roleArn);
  }
}

/**
 * The Snowflake-side function of a stack (Custom::SnowflakeApiIntegration, ...StorageIntegration,
 * ...ExternalFunction): allowed to read the connections the stack's resources use, and nothing else. It
 * never touches IAM; the link function does that.
 */
export class SnowflakeProvider extends ProviderFunction {
  /** The stack's Snowflake provider, made on first use. */
  static of(scope: IConstruct): SnowflakeProvider {
    const stack = Stack.of(scope);
    const found = stack.node.tryFindChild(SNOWFLAKE_PROVIDER_ID);
    return found instanceof SnowflakeProvider ? found : new SnowflakeProvider(stack, SNOWFLAKE_PROVIDER_ID);
  }

  private readonly grantedConnections = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id, {
      bundle: 'snowflake',
      description:
        'Custom::SnowflakeApiIntegration, StorageIntegration and ExternalFunction, through Snowflake SQL API.',
      // Verify waits up to two minutes for IAM; well under the resources' ServiceTimeout.
      timeout: Duration.seconds(180),
    });
    // It creates Snowflake objects for this stack only, as the link function links its roles.
    this.function.addEnvironment('SNOWFLAKE_STACK_ID', Aws.STACK_ID);
  }

  /** The ServiceToken of the Snowflake-side custom resources. */
  get serviceToken(): string {
    return this.function.functionArn;
  }

  /** Grants a connection once: `key` tells connections apart. */
  grantConnection(key: string, grant: (role: iam.Role) => void): void {
    if (this.grantedConnections.has(key)) return;
    this.grantedConnections.add(key);
    grant(this.role);
  }

  /** Lets the function read these secrets: one statement for all of them (a Sid is unique in a policy). */
  allowSecretRead(resources: string[]): void {
    if (this.secretRead === undefined) {
      this.secretRead = new iam.PolicyStatement({
        sid: 'ReadSnowflakeConnection',
        actions: ['secretsmanager:GetSecretValue'],
      });
      this.role.addToPrincipalPolicy(this.secretRead);
    }
    this.secretRead.addResources(...resources);
  }

  private secretRead?: iam.PolicyStatement;
}
