// The project's two stacks and which integration each links: the gateway stack (template.yaml) links
// the API integration's role, the storage example's stack (examples/storage-integration.yaml) the
// storage integration's. Each template names the role it links in an output, so that output tells a
// deployed stack, and a template file, for what it is.

import type { IntegrationKind } from './cli-options';

export interface StackKind {
  readonly integration: IntegrationKind;
  /** How messages name the stack. */
  readonly title: string;
  /** The template it is deployed from, relative to the project root. */
  readonly templateFile: string;
  /** The output holding the ARN of the role the stack links. */
  readonly roleOutput: string;
}

export const STACK_KINDS: Readonly<Record<IntegrationKind, StackKind>> = {
  api: {
    integration: 'api',
    title: 'the gateway stack',
    templateFile: 'template.yaml',
    roleOutput: 'ApiAwsRoleArn',
  },
  storage: {
    integration: 'storage',
    title: "the storage example's stack",
    templateFile: 'examples/storage-integration.yaml',
    roleOutput: 'StorageAwsRoleArn',
  },
};

/** The stack the storage example is deployed as when neither --stack-name nor --config-env names one. */
export const STORAGE_STACK_NAME = 'snowflake-stage';

/** The output both templates give the link's state in: "in force: ..." once the link holds. */
export const STATUS_OUTPUT = 'SnowflakeTrustLinkStatus';

/** The kinds whose role output is among these output names: one for a stack of this project. */
export function kindsWithOutputs(outputNames: Iterable<string>): StackKind[] {
  const names = new Set(outputNames);
  return Object.values(STACK_KINDS).filter((kind) => names.has(kind.roleOutput));
}
