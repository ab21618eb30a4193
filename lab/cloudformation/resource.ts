// What every resource provider of the lab shares: the state a stack keeps of a resource, the context a
// provider runs in, the failure it throws, and the names CloudFormation generates.
import { randomBytes } from 'node:crypto';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { CustomResourceOutcome } from './custom-resource';
import type { LambdaFunction, LambdaFunctionConfig } from './lambda';
import type { ResponseReceiver } from './receiver';
import type { Stack } from './stack';
import type { Template } from './template';

/** A resource as the stack keeps it. */
export interface ResourceState {
  logicalId: string;
  type: string;
  physicalId: string;
  properties: Record<string, unknown>;
  attributes: Record<string, unknown>;
}

/**
 * A resource operation that failed; `physicalId` is set when the resource answered with one, and
 * `untouched` when CloudFormation refused it before anything reached the resource (nothing to roll back).
 */
export class ResourceFailure extends Error {
  override readonly name = 'ResourceFailure';
  constructor(
    message: string,
    readonly physicalId?: string,
    readonly untouched = false,
  ) {
    super(message);
  }
}

/** What providers need from the stack and the lab. */
export interface ProviderContext {
  stackName: string;
  stackId: string;
  accountId: string;
  region: string;
  templateDir: string;
  iam: IAMClient;
  receiver: ResponseReceiver;
  /** Function overrides by logical id (module path, environment, time limit...). */
  functionOverrides: Record<string, Partial<LambdaFunctionConfig>>;
  /** Environment every function gets (endpoints of the stand-ins). */
  functionEnvironment: Record<string, string>;
  /** Where AWS::DynamoDB::Table resources are made, when the lab runs DynamoDB. */
  tables?: TableHost;
  /** ServiceTimeout override for every custom resource, in ms. */
  serviceTimeoutMs: number | undefined;
  functionByArn(arn: string): LambdaFunction | undefined;
  adoptFunction(fn: LambdaFunction): void;
  recordRequest(outcome: CustomResourceOutcome): void;
  /** Where nested stacks' templates come from, and the stacks made of them. */
  nested: NestedStackHost;
}

/** A nested template as `sam package` leaves it: stored under its content's digest. */
export interface PackagedTemplate {
  template: Template;
  /** The folder its own relative paths (CodeUri) are read from. */
  templateDir: string;
}

/** What nested stacks need from the stand-in. */
export interface NestedStackHost {
  /** Packaged templates by the URL that names them. */
  packages: Map<string, PackagedTemplate>;
  /** Published applications: `<ApplicationId>@<SemanticVersion>` to a local template path. */
  applications: Record<string, string>;
  /** A new stack for a nested template. */
  newStack(stackName: string, templateDir: string): Stack;
  /** A stack made before, by its id. */
  stackById(stackId: string): Stack | undefined;
}

/** The DynamoDB stand-in, as far as CloudFormation needs it. */
export interface TableHost {
  createTable(name: string, keyName: string): void;
  deleteTable(name: string): void;
}

/** Creates, updates and deletes one kind of resource. */
export interface Provider {
  create(
    ctx: ProviderContext,
    logicalId: string,
    type: string,
    properties: Record<string, unknown>,
  ): Promise<ResourceState>;
  /** Returns the new state; a different physicalId means replacement (the old one is deleted in cleanup). */
  update(
    ctx: ProviderContext,
    current: ResourceState,
    properties: Record<string, unknown>,
  ): Promise<ResourceState>;
  delete(ctx: ProviderContext, state: ResourceState): Promise<void>;
}

/** A name CloudFormation generates: stack-logical-RANDOM. */
export function generatedName(stackName: string, logicalId: string, max = 64): string {
  const suffix = randomBytes(12)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 12)
    .toUpperCase();
  const prefix = `${stackName}-${logicalId}`.slice(0, max - suffix.length - 1);
  return `${prefix}-${suffix}`;
}
