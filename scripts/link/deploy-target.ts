// Where the link deploys: which stack, from which template, and which samconfig sam reads for it. An API
// integration goes to the stack the root's samconfig names (sam's own default), a storage integration to
// the storage example's stack, from its own template: sam then reads examples/samconfig.toml, the one
// next to that template, and never the root's. Where there is no storage example (the binary run in a
// user's project), a storage integration goes where sam deploys by itself, as an API integration does.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { IntegrationKind, LinkOptions, StackSelection } from './cli-options';
import { LinkError } from './errors';
import type { SamDeploySettings } from './samconfig';
import { STACK_KINDS, STORAGE_STACK_NAME, type StackKind } from './stack-kind';

export interface DeployTarget {
  readonly kind: StackKind;
  readonly stackName: string;
  /** The template sam will deploy, as a path to read and check. */
  readonly templatePath: string;
  /** What sam is told: the options given, plus the stack and template chosen here. */
  readonly selection: StackSelection;
}

// sam deploy's own search when no template is named: a built one first (samcli's
// get_or_default_template_file_name).
const SAM_DEFAULT_TEMPLATES = [
  join('.aws-sam', 'build', 'template.yaml'),
  'template.yaml',
  'template.yml',
  'template.json',
];

/** The stack options as given, the files in them read from where the person ran npm. */
export function givenSelection(options: LinkOptions, userDir: string): StackSelection {
  const fromUser = (path?: string) => (path === undefined ? undefined : resolve(userDir, path));
  return {
    stackName: options.stackName,
    templateFile: fromUser(options.templateFile),
    configEnv: options.configEnv,
    configFile: fromUser(options.configFile),
    region: options.region,
    profile: options.profile,
  };
}

/**
 * The folder whose samconfig.toml sam deploy reads: the template's folder when sam is given a template,
 * else the folder it runs in. SAM CLI looks for the file next to the template, and resolves a relative
 * --config-file from there too (samcli/commands/_utils/options.py sets samconfig_dir to the template's
 * folder; aws-sam-cli issues #2747, #3594, #5009). The link passes --config-file as an absolute path.
 */
export function samconfigDir(
  given: StackSelection,
  integration: IntegrationKind,
  cwd: string,
  exists: (path: string) => boolean = existsSync,
): string {
  const template =
    given.templateFile ??
    (usesStorageExample(given, integration, cwd, exists) ? STACK_KINDS.storage.templateFile : undefined);
  return template === undefined ? cwd : dirname(resolve(cwd, template));
}

// The storage example is the default template only where it is: in this repository, not a user's project.
function usesStorageExample(
  given: StackSelection,
  integration: IntegrationKind,
  cwd: string,
  exists: (path: string) => boolean,
): boolean {
  if (integration !== 'storage') return false;
  return given.templateFile !== undefined || exists(resolve(cwd, STACK_KINDS.storage.templateFile));
}

/** The stack and template for this kind of integration; throws LinkError when there is none. */
export function deployTarget(
  given: StackSelection,
  integration: IntegrationKind,
  samconfig: SamDeploySettings,
  cwd: string,
  exists: (path: string) => boolean,
): DeployTarget {
  return usesStorageExample(given, integration, cwd, exists)
    ? storageTarget(given, samconfig, cwd)
    : samTarget(given, STACK_KINDS[integration], samconfig, cwd, exists);
}

// The stack and template sam deploy would pick by itself.
function samTarget(
  given: StackSelection,
  kind: StackKind,
  samconfig: SamDeploySettings,
  cwd: string,
  exists: (path: string) => boolean,
): DeployTarget {
  const stackName = given.stackName ?? samconfig.stackName;
  if (stackName === undefined) {
    throw new LinkError('No stack name: give --stack-name, or set stack_name in samconfig.toml.');
  }
  // Without --template-file, sam finds the template itself; the link reads the one it will find.
  const found = samconfig.templateFile ?? SAM_DEFAULT_TEMPLATES.find((name) => exists(resolve(cwd, name)));
  const templatePath = given.templateFile ?? (found === undefined ? undefined : resolve(cwd, found));
  if (templatePath === undefined) {
    throw new LinkError(
      `No template.yaml in ${cwd}: run npm run link from the project root, or give --template-file.`,
    );
  }
  return { kind, stackName, templatePath, selection: given };
}

// samconfig here is the example's own (samconfigDir): its stack_name is the storage stack's.
function storageTarget(given: StackSelection, samconfig: SamDeploySettings, cwd: string): DeployTarget {
  const kind = STACK_KINDS.storage;
  const stackName = given.stackName ?? samconfig.stackName ?? STORAGE_STACK_NAME;
  const templateFile = given.templateFile ?? kind.templateFile;
  return {
    kind,
    stackName,
    templatePath: resolve(cwd, templateFile),
    // Always named: sam run in the project root would otherwise deploy the root's template, the gateway's.
    selection: { ...given, stackName, templateFile },
  };
}
