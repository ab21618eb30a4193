// The only module that talks to CloudFormation: DescribeStacks through the AWS SDK, pointed where sam
// deploys (the same region and profile). SDK failures become messages that say what to do.

import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import type { StackSelection } from './cli-options';
import type { DeployedStack } from './deployed-stack';
import { StackError } from './errors';

/** Where the stack lives; each undefined falls back to the SDK's own chain (AWS_REGION, AWS_PROFILE...). */
export type AwsTarget = Pick<StackSelection, 'region' | 'profile'>;

/** Reads stacks in one region with one set of credentials. */
export class StackReader {
  private readonly client: CloudFormationClient;

  constructor(private readonly target: AwsTarget) {
    this.client = new CloudFormationClient({ region: target.region, profile: target.profile });
  }

  /** The stack, or undefined when it does not exist; throws StackError when it cannot be read. */
  async read(stackName: string): Promise<DeployedStack | undefined> {
    try {
      const answer = await this.client.send(new DescribeStacksCommand({ StackName: stackName }));
      const stack = answer.Stacks?.[0];
      return stack === undefined ? undefined : deployedStack(stack);
    } catch (error) {
      if (isMissingStack(error)) return undefined;
      throw new StackError(awsProblem(error, stackName, this.target), { cause: error });
    }
  }

  /** The region the reads go to, for messages; undefined when none is configured. */
  async region(): Promise<string | undefined> {
    try {
      return await this.client.config.region();
    } catch {
      return undefined;
    }
  }
}

function deployedStack(stack: Stack): DeployedStack {
  return {
    name: stack.StackName ?? '',
    status: stack.StackStatus ?? '',
    lastUpdated: stack.LastUpdatedTime?.toISOString(),
    parameters: new Map((stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? ''])),
    outputs: new Map((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
  };
}

function isMissingStack(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message);
}

/** Why DescribeStacks failed, as the person can act on it. */
export function awsProblem(error: unknown, stackName: string, target: AwsTarget): string {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const reading = `Reading stack ${stackName} before deploying`;
  if (name === 'CredentialsProviderError') {
    const profile = target.profile === undefined ? '' : ` (profile ${target.profile})`;
    return (
      `${reading}: no AWS credentials were found${profile}. Sign in as for sam deploy ` +
      '(aws configure, aws sso login, or AWS_PROFILE / AWS_ACCESS_KEY_ID), or give --profile; ' +
      '--offline checks the DESCRIBE output without AWS.'
    );
  }
  if (/region is missing/i.test(message)) {
    return (
      `${reading}: no AWS region is set. Give --region, set region in samconfig.toml, ` +
      "or set AWS_REGION (or the profile's region)."
    );
  }
  if (/AccessDenied|not authorized/i.test(`${name} ${message}`)) {
    return `${reading}: access denied (${message}). The person linking needs cloudformation:DescribeStacks on it, as for sam deploy.`;
  }
  if (/ExpiredToken|InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch/.test(name)) {
    return `${reading}: AWS refused the credentials (${name}: ${message}). Sign in again, or check --profile.`;
  }
  return `${reading} failed: ${name ? `${name}: ` : ''}${message}`;
}
