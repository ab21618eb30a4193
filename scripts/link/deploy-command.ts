// The `sam deploy` the link runs: the user's stack selection passed through as given, so that
// samconfig supplies everything else, and the parameter overrides last.

import type { StackSelection } from './cli-options';

/** The arguments of `sam`, starting with `deploy`; samArgs are the options given after `--`. */
export function samDeployArgs(
  selection: StackSelection,
  samArgs: readonly string[],
  overrides: readonly string[],
): string[] {
  const passed: [string, string | undefined][] = [
    ['--template-file', selection.templateFile],
    ['--stack-name', selection.stackName],
    ['--config-env', selection.configEnv],
    ['--config-file', selection.configFile],
    ['--region', selection.region],
    ['--profile', selection.profile],
  ];
  return [
    'deploy',
    ...passed.flatMap(([option, value]) => (value === undefined ? [] : [option, value])),
    ...samArgs,
    '--parameter-overrides',
    ...overrides,
  ];
}
