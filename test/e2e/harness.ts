// The end-to-end harness: the lab's stand-ins with the built bundle dist/trust-link/index.mjs, a stack
// template of roles and links built in code, direct requests for inputs a template cannot express,
// and the counts the fault suite reports.
import { existsSync } from 'node:fs';
import {
  type CustomResourceOutcome,
  type Lab,
  type LambdaFunction,
  type RequestType,
  sendRequest,
  startLab,
  type Template,
  type TrustPolicy,
  type TrustStatement,
} from '../../lab';

export const BUNDLE = 'dist/trust-link/index.mjs';

import { SID, SNOWFLAKE_USER } from '../helpers/trust';

export { linkedStatement, SID, SNOWFLAKE_USER } from '../helpers/trust';
export const OTHER_SNOWFLAKE_USER = 'arn:aws:iam::123456789002:user/xyz9-b-self9876';
export const EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
export const NEW_EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_b765432/t1bCDEFgHIJklmNoPqR=';
const DIRECT_LOCK_TABLE = 'trust-link-direct-locks';
/** The stack direct requests come from unless told otherwise. */
export const STACK_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/e2e-direct/00000000-0000-4000-8000-000000000000';

/** How the function and CloudFormation are set up for a suite. */
export interface HarnessOptions {
  /** The function's time limit; default 20 s. */
  functionTimeoutMs?: number;
  /** CloudFormation's wait for an answer; default 30 s. */
  serviceTimeoutMs?: number;
  /** TRUST_LINK_SETTLE_MS; default 20. */
  settleMs?: number;
  /** TRUST_LINK_LATE_WRITE_MS: how long a lease outlives a write that went unanswered; default 1500. */
  lateWriteMs?: number;
}

/** A running lab with the bundle deployed as the function `TrustLinkFunction`. */
export interface Harness {
  lab: Lab;
  fn: LambdaFunction;
  /** Sends one request straight to the function, as CloudFormation would. */
  request(request: DirectRequest): Promise<CustomResourceOutcome>;
  close(): Promise<void>;
}

/** A request for `Harness.request`; properties as CloudFormation would pass them. */
export interface DirectRequest {
  requestType: RequestType;
  properties: Record<string, unknown>;
  physicalResourceId?: string;
  oldProperties?: Record<string, unknown>;
  logicalResourceId?: string;
  /** The stack the request comes from; default one direct stack. */
  stackId?: string;
}

/** Starts the lab with the bundle; fails at once when the bundle has not been built. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first.`);
  const serviceTimeoutMs = options.serviceTimeoutMs ?? 30_000;
  const environment = {
    TRUST_LINK_SETTLE_MS: String(options.settleMs ?? 20),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TRUST_LINK_LATE_WRITE_MS: String(options.lateWriteMs ?? 1500),
    // Above the lab's slowest read lag (1.5 s): a scene set by hand right after a link is met within it.
    TRUST_LINK_MAX_READ_LAG_MS: '3000',
  };
  const lab = await startLab({
    knownPrincipals: [SNOWFLAKE_USER, OTHER_SNOWFLAKE_USER],
    cloudformation: {
      serviceTimeoutMs,
      environment,
      functions: {
        TrustLinkFunction: { modulePath: BUNDLE, timeoutMs: options.functionTimeoutMs ?? 20_000 },
      },
      bodyTimeoutMs: 2000,
    },
  });
  // The direct function takes its leases in a table of its own, as a deployed one does; it serves any stack.
  lab.dynamodb.createTable(DIRECT_LOCK_TABLE, 'LockId');
  const fn = lab.cfn.function({
    functionName: 'trust-link-direct',
    modulePath: BUNDLE,
    timeoutMs: options.functionTimeoutMs ?? 20_000,
    environment: { ...environment, TRUST_LINK_LOCK_TABLE: DIRECT_LOCK_TABLE },
  });
  return {
    lab,
    fn,
    request: ({
      requestType,
      properties,
      physicalResourceId,
      oldProperties,
      logicalResourceId = 'Link',
      stackId = STACK_ID,
    }) =>
      sendRequest(fn, lab.cfn.receiver, {
        requestType,
        stackId,
        logicalResourceId,
        resourceType: 'Custom::SnowflakeTrustLink',
        properties: { ServiceToken: fn.arn, ServiceTimeout: '300', ...properties },
        ...(physicalResourceId === undefined ? {} : { physicalResourceId }),
        ...(oldProperties === undefined
          ? {}
          : { oldProperties: { ServiceToken: fn.arn, ServiceTimeout: '300', ...oldProperties } }),
        serviceTimeoutMs,
      }),
    close: () => lab.close(),
  };
}

/** The trust policy Snowflake's own template starts a role with (no Sid). */
export function placeholderPolicy(accountId = '123456789012'): TrustPolicy {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' },
    ],
  };
}

/** The statements of a policy as a list. */
export function statementsOf(policy: TrustPolicy | undefined): TrustStatement[] {
  if (policy === undefined) return [];
  return Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
}

/** One link of a test stack: its Sid, and the parameters that drive it. */
export interface LinkDeclaration {
  logicalId: string;
  sid: string;
}

/**
 * A stack of two roles (RoleA, RoleB, named <stack>-a and <stack>-b, trust as template.yaml declares:
 * the placeholder under the Sid SnowflakeTrustLink), the link function, and links. Each link reads
 * parameters <Id>Role (a | b), <Id>User, <Id>ExternalId (comma-separated) and <Id>Enabled (yes | no).
 */
export function linkStackTemplate(links: LinkDeclaration[]): Template {
  const role = (suffix: string) => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: { 'Fn::Sub': `\${AWS::StackName}-${suffix}` },
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: SID,
            Effect: 'Allow',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
            Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
            Action: 'sts:AssumeRole',
          },
        ],
      },
    },
  });
  const template: Template = {
    Parameters: {},
    Conditions: {},
    Resources: {
      RoleA: role('a'),
      RoleB: role('b'),
      // As template.yaml declares them: the lease table, and the stack the function serves.
      LinkLockTable: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { KeySchema: [{ AttributeName: 'LockId', KeyType: 'HASH' }] },
      },
      TrustLinkFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Handler: 'index.handler',
          Timeout: 20,
          Environment: {
            Variables: {
              TRUST_LINK_LOCK_TABLE: { Ref: 'LinkLockTable' },
              TRUST_LINK_STACK_ID: { Ref: 'AWS::StackId' },
            },
          },
        },
      },
    },
  };
  for (const { logicalId, sid } of links) {
    Object.assign(template.Parameters ?? {}, {
      [`${logicalId}Role`]: { Type: 'String', Default: 'a', AllowedValues: ['a', 'b'] },
      [`${logicalId}User`]: { Type: 'String', Default: SNOWFLAKE_USER },
      [`${logicalId}ExternalId`]: { Type: 'String', Default: EXTERNAL_ID },
      [`${logicalId}Sid`]: { Type: 'String', Default: sid },
      [`${logicalId}Enabled`]: { Type: 'String', Default: 'yes', AllowedValues: ['yes', 'no'] },
    });
    Object.assign(template.Conditions ?? {}, {
      [`${logicalId}IsEnabled`]: { 'Fn::Equals': [{ Ref: `${logicalId}Enabled` }, 'yes'] },
    });
    template.Resources[logicalId] = {
      Type: 'Custom::SnowflakeTrustLink',
      Condition: `${logicalId}IsEnabled`,
      DependsOn: ['RoleA', 'RoleB'],
      Properties: {
        ServiceToken: { 'Fn::GetAtt': ['TrustLinkFunction', 'Arn'] },
        ServiceTimeout: 300,
        RoleName: { 'Fn::Sub': `\${AWS::StackName}-\${${logicalId}Role}` },
        SnowflakeIamUserArn: { Ref: `${logicalId}User` },
        SnowflakeExternalId: { 'Fn::Split': [',', { Ref: `${logicalId}ExternalId` }] },
        StatementSid: { Ref: `${logicalId}Sid` },
      },
    };
  }
  return template;
}

/** `RequestType LogicalId Status` of each request, for asserting what CloudFormation asked and heard. */
export function requestLines(outcomes: CustomResourceOutcome[]): string[] {
  return outcomes.map((o) => `${o.event.RequestType} ${o.event.LogicalResourceId} ${o.status}`);
}
