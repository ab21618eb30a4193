// The checks that keep a link from deploying to the wrong place, before sam runs: the template sam
// will deploy must be the stack kind's own, and the stack must link the very role the integration
// names (API_AWS_ROLE_ARN or STORAGE_AWS_ROLE_ARN). Each stack kind names its role in an output.

import type { Template } from '../template-check/template';
import type { DeployedStack } from './deployed-stack';
import { StackError } from './errors';
import { roleArnPropertyOf } from './integration-values';
import { kindsWithOutputs, type StackKind } from './stack-kind';

/** Refuses a template that is not the one the stack kind is deployed from. */
export function checkTemplateKind(template: Template, path: string, kind: StackKind): void {
  const kinds = kindsWithOutputs(Object.keys(template.Outputs ?? {}));
  if (kinds.includes(kind)) return;
  const other = kinds[0];
  const isWhat =
    other === undefined
      ? "is not one of this project's templates"
      : `is the template of ${other.title} (it has output ${other.roleOutput})`;
  throw new StackError(
    `${path} ${isWhat}, but a ${kind.integration} integration is linked through ${kind.title}, ` +
      `deployed from ${kind.templateFile} (output ${kind.roleOutput}). Give --template-file ${kind.templateFile}, or leave --template-file out.`,
  );
}

/** Refuses a stack of another kind, or one that links another role than the integration's. */
export function checkStackRole(stack: DeployedStack, roleArn: string, kind: StackKind): void {
  const linkedRole = stack.outputs.get(kind.roleOutput);
  if (linkedRole === undefined) throw new StackError(wrongStackMessage(stack, kind));
  if (linkedRole === roleArn) return;
  const property = roleArnPropertyOf(kind.integration);
  throw new StackError(
    `The integration's ${property} is ${roleArn}, but stack ${stack.name} links ${linkedRole} ` +
      `(output ${kind.roleOutput}): Snowflake would assume a role this stack does not link. Describe the ` +
      `integration made for this stack, or give the --stack-name of the stack that links ${roleArn}.`,
  );
}

function wrongStackMessage(stack: DeployedStack, kind: StackKind): string {
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
