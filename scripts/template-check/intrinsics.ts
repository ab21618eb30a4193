// Finds every reference a template value makes through intrinsic functions, with where it is and which
// conditions the enclosing Fn::If branches assert, so that checks need not know the function syntax.
import { isJson } from './template';

/** CloudFormation's pseudo parameters: Ref-able everywhere, declared nowhere. */
export const PSEUDO_PARAMETERS: readonly string[] = [
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
];

interface Located {
  /** Dotted path of the function in the template. */
  readonly at: string;
  /** Conditions that hold wherever this reference is evaluated (the true branches of enclosing Fn::If). */
  readonly under: readonly string[];
}

/** A reference a template makes: to a parameter or resource, an attribute, a condition or a mapping. */
export type Reference = Located &
  (
    | { readonly kind: 'Ref'; readonly target: string }
    | {
        readonly kind: 'GetAtt';
        readonly target: string;
        readonly attribute: string;
        /** Written as ${target.attribute} in Fn::Sub, where SAM reads its referenceable properties too. */
        readonly inSub?: true;
      }
    | { readonly kind: 'Condition'; readonly target: string }
    | { readonly kind: 'FindInMap'; readonly args: readonly unknown[] }
    | { readonly kind: 'Malformed'; readonly message: string }
  );

/** The single key of an intrinsic function object ({"Ref": x}, {"Fn::Sub": x}, {"Condition": x}), if it is one. */
export function intrinsicName(value: unknown): string | undefined {
  if (!isJson(value)) return undefined;
  const keys = Object.keys(value);
  const [key] = keys;
  if (keys.length !== 1 || key === undefined) return undefined;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

/** Every reference inside a value, in document order. */
export function referencesIn(value: unknown, at: string, under: readonly string[] = []): Reference[] {
  const name = intrinsicName(value);
  if (name !== undefined)
    return functionReferences(name, (value as Record<string, unknown>)[name], at, under);
  if (Array.isArray(value)) return value.flatMap((item, i) => referencesIn(item, `${at}[${i}]`, under));
  if (isJson(value))
    return Object.entries(value).flatMap(([key, v]) => referencesIn(v, `${at}.${key}`, under));
  return [];
}

function functionReferences(name: string, args: unknown, at: string, under: readonly string[]): Reference[] {
  const here = `${at}.${name}`;
  switch (name) {
    case 'Ref':
      return [
        typeof args === 'string'
          ? { kind: 'Ref', target: args, at: here, under }
          : malformed(here, under, 'Ref takes a name'),
      ];
    case 'Condition':
      return [
        typeof args === 'string'
          ? { kind: 'Condition', target: args, at: here, under }
          : malformed(here, under, 'Condition takes a condition name'),
      ];
    case 'Fn::GetAtt':
      return [getAttReference(args, here, under)];
    case 'Fn::Sub':
      return subReferences(args, here, under);
    case 'Fn::If':
      return ifReferences(args, here, under);
    case 'Fn::FindInMap':
      return [
        Array.isArray(args) && args.length >= 3
          ? { kind: 'FindInMap', args, at: here, under }
          : malformed(here, under, 'Fn::FindInMap takes [map, top-level key, second-level key]'),
        ...referencesIn(args, here, under),
      ];
    default:
      return referencesIn(args, here, under);
  }
}

function getAttReference(args: unknown, at: string, under: readonly string[]): Reference {
  const parts = typeof args === 'string' ? splitOnce(args) : args;
  if (
    Array.isArray(parts) &&
    parts.length === 2 &&
    typeof parts[0] === 'string' &&
    typeof parts[1] === 'string'
  ) {
    return { kind: 'GetAtt', target: parts[0], attribute: parts[1], at, under };
  }
  return malformed(at, under, 'Fn::GetAtt takes [resource, attribute] or "resource.attribute"');
}

function subReferences(args: unknown, at: string, under: readonly string[]): Reference[] {
  const [text, variables] = Array.isArray(args) ? args : [args, {}];
  if (typeof text !== 'string' || !isJson(variables) || (Array.isArray(args) && args.length !== 2)) {
    return [malformed(at, under, 'Fn::Sub takes a string, or [string, {variable: value}]')];
  }
  const local = new Set(Object.keys(variables));
  const fromText = subVariables(text)
    .filter((variable) => !local.has(variable))
    .map((variable): Reference => {
      const [target, attribute] = splitOnce(variable);
      return attribute === undefined || target.startsWith('AWS::')
        ? { kind: 'Ref', target: variable, at, under }
        : { kind: 'GetAtt', target, attribute, at, under, inSub: true };
    });
  return [...fromText, ...referencesIn(variables, `${at}[1]`, under)];
}

/** The ${...} variables of a Fn::Sub string; ${!Literal} is text, not a variable. */
export function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)]
    .map((match) => (match[1] ?? '').trim())
    .filter((variable) => !variable.startsWith('!'));
}

function ifReferences(args: unknown, at: string, under: readonly string[]): Reference[] {
  if (!Array.isArray(args) || args.length !== 3 || typeof args[0] !== 'string') {
    return [malformed(at, under, 'Fn::If takes [condition, value if true, value if false]')];
  }
  const [condition, whenTrue, whenFalse] = args as [string, unknown, unknown];
  return [
    { kind: 'Condition', target: condition, at, under },
    ...referencesIn(whenTrue, `${at}[1]`, [...under, condition]),
    ...referencesIn(whenFalse, `${at}[2]`, under),
  ];
}

function splitOnce(text: string): [string, string | undefined] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text, undefined] : [text.slice(0, dot), text.slice(dot + 1)];
}

function malformed(at: string, under: readonly string[], message: string): Reference {
  return { kind: 'Malformed', message, at, under };
}
