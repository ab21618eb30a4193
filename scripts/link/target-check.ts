// The checks that keep a link from deploying to the wrong place, before sam runs: the template sam
// will deploy must meet the link's contract (link-contract.ts), and the stack must link the very role
// the integration names (API_AWS_ROLE_ARN or STORAGE_AWS_ROLE_ARN), as its output, parameter or template says.

import type { Template } from '../template-check/template';
import type { DeployedStack } from './deployed-stack';
import { StackError } from './errors';
import { roleArnPropertyOf } from './integration-values';
import { type ContractOptions, type LinkContract, linkContract, roleSourceText } from './link-contract';
import { kindsWithOutputs, type StackKind } from './stack-kind';

/** The template's contract; throws StackError when it has none, or when it links another role than roleArn. */
export function checkTemplate(
  template: Template,
  path: string,
  kind: StackKind,
  options: ContractOptions,
  roleArn: string,
): LinkContract {
  const contract = linkContract(template, path, kind, options);
  // An ARN written in the template is checked here, with or without AWS.
  if (contract.role.kind === 'literal' && contract.role.arn !== roleArn) {
    throw new StackError(roleMismatch(roleArn, `${path} links ${contract.role.arn}`, contract, kind));
  }
  return contract;
}

/** Refuses a stack of another kind, or one that links another role than the integration's. */
export function checkStackRole(
  stack: DeployedStack,
  roleArn: string,
  contract: LinkContract,
  kind: StackKind,
): void {
  const { role } = contract;
  const linkedRole =
    role.kind === 'output'
      ? stack.outputs.get(role.output)
      : role.kind === 'parameter'
        ? stack.parameters.get(role.parameter)
        : role.arn;
  if (linkedRole === undefined) throw new StackError(wrongStackMessage(stack, contract, kind));
  if (linkedRole === roleArn) return;
  throw new StackError(roleMismatch(roleArn, `stack ${stack.name} links ${linkedRole}`, contract, kind));
}

function roleMismatch(roleArn: string, links: string, contract: LinkContract, kind: StackKind): string {
  const property = roleArnPropertyOf(kind.integration);
  return (
    `The integration's ${property} is ${roleArn}, but ${links} (${roleSourceText(contract.role)}): ` +
    'Snowflake would assume a role this stack does not link. Describe the integration made for this stack, ' +
    `or give the --stack-name of the stack that links ${roleArn}.`
  );
}

function wrongStackMessage(stack: DeployedStack, contract: LinkContract, kind: StackKind): string {
  const missing = roleSourceText(contract.role);
  if (contract.projectKind === undefined) {
    return (
      `Stack ${stack.name} has no ${missing} (status ${stack.status}), which the template's link names its role ` +
      'by: it was deployed from another template, or before that was added. Deploy the template, or give the ' +
      '--stack-name deployed from it.'
    );
  }
  const other = kindsWithOutputs(stack.outputs.keys())[0];
  const isWhat =
    other === undefined
      ? `has no ${kind.roleOutput} output (status ${stack.status}): it is not ${kind.title} of this project`
      : `is ${other.title} (it has output ${other.roleOutput}), not ${kind.title}`;
  return (
    `Stack ${stack.name} ${isWhat}. This is a ${kind.integration} integration's DESCRIBE output: give ` +
    `--stack-name of the stack deployed from ${kind.templateFile}.`
  );
}
