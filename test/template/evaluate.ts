// A small evaluator of the intrinsic functions the templates use, for rendering outputs and conditions
// with sample values as CloudFormation would. Unknown functions throw, so a test never passes by skipping.
import { intrinsicName } from '../../scripts/template-check/intrinsics';
import { isJson, type Json, type Template } from '../../scripts/template-check/template';

/** Values for Ref and Fn::GetAtt: parameter, pseudo parameter and resource names, or "Resource.Attribute". */
export type Values = Readonly<Record<string, unknown>>;

export const NO_VALUE = Symbol('AWS::NoValue');

/** Evaluates a template value: parameters take their Default unless given in values. */
export function evaluate(value: unknown, template: Template, values: Values): unknown {
  const scope = { ...defaults(template), ...values };
  return evaluateIn(value, template, scope);
}

/** Whether a named condition holds for the given values. */
export function conditionHolds(name: string, template: Template, values: Values): boolean {
  return evaluate({ Condition: name }, template, values) === true;
}

function defaults(template: Template): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(template.Parameters ?? {}).map(([name, p]) => {
      const value = p.Default;
      return [name, p.Type === 'CommaDelimitedList' ? String(value ?? '').split(',') : value];
    }),
  );
}

function evaluateIn(value: unknown, template: Template, scope: Values): unknown {
  const fn = intrinsicName(value);
  if (fn !== undefined) return call(fn, (value as Json)[fn], template, scope);
  if (Array.isArray(value))
    return value.map((v) => evaluateIn(v, template, scope)).filter((v) => v !== NO_VALUE);
  if (isJson(value)) {
    const entries = Object.entries(value).map(([k, v]) => [k, evaluateIn(v, template, scope)] as const);
    return Object.fromEntries(entries.filter(([, v]) => v !== NO_VALUE));
  }
  return value;
}

function call(fn: string, args: unknown, template: Template, scope: Values): unknown {
  const arg = (v: unknown) => evaluateIn(v, template, scope);
  const list = args as unknown[];
  switch (fn) {
    case 'Ref':
      return args === 'AWS::NoValue' ? NO_VALUE : lookup(String(args), scope);
    case 'Fn::GetAtt':
      return lookup((list as string[]).join('.'), scope);
    case 'Fn::Sub':
      return sub(args, template, scope);
    case 'Fn::If':
      return conditionHolds(String(list[0]), template, scope) ? arg(list[1]) : arg(list[2]);
    case 'Condition':
      return arg(template.Conditions?.[String(args)]);
    case 'Fn::Equals':
      return JSON.stringify(arg(list[0])) === JSON.stringify(arg(list[1]));
    case 'Fn::Not':
      return !arg(list[0]);
    case 'Fn::And':
      return list.every((v) => arg(v) === true);
    case 'Fn::Or':
      return list.some((v) => arg(v) === true);
    case 'Fn::Contains':
      return (arg(list[0]) as unknown[]).includes(arg(list[1]));
    case 'Fn::Split':
      return String(arg(list[1])).split(String(list[0]));
    case 'Fn::Join':
      return (arg(list[1]) as unknown[]).join(String(list[0]));
    case 'Fn::FindInMap': {
      const [map, first, second] = list.map(arg).map(String) as [string, string, string];
      return lookup(second, lookup(first, lookup(map, template.Mappings ?? {}) as Values) as Values);
    }
    case 'Fn::ImportValue':
      return lookup(`ImportValue:${String(arg(args))}`, scope);
    default:
      throw new Error(`evaluate does not know ${fn}`);
  }
}

function sub(args: unknown, template: Template, scope: Values): string {
  const [text, variables] = Array.isArray(args) ? (args as [string, Json]) : [String(args), {}];
  const local = {
    ...scope,
    ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, evaluateIn(v, template, scope)])),
  };
  return text.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
    name.startsWith('!') ? `\${${name.slice(1)}}` : String(lookup(name.trim(), local)),
  );
}

function lookup(name: string, scope: Values): unknown {
  if (!(name in scope)) throw new Error(`no sample value for ${name}`);
  return scope[name];
}
