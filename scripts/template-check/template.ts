// A CloudFormation template as plain data: read from YAML (short forms included) or JSON.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
// The lab's reading of the short forms: the lab stays self-contained, and the checker reads templates as it does.
import { CLOUDFORMATION_TAGS } from '../../lab/cloudformation/yaml-tags';

/** A JSON-like object. */
export type Json = Record<string, unknown>;

/** A template, checked only for being a mapping: the checks say what else is wrong. */
export interface Template extends Json {
  Parameters?: Record<string, Json>;
  Mappings?: Record<string, Json>;
  Conditions?: Json;
  Rules?: Record<string, Json>;
  Resources?: Record<string, Json>;
  Outputs?: Record<string, Json>;
}

/** Thrown when a file is not YAML or JSON, or not a mapping at its top. */
export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError';
}

/** Parses template text; JSON is YAML too. */
export function parseTemplate(text: string, source = 'template'): Template {
  let document: unknown;
  try {
    document = parse(text, { customTags: CLOUDFORMATION_TAGS, version: '1.2', uniqueKeys: true });
  } catch (cause) {
    throw new TemplateSyntaxError(`${source} is not valid YAML: ${(cause as Error).message}`, { cause });
  }
  if (!isJson(document)) throw new TemplateSyntaxError(`${source} is not a mapping of template sections.`);
  return document as Template;
}

/** Reads and parses a template file. */
export function loadTemplate(path: string): Template {
  return parseTemplate(readFileSync(path, 'utf8'), path);
}

export function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
