// Resolves CloudFormation's intrinsic functions in the long form: Ref, Fn::Sub, Fn::GetAtt,
// Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition,
// Fn::FindInMap, Fn::Base64, Fn::GetAZs, Fn::Contains (in Rules) and Fn::ImportValue; a property resolving to AWS::NoValue is left out.

/** What names resolve to while a stack operation runs. */
export interface Scope {
  /** A parameter, pseudo parameter or resource's Ref value. */
  ref(name: string): unknown;
  /** A resource attribute. */
  getAtt(logicalId: string, attribute: string): unknown;
  /** A named condition's value. */
  condition(name: string): boolean;
  mappings: Record<string, Record<string, Record<string, unknown>>>;
  region: string;
  /** Another stack's export, for Fn::ImportValue; without it, importing is an error. */
  importValue?(name: string): unknown;
}

/** A template that uses something the lab cannot resolve. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const NO_VALUE = Symbol('AWS::NoValue');

/** Resolves every intrinsic function in a value. */
export function resolveValue(value: unknown, scope: Scope): unknown {
  const resolved = resolve(value, scope);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** Evaluates a condition expression (Fn::Equals, Fn::And, ...) to a boolean. */
export function evaluateCondition(expression: unknown, scope: Scope): boolean {
  const value = resolve(expression, scope);
  if (typeof value !== 'boolean')
    throw new TemplateError(`A condition does not evaluate to true or false: ${JSON.stringify(expression)}`);
  return value;
}

function resolve(value: unknown, scope: Scope): unknown {
  if (Array.isArray(value))
    return value.map((item) => resolve(item, scope)).filter((item) => item !== NO_VALUE);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [key, argument] = entries[0] ?? [];
  if (
    entries.length === 1 &&
    key !== undefined &&
    (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))
  ) {
    return intrinsic(key, argument, scope);
  }
  const object: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const resolved = resolve(v, scope);
    if (resolved !== NO_VALUE) object[k] = resolved;
  }
  return object;
}

function intrinsic(name: string, argument: unknown, scope: Scope): unknown {
  switch (name) {
    case 'Ref':
      return argument === 'AWS::NoValue' ? NO_VALUE : scope.ref(String(argument));
    case 'Condition':
      return scope.condition(String(argument));
    case 'Fn::Sub':
      return sub(argument, scope);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
      return scope.getAtt(String(logicalId), String(resolve(attribute, scope)));
    }
    case 'Fn::Join': {
      const [separator, items] = list(argument, 2, name);
      return asList(resolve(items, scope), name).join(String(separator));
    }
    case 'Fn::Select': {
      const [index, items] = list(argument, 2, name);
      return asList(resolve(items, scope), name)[Number(resolve(index, scope))];
    }
    case 'Fn::Split': {
      const [separator, source] = list(argument, 2, name);
      return String(resolve(source, scope)).split(String(separator));
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = list(argument, 3, name);
      return resolve(scope.condition(String(condition)) ? whenTrue : whenFalse, scope);
    }
    case 'Fn::Equals': {
      const [a, b] = list(argument, 2, name);
      return JSON.stringify(resolve(a, scope)) === JSON.stringify(resolve(b, scope));
    }
    case 'Fn::Not':
      return !asBoolean(resolve(list(argument, 1, name)[0], scope));
    case 'Fn::And':
      return asList(argument, name).every((c) => asBoolean(resolve(c, scope)));
    case 'Fn::Or':
      return asList(argument, name).some((c) => asBoolean(resolve(c, scope)));
    case 'Fn::FindInMap': {
      const [map, top, second] = list(argument, 3, name).map((a) => String(resolve(a, scope)));
      return scope.mappings[map ?? '']?.[top ?? '']?.[second ?? ''];
    }
    case 'Fn::Contains': {
      const [items, item] = list(argument, 2, name);
      const wanted = JSON.stringify(resolve(item, scope));
      return asList(resolve(items, scope), name).some((i) => JSON.stringify(i) === wanted);
    }
    case 'Fn::ImportValue': {
      if (!scope.importValue) throw new TemplateError('The lab does not import values from other stacks.');
      return scope.importValue(String(resolve(argument, scope)));
    }
    case 'Fn::Base64':
      return Buffer.from(String(resolve(argument, scope))).toString('base64');
    case 'Fn::GetAZs':
      return ['a', 'b', 'c'].map((zone) => `${scope.region}${zone}`);
    default:
      throw new TemplateError(`The lab does not resolve ${name}.`);
  }
}

function sub(argument: unknown, scope: Scope): string {
  const [text, variables = {}] = Array.isArray(argument) ? argument : [argument];
  const values = resolve(variables, scope) as Record<string, unknown>;
  return String(text).replace(/\$\{(!?)([^}]+)\}/g, (whole, literal: string, name: string) => {
    if (literal === '!') return `\${${name}}`;
    if (name in values) return String(values[name]);
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::'))
      return String(scope.getAtt(name.slice(0, dot), name.slice(dot + 1)));
    const value = scope.ref(name);
    if (value === undefined) throw new TemplateError(`Fn::Sub cannot resolve ${whole}.`);
    return Array.isArray(value) ? value.join(',') : String(value);
  });
}

function list(argument: unknown, length: number, name: string): unknown[] {
  const items = asList(argument, name);
  if (items.length < length) throw new TemplateError(`${name} needs ${length} arguments.`);
  return items;
}

function asList(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new TemplateError(`${name} needs a list, got ${JSON.stringify(value)}.`);
  return value;
}

function asBoolean(value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new TemplateError(`A condition function got ${JSON.stringify(value)}.`);
  return value;
}
