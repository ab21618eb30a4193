// The flow of `npm run link`: read and check everything first, then deploy once, then read the stack
// back. Nothing is deployed unless every value was parsed and checked and the stack and template are
// the ones the integration belongs to; every failure ends in one message and its own exit code.

import { existsSync } from 'node:fs';
import { type LinkOptions, parseCliOptions, type StackSelection, USAGE } from './cli-options';
import { StackReader } from './cloudformation';
import { samDeployArgs } from './deploy-command';
import { type DeployTarget, deployTarget, givenSelection, samconfigDir } from './deploy-target';
import type { DeployedStack } from './deployed-stack';
import { type InputContext, readDescribeOutput } from './describe-input';
import { LinkError, NotExecutedError, NotLinkedError, StackError, ToolError } from './errors';
import { givenOldExternalIds, linkedExternalIds } from './external-ids';
import { type IntegrationValues, integrationValues } from './integration-values';
import type { LinkContract } from './link-contract';
import { type LinkOutcome, linkOutcome } from './link-outcome';
import { mergedOverrides } from './parameter-overrides';
import { type DescribeForm, parseDescribe } from './parse-describe';
import { runAttached } from './run-command';
import type { SamDeploySettings } from './samconfig';
import { readSamConfig } from './samconfig-file';
import { shellQuote } from './shell-quote';
import { deployedLink } from './stack-parameters';
import { checkStackRole, checkTemplate } from './target-check';
import { readTemplate } from './template-file';

export interface LinkEnvironment extends InputContext {
  /** Where sam runs and looks for samconfig: the project root under npm. */
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs the command line; resolves to the exit code. */
export async function runLink(argv: readonly string[], env: LinkEnvironment): Promise<number> {
  try {
    const command = parseCliOptions(argv);
    if (command.help) {
      env.stdout(USAGE);
      return 0;
    }
    await link(command.options, env);
    return 0;
  } catch (error) {
    if (error instanceof LinkError) {
      env.stderr(`link: ${error.message}\n`);
      return error.exitCode;
    }
    env.stderr(`link: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** Everything sam deploy needs, read and checked. */
interface DeployPlan {
  readonly values: IntegrationValues;
  readonly externalIds: readonly string[];
  readonly target: DeployTarget;
  /** What the template links, and how the stack tells it. */
  readonly contract: LinkContract;
  /** The stack as it was before sam deploy; undefined when --offline did not read it. */
  readonly deployed?: { readonly stack: DeployedStack; readonly stacks: StackReader };
  readonly form: DescribeForm;
  readonly args: readonly string[];
}

async function link(options: LinkOptions, env: LinkEnvironment): Promise<void> {
  const plan = await deployPlan(options, env);
  if (plan.deployed === undefined) {
    env.stderr(
      `link: --offline: stack ${plan.target.stackName} was not read, so nothing checked that it links ` +
        `${plan.values.roleArn}; the run without --offline checks it before sam deploys.\n`,
    );
  }
  if (options.dryRun || plan.deployed === undefined) {
    env.stdout(`${shellQuote(['sam', ...plan.args])}\n`);
    return;
  }
  const { stack, stacks } = plan.deployed;
  env.stdout(summary(plan));
  // When the output came in on standard input, sam's questions (confirm_changeset) go to the terminal.
  const status = runAttached('sam', plan.args, { terminalInput: options.source.kind === 'stdin' });
  if (status !== 0) throw new ToolError(`sam deploy failed (exit ${status}): see its output above.`);
  const after = await stacks.read(plan.target.stackName);
  if (after === undefined) {
    throw new NotLinkedError(`stack ${plan.target.stackName} is gone after sam deploy: it is not linked.`);
  }
  const linked = { userArn: plan.values.userArn, externalIds: plan.externalIds };
  env.stdout(report(linkOutcome(stack, after, linked, plan.contract), plan.target.stackName));
}

async function deployPlan(options: LinkOptions, env: LinkEnvironment): Promise<DeployPlan> {
  const oldIdsGiven = givenOldExternalIds(options.oldExternalIds);
  const output = parseDescribe(readDescribeOutput(options.source, env));
  const values = integrationValues(output.rows, options.type);
  const given = givenSelection(options, env.userDir);
  const samconfig = readSamConfig(
    samconfigDir(given, values.kind, env.cwd),
    given.configFile,
    given.configEnv,
  );
  const target = deployTarget(given, values.kind, samconfig, env.cwd, existsSync);
  const contract = checkTemplate(
    readTemplate(target.templatePath),
    target.templatePath,
    target.kind,
    { parameters: options.parameters, roleOutput: options.roleOutput },
    values.roleArn,
  );
  const deployed = options.offline
    ? undefined
    : await checkedStack(given, values, samconfig, target, contract);
  const oldIds = !options.keepOld
    ? []
    : oldIdsGiven.length > 0 || deployed === undefined
      ? oldIdsGiven
      : deployedExternalIds(deployed.stack, values.userArn, contract, env);
  const externalIds = linkedExternalIds(values.externalId, oldIds);
  const overrides = mergedOverrides([...samconfig.parameterOverrides, ...options.sam.parameterOverrides], {
    [contract.parameters.userArn]: values.userArn,
    [contract.parameters.externalId]: externalIds.join(','),
  });
  const args = samDeployArgs(target.selection, options.sam.args, overrides);
  return { values, externalIds, target, contract, deployed, form: output.form, args };
}

/** The deployed stack, checked to link the role the integration names. */
async function checkedStack(
  given: StackSelection,
  values: IntegrationValues,
  samconfig: SamDeploySettings,
  target: DeployTarget,
  contract: LinkContract,
): Promise<{ stack: DeployedStack; stacks: StackReader }> {
  // Read where sam deploys: the options given, else samconfig's.
  const stacks = new StackReader({
    region: given.region ?? samconfig.region,
    profile: given.profile ?? samconfig.profile,
  });
  const stack = await deployedStack(stacks, target, contract);
  checkStackRole(stack, values.roleArn, contract, target.kind);
  return { stack, stacks };
}

// The stack must exist: the role the integration names is one of its outputs.
async function deployedStack(
  stacks: StackReader,
  target: DeployTarget,
  contract: LinkContract,
): Promise<DeployedStack> {
  const stack = await stacks.read(target.stackName);
  if (stack !== undefined) return stack;
  const region = await stacks.region();
  const deploy =
    contract.projectKind === undefined
      ? `it from ${target.templatePath} first, create the integration with the role it links`
      : `${target.kind.title} from ${target.kind.templateFile} first, create the integration with its SQL output`;
  throw new StackError(
    `Stack ${target.stackName} does not exist${region === undefined ? '' : ` in ${region}`}. Deploy ` +
      `${deploy}, then link; or give the --stack-name (and --region) it was deployed with.`,
  );
}

function deployedExternalIds(
  stack: DeployedStack,
  newUserArn: string,
  contract: LinkContract,
  env: LinkEnvironment,
): readonly string[] {
  const deployed = deployedLink(stack, contract.parameters);
  if (deployed.externalIds.length === 0) {
    env.stderr(`link: stack ${stack.name} has no external id yet; linking the new one alone.\n`);
  } else if (deployed.userArn !== '' && deployed.userArn !== newUserArn) {
    // The trust statement has one principal: ids kept for another IAM user no longer let it in.
    env.stderr(
      `link: note: stack ${stack.name} now trusts ${deployed.userArn}; the ids kept belong to that IAM user, ` +
        `which the stack will no longer trust once it trusts ${newUserArn}.\n`,
    );
  }
  return deployed.externalIds;
}

function summary(plan: DeployPlan): string {
  return [
    `link: from the ${plan.values.kind} integration's DESCRIBE output (${plan.form}), deploying stack ${plan.target.stackName} with`,
    `  ${plan.contract.parameters.userArn}=${plan.values.userArn}`,
    `  ${plan.contract.parameters.externalId}=${plan.externalIds.join(',')}`,
    '',
  ].join('\n');
}

/** The line a success prints; throws for the outcomes that are not one. */
function report(outcome: LinkOutcome, stackName: string): string {
  switch (outcome.kind) {
    case 'linked':
      return outcome.changed
        ? `link: stack ${stackName} is linked. ${outcome.evidence}\n`
        : `link: stack ${stackName} is linked (it already was; nothing changed). ${outcome.evidence}\n`;
    case 'not-executed':
      throw new NotExecutedError(
        `sam deploy executed no change set (declined at its prompt, or --no-execute-changeset): stack ${stackName} ` +
          'is unchanged and not linked. Run the link again and confirm, or execute the change set sam created.',
      );
    case 'not-linked':
      throw new NotLinkedError(`sam deploy finished, but ${outcome.reason}`);
  }
}
