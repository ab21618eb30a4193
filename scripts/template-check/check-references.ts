// Every name a template uses resolves: Ref, Fn::GetAtt (to a real attribute), Fn::Sub variables,
// conditions, DependsOn and mappings; and a resource that exists only under a condition is used only
// where that condition holds.
import { PSEUDO_PARAMETERS, type Reference, referencesIn } from './intrinsics';
import { type Problem, problem } from './problem';
import { generatedNames } from './serverless';
import type { ResourceSpec } from './spec';
import { isJson, type Json, type Template } from './template';

const NESTED_STACK_TYPES = new Set(['AWS::CloudFormation::Stack', 'AWS::Serverless::Application']);

type Section = 'resource' | 'output' | 'condition' | 'rule';

interface Scope {
  readonly section: Section;
  /** Conditions under which the referring resource or output exists. */
  readonly conditions: readonly string[];
}

/** A resource as references see it: its type and the condition it exists under. */
interface Target {
  readonly type: string;
  readonly condition: string | undefined;
}

/** Problems with references anywhere in the template. */
export function checkReferences(template: Template, spec: ResourceSpec): Problem[] {
  const names = new Names(template);
  const check = (refs: Reference[], scope: Scope) =>
    refs.flatMap((ref) => checkReference(ref, scope, names, spec));
  const parametersOnly = (section: Section): Scope => ({ section, conditions: [] });
  return [
    ...Object.entries(template.Resources ?? {}).flatMap(([id, resource]) =>
      resourceProblems(id, resource, names, check),
    ),
    ...Object.entries(template.Outputs ?? {}).flatMap(([name, output]) =>
      outputProblems(name, output, names, check),
    ),
    ...check(referencesIn(template.Conditions ?? {}, 'Conditions'), parametersOnly('condition')),
    ...check(referencesIn(template.Rules ?? {}, 'Rules'), parametersOnly('rule')),
  ];
}

type Check = (refs: Reference[], scope: Scope) => Problem[];

function resourceProblems(id: string, resource: unknown, names: Names, check: Check): Problem[] {
  if (!isJson(resource)) return [];
  const at = `Resources.${id}`;
  const scope: Scope = { section: 'resource', conditions: conditionOf(resource) };
  return [
    ...conditionKeyProblems(resource, at, names),
    ...dependsOnProblems(id, resource, scope, names),
    ...check(referencesIn(resource.Properties, `${at}.Properties`), scope),
  ];
}

function outputProblems(name: string, output: unknown, names: Names, check: Check): Problem[] {
  if (!isJson(output)) return [];
  const at = `Outputs.${name}`;
  const scope: Scope = { section: 'output', conditions: conditionOf(output) };
  const { Value, Export } = output;
  return [...conditionKeyProblems(output, at, names), ...check(referencesIn({ Value, Export }, at), scope)];
}

/** The names a template declares, and what SAM adds. */
class Names {
  readonly parameters: Set<string>;
  readonly conditions: Set<string>;
  readonly resources = new Map<string, Target>();
  readonly mappings: Json;

  constructor(template: Template) {
    this.parameters = new Set(Object.keys(template.Parameters ?? {}));
    this.conditions = new Set(Object.keys(template.Conditions ?? {}));
    this.mappings = template.Mappings ?? {};
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      if (!isJson(resource) || typeof resource.Type !== 'string') continue;
      const condition = typeof resource.Condition === 'string' ? resource.Condition : undefined;
      this.resources.set(id, { type: resource.Type, condition });
      const properties = isJson(resource.Properties) ? resource.Properties : {};
      for (const generated of generatedNames(id, resource.Type, properties))
        this.resources.set(generated.name, { type: generated.type, condition });
    }
  }
}

function checkReference(ref: Reference, scope: Scope, names: Names, spec: ResourceSpec): Problem[] {
  switch (ref.kind) {
    case 'Malformed':
      return [problem(ref.at, ref.message)];
    case 'Condition':
      return names.conditions.has(ref.target)
        ? []
        : [problem(ref.at, `condition ${ref.target} is not declared in Conditions`)];
    case 'Ref':
      return checkRef(ref.target, ref, scope, names);
    case 'GetAtt':
      // SAM turns ${Api.Stage} in Fn::Sub into a Ref of the stage it generates (its SubAction).
      return ref.inSub && names.resources.has(`${ref.target}.${ref.attribute}`)
        ? checkRef(`${ref.target}.${ref.attribute}`, ref, scope, names)
        : checkGetAtt(ref.target, ref.attribute, ref, scope, names, spec);
    case 'FindInMap':
      return checkFindInMap(ref.args, ref.at, names);
  }
}

function checkRef(target: string, ref: Reference, scope: Scope, names: Names): Problem[] {
  if (PSEUDO_PARAMETERS.includes(target) || names.parameters.has(target)) return [];
  if (scope.section === 'condition' || scope.section === 'rule') {
    return [problem(ref.at, `${target} is not a parameter: ${scope.section}s may refer only to parameters`)];
  }
  const resource = names.resources.get(target);
  if (resource === undefined)
    return [problem(ref.at, `${target} is not a parameter, resource or pseudo parameter`)];
  return existenceProblems(target, resource, ref, scope);
}

function checkGetAtt(
  target: string,
  attribute: string,
  ref: Reference,
  scope: Scope,
  names: Names,
  spec: ResourceSpec,
): Problem[] {
  if (scope.section === 'condition' || scope.section === 'rule') {
    return [problem(ref.at, `${scope.section}s may not use Fn::GetAtt (${target}.${attribute})`)];
  }
  const resource = names.resources.get(target);
  if (resource === undefined)
    return [problem(ref.at, `${target} is not a resource (in ${target}.${attribute})`)];
  const attributes = spec.schemaOf(resource.type)?.attributes;
  const known =
    attributes === undefined ||
    attributes.includes(attribute) ||
    // A nested stack's outputs, SAM's nested application's too (it becomes an AWS::CloudFormation::Stack).
    (NESTED_STACK_TYPES.has(resource.type) && attribute.startsWith('Outputs.'));
  const attributeProblems = known
    ? []
    : [
        problem(
          ref.at,
          `${resource.type} has no attribute ${attribute} (it has: ${attributes.join(', ') || 'none'})`,
        ),
      ];
  return [...attributeProblems, ...existenceProblems(target, resource, ref, scope)];
}

// CloudFormation refuses a reference to a conditional resource from where its condition may not hold.
function existenceProblems(target: string, resource: Target, ref: Reference, scope: Scope): Problem[] {
  const condition = resource.condition;
  if (condition === undefined || scope.conditions.includes(condition) || ref.under.includes(condition))
    return [];
  return [
    problem(
      ref.at,
      `${target} exists only when ${condition} holds: use it inside !If [${condition}, ...] or under the same Condition`,
    ),
  ];
}

function checkFindInMap(args: readonly unknown[], at: string, names: Names): Problem[] {
  const [map, first, second] = args;
  if (typeof map !== 'string') return [];
  const mapping = names.mappings[map];
  if (!isJson(mapping)) return [problem(at, `mapping ${map} is not declared in Mappings`)];
  if (typeof first !== 'string') return [];
  const entry = mapping[first];
  if (!isJson(entry)) return [problem(at, `mapping ${map} has no key ${first}`)];
  if (typeof second === 'string' && !(second in entry))
    return [problem(at, `mapping ${map}.${first} has no key ${second}`)];
  return [];
}

function conditionKeyProblems(entry: Json, at: string, names: Names): Problem[] {
  const condition = entry.Condition;
  if (condition === undefined) return [];
  if (typeof condition === 'string' && names.conditions.has(condition)) return [];
  return [problem(`${at}.Condition`, `condition ${String(condition)} is not declared in Conditions`)];
}

function dependsOnProblems(id: string, resource: Json, scope: Scope, names: Names): Problem[] {
  const at = `Resources.${id}.DependsOn`;
  return dependsOnOf(resource).flatMap((target) => {
    const dependency = names.resources.get(target);
    if (dependency === undefined) return [problem(at, `${target} is not a resource`)];
    return existenceProblems(target, dependency, { kind: 'Ref', target, at, under: [] }, scope);
  });
}

/** The names in a resource's DependsOn, given as one name or a list. */
export function dependsOnOf(resource: Json): string[] {
  const dependsOn = resource.DependsOn;
  if (typeof dependsOn === 'string') return [dependsOn];
  return Array.isArray(dependsOn) ? dependsOn.map(String) : [];
}

function conditionOf(entry: Json): string[] {
  return typeof entry.Condition === 'string' ? [entry.Condition] : [];
}
