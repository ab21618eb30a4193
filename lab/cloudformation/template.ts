// Reads a CloudFormation template (YAML with short-form tags such as !Ref, !Sub, !GetAtt, or JSON)
// into plain objects in the long form ({ Ref }, { 'Fn::Sub' }, ...), as CloudFormation does.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
// One reading of CloudFormation's short forms for the whole project, the template checker's too.
import { CLOUDFORMATION_TAGS } from './yaml-tags';

/** One resource of a template. */
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
}

/** One parameter of a template. */
export interface TemplateParameter {
  Type: string;
  Default?: unknown;
  AllowedPattern?: string;
  AllowedValues?: unknown[];
  MinLength?: number;
  MaxLength?: number;
  NoEcho?: boolean | string;
}

/** A template, in the long form. */
export interface Template {
  Parameters?: Record<string, TemplateParameter>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, { Value: unknown; Condition?: string }>;
  /** SAM's Globals; Globals.Function applies to every AWS::Serverless::Function. */
  Globals?: { Function?: Record<string, unknown> };
}

/** Reads and parses a template file. */
export function loadTemplate(path: string): Template {
  return parseTemplate(readFileSync(path, 'utf8'));
}

/** Parses template text, YAML or JSON, short-form tags turned into their long form. */
export function parseTemplate(text: string): Template {
  let template: unknown;
  try {
    template = parse(text, { customTags: CLOUDFORMATION_TAGS, version: '1.2', uniqueKeys: true });
  } catch (error) {
    throw new Error(`The template is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  if (typeof template !== 'object' || template === null || !('Resources' in template)) {
    throw new Error('The template has no Resources section.');
  }
  return template as Template;
}
