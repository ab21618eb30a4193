// Finds and reads the samconfig file the way sam deploy does: --config-file if given, else the first of
// samconfig.toml, samconfig.yaml, samconfig.yml in the directory sam runs in.

import { existsSync, readFileSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { SamConfigError } from './errors';
import { DEFAULT_CONFIG_ENV, environmentsOf, type SamDeploySettings, samDeploySettings } from './samconfig';

const DEFAULT_FILES = ['samconfig.toml', 'samconfig.yaml', 'samconfig.yml'];

/**
 * The deploy settings of the samconfig sam would read, for configEnv or "default"; none when there is
 * no file. An environment given with --config-env must be in the file.
 */
export function readSamConfig(
  dir: string,
  configFile: string | undefined,
  configEnv?: string,
): SamDeploySettings {
  const path = configFile === undefined ? defaultFile(dir) : resolve(dir, configFile);
  if (path === undefined && configEnv !== undefined) {
    throw new SamConfigError(
      `--config-env ${configEnv}: there is no samconfig.toml (or .yaml) in ${shown(dir) || '.'}, so no such environment. Give --config-file, or leave --config-env out.`,
    );
  }
  if (path === undefined) return { parameterOverrides: [] };
  if (!existsSync(path)) throw new SamConfigError(`--config-file ${configFile} does not exist.`);
  const document = parseConfig(path);
  if (configEnv !== undefined) requireEnvironment(document, configEnv, path);
  return samDeploySettings(document, configEnv ?? DEFAULT_CONFIG_ENV, path);
}

function requireEnvironment(document: unknown, env: string, path: string): void {
  const defined = environmentsOf(document);
  if (defined.includes(env)) return;
  const listed = defined.length === 0 ? 'it defines none' : `it has ${defined.join(', ')}`;
  throw new SamConfigError(
    `--config-env ${env}: no such environment in ${shown(path)} (${listed}). Give one of those, or leave --config-env out for "default".`,
  );
}

function defaultFile(dir: string): string | undefined {
  return DEFAULT_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
}

function parseConfig(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return ['.yaml', '.yml'].includes(extname(path)) ? parseYaml(text) : parseToml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SamConfigError(`${path} cannot be read: ${reason}`, { cause: error });
  }
}

// Which samconfig, as the person sees it from the project root: examples/samconfig.toml is not samconfig.toml.
function shown(path: string): string {
  const fromRoot = relative(process.cwd(), path);
  return fromRoot.startsWith('..') ? path : fromRoot;
}
