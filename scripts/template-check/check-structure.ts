// The template's frame: known sections and keys, parameter declarations whose defaults obey their own
// constraints, outputs with values, and the transform that SAM resource types require.
import { type Problem, problem } from './problem';
import { SERVERLESS_TRANSFORM } from './serverless';
import type { ResourceSpec } from './spec';
import { isJson, type Json, type Template } from './template';

const SECTIONS = [
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
];
const RESOURCE_KEYS = [
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
];
const PARAMETER_KEYS = [
  'Type',
  'Default',
  'Description',
  'AllowedPattern',
  'AllowedValues',
  'ConstraintDescription',
  'MaxLength',
  'MinLength',
  'MaxValue',
  'MinValue',
  'NoEcho',
];
const OUTPUT_KEYS = ['Description', 'Value', 'Export', 'Condition'];
const PARAMETER_TYPE =
  /^(?:String|Number|List<Number>|CommaDelimitedList|AWS::EC2::\w+::\w+|List<AWS::EC2::\w+::\w+>|AWS::SSM::Parameter::Name|AWS::SSM::Parameter::Value<.+>)$/;

/** Problems with the template's sections, parameters, resource entries and outputs. */
export function checkStructure(template: Template, spec: ResourceSpec): Problem[] {
  return [
    ...unknownKeys(template, sectionsOf(template), 'template', 'section'),
    ...resourcesPresent(template),
    ...Object.entries(template.Parameters ?? {}).flatMap(([name, p]) => checkParameter(name, p)),
    ...Object.entries(template.Resources ?? {}).flatMap(([id, r]) => checkResourceEntry(id, r)),
    ...Object.entries(template.Outputs ?? {}).flatMap(([name, o]) => checkOutput(name, o)),
    ...transformProblems(template, spec),
  ];
}

// SAM adds a Globals section, which it removes before CloudFormation reads the template.
function sectionsOf(template: Template): string[] {
  return transformsOf(template).includes(SERVERLESS_TRANSFORM) ? [...SECTIONS, 'Globals'] : SECTIONS;
}

/** The transforms a template declares. */
export function transformsOf(template: Template): string[] {
  const declared = template.Transform;
  if (typeof declared === 'string') return [declared];
  return Array.isArray(declared) ? declared.filter((t): t is string => typeof t === 'string') : [];
}

function resourcesPresent(template: Template): Problem[] {
  const resources = template.Resources;
  if (isJson(resources) && Object.keys(resources).length > 0) return [];
  return [problem('Resources', 'a template needs at least one resource')];
}

function checkParameter(name: string, parameter: unknown): Problem[] {
  const at = `Parameters.${name}`;
  if (!isJson(parameter)) return [problem(at, 'is not a parameter declaration')];
  const type = parameter.Type;
  const typeProblems =
    typeof type === 'string' && PARAMETER_TYPE.test(type)
      ? []
      : [problem(`${at}.Type`, `unknown parameter type ${String(type)}`)];
  return [
    ...unknownKeys(parameter, PARAMETER_KEYS, at, 'parameter attribute'),
    ...typeProblems,
    ...defaultProblems(at, parameter),
  ];
}

// CloudFormation refuses a deploy whose parameter value breaks its own constraints, defaults included.
function defaultProblems(at: string, parameter: Json): Problem[] {
  const value = parameter.Default;
  if (value === undefined) return [];
  const text = String(value);
  const pattern = parameter.AllowedPattern;
  const allowed = parameter.AllowedValues;
  const problems: Problem[] = [];
  if (
    typeof pattern === 'string' &&
    parameter.Type !== 'CommaDelimitedList' &&
    !new RegExp(pattern).test(text)
  ) {
    problems.push(problem(`${at}.Default`, `"${text}" does not match AllowedPattern ${pattern}`));
  }
  if (Array.isArray(allowed) && !allowed.map(String).includes(text)) {
    problems.push(problem(`${at}.Default`, `"${text}" is not one of AllowedValues`));
  }
  return problems;
}

function checkResourceEntry(id: string, resource: unknown): Problem[] {
  const at = `Resources.${id}`;
  if (!/^[A-Za-z0-9]+$/.test(id)) return [problem(at, 'a logical id has only letters and digits')];
  if (!isJson(resource)) return [problem(at, 'is not a resource declaration')];
  const typeProblems = typeof resource.Type === 'string' ? [] : [problem(at, 'has no Type')];
  const propertiesProblems =
    resource.Properties === undefined || isJson(resource.Properties)
      ? []
      : [problem(`${at}.Properties`, 'is not a mapping')];
  return [
    ...unknownKeys(resource, RESOURCE_KEYS, at, 'resource attribute'),
    ...typeProblems,
    ...propertiesProblems,
  ];
}

function checkOutput(name: string, output: unknown): Problem[] {
  const at = `Outputs.${name}`;
  if (!isJson(output)) return [problem(at, 'is not an output declaration')];
  const valueProblems = output.Value === undefined ? [problem(at, 'has no Value')] : [];
  const exportProblems =
    output.Export === undefined || (isJson(output.Export) && output.Export.Name !== undefined)
      ? []
      : [problem(`${at}.Export`, 'needs a Name')];
  return [...unknownKeys(output, OUTPUT_KEYS, at, 'output attribute'), ...valueProblems, ...exportProblems];
}

function transformProblems(template: Template, spec: ResourceSpec): Problem[] {
  const declared = transformsOf(template);
  return Object.entries(template.Resources ?? {}).flatMap(([id, resource]) => {
    if (!isJson(resource) || typeof resource.Type !== 'string') return [];
    const needed = spec.schemaOf(resource.Type)?.transform;
    if (needed === undefined || declared.includes(needed)) return [];
    return [problem(`Resources.${id}.Type`, `${resource.Type} needs "Transform: ${needed}" in the template`)];
  });
}

function unknownKeys(object: Json, known: readonly string[], at: string, what: string): Problem[] {
  return Object.keys(object)
    .filter((key) => !known.includes(key))
    .map((key) => problem(`${at}.${key}`, `unknown ${what} ${key}`));
}
