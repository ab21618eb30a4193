// Finds and reads the samconfig file the way sam deploy does: --config-file if given, else the first of
// samconfig.toml, samconfig.yaml, samconfig.yml in the directory sam runs in.

import { existsSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { SamConfigError } from './errors';
import { DEFAULT_CONFIG_ENV, type SamDeploySettings, samDeploySettings } from './samconfig';

const DEFAULT_FILES = ['samconfig.toml', 'samconfig.yaml', 'samconfig.yml'];

/** The deploy settings for env from the samconfig sam would read; none when there is no file. */
export function readSamConfig(
  dir: string,
  configFile: string | undefined,
  env = DEFAULT_CONFIG_ENV,
): SamDeploySettings {
  const path = configFile === undefined ? defaultFile(dir) : resolve(dir, configFile);
  if (path === undefined) return { parameterOverrides: [] };
  if (!existsSync(path)) throw new SamConfigError(`--config-file ${configFile} does not exist.`);
  return samDeploySettings(parseConfig(path), env, path);
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
