// The settings of `sam deploy` that the link needs from samconfig: which stack, where, from which
// template, and the parameter_overrides a command-line --parameter-overrides would otherwise drop. sam reads
// [ENV.global.parameters] and lets [ENV.deploy.parameters] override it; so does this.

import { SamConfigError } from './errors';

export interface SamDeploySettings {
  readonly stackName?: string;
  readonly region?: string;
  readonly profile?: string;
  /** template_file (or template), relative to where sam runs. */
  readonly templateFile?: string;
  /** parameter_overrides as written: one entry per string (sam accepts a string or a list of them). */
  readonly parameterOverrides: readonly string[];
}

export const DEFAULT_CONFIG_ENV = 'default';

/** The deploy settings of one environment of a parsed samconfig document. */
export function samDeploySettings(document: unknown, env: string, file: string): SamDeploySettings {
  const parameters = {
    ...section(document, [env, 'global', 'parameters']),
    ...section(document, [env, 'deploy', 'parameters']),
  };
  const text = (key: string): string | undefined => {
    const value = parameters[key];
    if (value === undefined || typeof value === 'string') return value;
    throw new SamConfigError(`${file}: ${key} in [${env}.deploy.parameters] must be a string.`);
  };
  return {
    stackName: text('stack_name'),
    region: text('region'),
    profile: text('profile'),
    templateFile: text('template_file') ?? text('template'),
    parameterOverrides: overrideEntries(parameters.parameter_overrides, `${file}: parameter_overrides`),
  };
}

/** The environments a samconfig document defines: its top-level tables ("default", "prod", ...). */
export function environmentsOf(document: unknown): string[] {
  if (!isRecord(document)) return [];
  return Object.keys(document).filter((key) => isRecord(document[key]));
}

function section(document: unknown, path: readonly string[]): Record<string, unknown> {
  let node = document;
  for (const key of path) node = isRecord(node) ? node[key] : undefined;
  return isRecord(node) ? node : {};
}

function overrideEntries(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value;
  throw new SamConfigError(`${where} must be a string or a list of strings, as sam reads it.`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
