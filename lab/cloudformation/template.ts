// Reads a CloudFormation template (YAML with short-form tags such as !Ref, !Sub, !GetAtt, or JSON)
// into plain objects in the long form ({ Ref }, { 'Fn::Sub' }, ...), as CloudFormation does.
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, type Node, parseDocument } from 'yaml';

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
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0)
    throw new Error(`The template is not valid YAML: ${document.errors[0]?.message}`);
  const template = longForm(document.contents, document);
  if (typeof template !== 'object' || template === null || !('Resources' in template)) {
    throw new Error('The template has no Resources section.');
  }
  return template as Template;
}

type Doc = ReturnType<typeof parseDocument>;

function longForm(node: unknown, document: Doc): unknown {
  if (isAlias(node)) return longForm(node.resolve(document), document);
  const value = plain(node, document);
  const tag = (node as Node | null)?.tag;
  if (tag === undefined || !tag.startsWith('!')) return value;
  return shortTag(tag.slice(1), value);
}

function plain(node: unknown, document: Doc): unknown {
  if (isMap(node)) {
    const entries = node.items
      .filter(isPair)
      .map((pair) => [String(longForm(pair.key, document)), longForm(pair.value, document)]);
    return Object.fromEntries(entries);
  }
  if (isSeq(node)) return node.items.map((item) => longForm(item, document));
  if (isScalar(node)) return node.value;
  return node ?? null;
}

function shortTag(name: string, value: unknown): unknown {
  if (name === 'Ref') return { Ref: value };
  if (name === 'Condition') return { Condition: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}
