// Renders template values with sample values as CloudFormation would, through the lab's own resolver
// of intrinsic functions. A name without a sample value throws, so a test never passes by skipping.
import { evaluateCondition, resolveValue, type Scope } from '../../lab/cloudformation/intrinsics';
import type { Template } from '../../scripts/template-check/template';

/** Values for Ref and Fn::GetAtt: parameter, pseudo parameter and resource names, or "Resource.Attribute"; "ImportValue:<name>" for imports. */
export type Values = Readonly<Record<string, unknown>>;

/** Evaluates a template value: parameters take their Default unless given in values. */
export function evaluate(value: unknown, template: Template, values: Values): unknown {
  return resolveValue(value, scopeOf(template, { ...defaults(template), ...values }));
}

/** Whether a named condition holds for the given values. */
export function conditionHolds(name: string, template: Template, values: Values): boolean {
  return evaluate({ Condition: name }, template, values) === true;
}

function scopeOf(template: Template, samples: Values): Scope {
  const scope: Scope = {
    ref: (name) => lookup(name, samples),
    getAtt: (logicalId, attribute) => lookup(`${logicalId}.${attribute}`, samples),
    condition: (name) => evaluateCondition(template.Conditions?.[name], scope),
    mappings: (template.Mappings ?? {}) as Scope['mappings'],
    region: String(samples['AWS::Region'] ?? 'us-east-1'),
    importValue: (name) => lookup(`ImportValue:${name}`, samples),
  };
  return scope;
}

function defaults(template: Template): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(template.Parameters ?? {}).map(([name, p]) => {
      const value = p.Default;
      return [name, p.Type === 'CommaDelimitedList' ? String(value ?? '').split(',') : value];
    }),
  );
}

function lookup(name: string, samples: Values): unknown {
  if (!(name in samples)) throw new Error(`no sample value for ${name}`);
  return samples[name];
}
