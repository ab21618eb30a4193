// The only module of `npm run status` that talks to AWS, and only to read: the stack (DescribeStacks), its
// links (ListStackResources) and each linked role with its tags (GetRole). Failures become messages that say
// which permission or setting is missing.

import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { awsErrorCode } from '../../handler/framework/aws';
import { parseLinkPhysicalId } from '../../handler/trust-link/physical-id';
import type { AwsTarget } from '../link/cloudformation';
import { StackError } from '../link/errors';
import type { Flow, LinkResource, RoleView, StackView } from './assess';

const LINK_TYPE = 'Custom::SnowflakeTrustLink';
// A stack that creates its integration in Snowflake holds one of these: it is deployed in the one-deploy flow.
const ONE_DEPLOY_TYPES = new Set(['Custom::SnowflakeApiIntegration', 'Custom::SnowflakeStorageIntegration']);

/** The stack and its links, read live. */
export interface StackLinks {
  readonly stack: StackView;
  readonly links: readonly LinkResource[];
  readonly flow: Flow;
}

/** Reads what the status command needs, with one set of credentials in one region. */
export class LiveReader {
  private readonly cloudformation: CloudFormationClient;
  private readonly iam: IAMClient;

  constructor(target: AwsTarget) {
    this.cloudformation = new CloudFormationClient({ region: target.region, profile: target.profile });
    this.iam = new IAMClient({ region: target.region, profile: target.profile });
  }

  /** The stack, its Custom::SnowflakeTrustLink resources and its flow. */
  async stackLinks(stackName: string): Promise<StackLinks> {
    const stack = await this.read('cloudformation:DescribeStacks', stackName, async () => {
      const answer = await this.cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
      return answer.Stacks?.[0];
    });
    if (stack?.StackId === undefined)
      throw new StackError(`Stack ${stackName} does not exist${await this.where()}.`);
    const resources = await this.resources(stackName);
    return {
      stack: { name: stack.StackName ?? stackName, id: stack.StackId, status: stack.StackStatus ?? '' },
      links: resources
        .filter((resource) => resource.ResourceType === LINK_TYPE)
        .map((resource) => ({
          logicalId: resource.LogicalResourceId ?? '',
          physicalId: resource.PhysicalResourceId ?? '',
          status: resource.ResourceStatus ?? '',
        })),
      flow: resources.some((resource) => ONE_DEPLOY_TYPES.has(resource.ResourceType ?? ''))
        ? 'one-deploy'
        : 'two-step',
    };
  }

  /** Each role the links name, read once, keyed by its name in lower case. */
  async roles(links: readonly LinkResource[]): Promise<Map<string, RoleView>> {
    const names = new Map<string, string>();
    for (const link of links) {
      const roleName = parseLinkPhysicalId(link.physicalId)?.roleName;
      if (roleName !== undefined) names.set(roleName.toLowerCase(), roleName);
    }
    const roles = new Map<string, RoleView>();
    for (const [key, roleName] of names) roles.set(key, await this.role(roleName));
    return roles;
  }

  private async role(roleName: string): Promise<RoleView> {
    return this.read('iam:GetRole', roleName, async () => {
      try {
        const { Role } = await this.iam.send(new GetRoleCommand({ RoleName: roleName }));
        // IAM returns the document URL-encoded (RFC 3986) and the SDK does not decode it.
        const document = decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '%7B%7D');
        const tags = (Role?.Tags ?? []).map((tag) => ({ key: tag.Key ?? '', value: tag.Value ?? '' }));
        return { roleName, missing: false, document, tags };
      } catch (error) {
        // The Query protocol's code is NoSuchEntity; the SDK's modelled class is named NoSuchEntityException.
        if (['NoSuchEntity', 'NoSuchEntityException'].includes(awsErrorCode(error)))
          return { roleName, missing: true };
        throw error;
      }
    });
  }

  private async resources(stackName: string): Promise<StackResourceSummary[]> {
    const all: StackResourceSummary[] = [];
    let nextToken: string | undefined;
    do {
      const answer = await this.read('cloudformation:ListStackResources', stackName, () =>
        this.cloudformation.send(
          new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }),
        ),
      );
      all.push(...(answer.StackResourceSummaries ?? []));
      nextToken = answer.NextToken;
    } while (nextToken !== undefined);
    return all;
  }

  private async read<T>(action: string, what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new StackError(await this.problem(action, what, error), { cause: error });
    }
  }

  private async problem(action: string, what: string, error: unknown): Promise<string> {
    const name = error instanceof Error ? error.name : '';
    const message = error instanceof Error ? error.message : String(error);
    if (name === 'ValidationError' && /does not exist/.test(message))
      return `Stack ${what} does not exist${await this.where()}.`;
    if (name === 'CredentialsProviderError') {
      return 'No AWS credentials were found: sign in as for sam deploy (aws configure, aws sso login, AWS_PROFILE), or give --profile.';
    }
    if (/region is missing/i.test(message))
      return "No AWS region is set: give --region, or set AWS_REGION (or the profile's region).";
    if (/AccessDenied|not authorized/i.test(`${name} ${message}`)) {
      return `${action} on ${what} was denied (${message}). npm run status needs cloudformation:DescribeStacks, cloudformation:ListStackResources and iam:GetRole (docs/operations.md lists them).`;
    }
    return `${action} on ${what} failed: ${name ? `${name}: ` : ''}${message}`;
  }

  private async where(): Promise<string> {
    try {
      const region = await this.cloudformation.config.region();
      return region ? ` in ${region}` : '';
    } catch {
      return '';
    }
  }

  /** Closes the clients' connections. */
  destroy(): void {
    this.cloudformation.destroy();
    this.iam.destroy();
  }
}
