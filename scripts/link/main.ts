// The flow of `npm run link`: read and check everything first, then deploy once. Nothing is deployed
// unless every value was parsed and checked; every failure ends in one message and a non-zero exit.

import { resolve } from 'node:path';
import { type LinkOptions, parseCliOptions, type StackSelection, USAGE } from './cli-options';
import { samDeployArgs } from './deploy-command';
import { type InputContext, readDescribeOutput } from './describe-input';
import { LinkError, ToolError } from './errors';
import { givenOldExternalIds, linkedExternalIds } from './external-ids';
import { type IntegrationValues, integrationValues } from './integration-values';
import { mergedOverrides } from './parameter-overrides';
import { type DescribeForm, parseDescribe } from './parse-describe';
import { capture, runAttached } from './run-command';
import type { SamDeploySettings } from './samconfig';
import { readSamConfig } from './samconfig-file';
import { shellQuote } from './shell-quote';
import {
  deployedLink,
  describeStackArgs,
  EXTERNAL_ID_PARAMETER,
  isMissingStack,
  USER_ARN_PARAMETER,
} from './stack-parameters';
import { toolMessage } from './tool-message';

export interface LinkEnvironment extends InputContext {
  /** Where sam runs and looks for samconfig: the project root under npm. */
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs the command line; returns the exit code. */
export function runLink(argv: readonly string[], env: LinkEnvironment): number {
  try {
    const command = parseCliOptions(argv);
    if (command.help) {
      env.stdout(USAGE);
      return 0;
    }
    link(command.options, env);
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
  readonly stackName: string;
  readonly form: DescribeForm;
  readonly args: readonly string[];
}

function link(options: LinkOptions, env: LinkEnvironment): void {
  const plan = deployPlan(options, env);
  if (options.dryRun) {
    env.stdout(`${shellQuote(['sam', ...plan.args])}\n`);
    return;
  }
  env.stdout(summary(plan));
  // When the output came in on standard input, sam's questions (confirm_changeset) go to the terminal.
  const status = runAttached('sam', plan.args, { terminalInput: options.source.kind === 'stdin' });
  if (status !== 0) throw new ToolError(`sam deploy failed (exit ${status}): see its output above.`);
  env.stdout(`link: stack ${plan.stackName} is linked.\n`);
}

function deployPlan(options: LinkOptions, env: LinkEnvironment): DeployPlan {
  const oldIdsGiven = givenOldExternalIds(options.oldExternalIds);
  const output = parseDescribe(readDescribeOutput(options.source, env));
  const values = integrationValues(output.rows, options.type);
  const selection: StackSelection = {
    ...options,
    configFile: options.configFile === undefined ? undefined : resolve(env.userDir, options.configFile),
  };
  const samconfig = readSamConfig(env.cwd, selection.configFile, selection.configEnv);
  const stackName = selection.stackName ?? samconfig.stackName;
  if (stackName === undefined) {
    throw new LinkError('No stack name: give --stack-name, or set stack_name in samconfig.toml.');
  }
  const oldIds = !options.keepOld
    ? []
    : oldIdsGiven.length > 0
      ? oldIdsGiven
      : deployedExternalIds(stackName, values.userArn, awsTarget(selection, samconfig), env);
  const externalIds = linkedExternalIds(values.externalId, oldIds);
  const overrides = mergedOverrides([...samconfig.parameterOverrides, ...options.sam.parameterOverrides], {
    [USER_ARN_PARAMETER]: values.userArn,
    [EXTERNAL_ID_PARAMETER]: externalIds.join(','),
  });
  const args = samDeployArgs(selection, options.sam.args, overrides);
  return { values, externalIds, stackName, form: output.form, args };
}

// aws is pointed where sam deploys: the options given, else samconfig's.
function awsTarget(
  selection: StackSelection,
  samconfig: SamDeploySettings,
): Pick<StackSelection, 'region' | 'profile'> {
  return { region: selection.region ?? samconfig.region, profile: selection.profile ?? samconfig.profile };
}

function deployedExternalIds(
  stackName: string,
  newUserArn: string,
  target: Pick<StackSelection, 'region' | 'profile'>,
  env: LinkEnvironment,
): readonly string[] {
  const result = capture('aws', describeStackArgs(stackName, target));
  if (result.status !== 0 && isMissingStack(result.stderr)) {
    throw new LinkError(
      `--keep-old: stack ${stackName} is not deployed, so it has no external id to keep. ` +
        'Link without --keep-old, or give the ids with --old-external-id.',
    );
  }
  if (result.status !== 0) {
    throw new ToolError(
      `aws cloudformation describe-stacks failed (exit ${result.status}): ${toolMessage(result.stderr)}`,
    );
  }
  const deployed = deployedLink(result.stdout, stackName);
  if (deployed.externalIds.length === 0) {
    env.stderr(`link: stack ${stackName} has no external id yet; linking the new one alone.\n`);
  } else if (deployed.userArn !== '' && deployed.userArn !== newUserArn) {
    // The trust statement has one principal: ids kept for another IAM user no longer let it in.
    env.stderr(
      `link: note: stack ${stackName} now trusts ${deployed.userArn}; the ids kept belong to that IAM user, ` +
        `which the stack will no longer trust once it trusts ${newUserArn}.\n`,
    );
  }
  return deployed.externalIds;
}

function summary(plan: DeployPlan): string {
  return [
    `link: from the ${plan.values.kind} integration's DESCRIBE output (${plan.form}), deploying stack ${plan.stackName} with`,
    `  ${USER_ARN_PARAMETER}=${plan.values.userArn}`,
    `  ${EXTERNAL_ID_PARAMETER}=${plan.externalIds.join(',')}`,
    '',
  ].join('\n');
}
