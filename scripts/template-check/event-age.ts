// A project rule, not a CloudFormation one: no asynchronous event may start a custom resource's work after
// CloudFormation stopped waiting for it. Lambda keeps a throttled event up to MaximumEventAgeInSeconds
// (default 6 hours: https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html), so
// each custom resource's ServiceTimeout must exceed that age plus its function's Timeout.
import { type Problem, problem } from './problem';
import { isJson, type Json, type Template } from './template';

/** Lambda's bounds of MaximumEventAgeInSeconds (https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html). */
export const EVENT_AGE_BOUNDS = { min: 60, max: 21_600 } as const;

const CUSTOM = /^(Custom::|AWS::CloudFormation::CustomResource$)/;
const FUNCTION = new Set(['AWS::Lambda::Function', 'AWS::Serverless::Function']);

/**
 * The template of a nested stack (a provider) by the logical id of the resource that nests it, for a
 * ServiceToken read from its outputs (`!GetAtt Provider.Outputs.ServiceToken`).
 */
export type NestedTemplates = (logicalId: string) => Template | undefined;

/** Every custom resource whose ServiceTimeout does not outlast its function's event age and Timeout. */
export function checkEventAge(template: Template, nested: NestedTemplates = () => undefined): Problem[] {
  const resources = template.Resources ?? {};
  return Object.entries(resources).flatMap(([id, resource]) => {
    if (!isJson(resource) || typeof resource.Type !== 'string' || !CUSTOM.test(resource.Type)) return [];
    return checkResource(template, id, isJson(resource.Properties) ? resource.Properties : {}, nested);
  });
}

function checkResource(template: Template, id: string, properties: Json, nested: NestedTemplates): Problem[] {
  const at = `Resources.${id}.Properties`;
  const served = servingFunction(template, properties.ServiceToken, nested);
  if (!served) return [problem(`${at}.ServiceToken`, 'names no function of this template')];
  const { id: fnId, properties: fn } = served;
  const serviceTimeout = numberOf(properties.ServiceTimeout);
  const timeout = numberOf(fn.Timeout);
  const age = numberOf(
    isJson(fn.EventInvokeConfig) ? fn.EventInvokeConfig.MaximumEventAgeInSeconds : undefined,
  );
  const missing = [
    ...(serviceTimeout === undefined ? [`${at}.ServiceTimeout`] : []),
    ...(timeout === undefined ? [`Resources.${fnId}.Properties.Timeout`] : []),
    ...(age === undefined ? [`Resources.${fnId}.Properties.EventInvokeConfig.MaximumEventAgeInSeconds`] : []),
  ];
  if (missing.length > 0) return missing.map((path) => problem(path, 'is missing: give it a number'));
  if (age === undefined || timeout === undefined || serviceTimeout === undefined) return [];
  if (age < EVENT_AGE_BOUNDS.min || age > EVENT_AGE_BOUNDS.max) {
    return [
      problem(
        `Resources.${fnId}.Properties.EventInvokeConfig.MaximumEventAgeInSeconds`,
        `${age} is outside Lambda's ${EVENT_AGE_BOUNDS.min}-${EVENT_AGE_BOUNDS.max}`,
      ),
    ];
  }
  if (serviceTimeout > age + timeout) return [];
  return [
    problem(
      `${at}.ServiceTimeout`,
      `${serviceTimeout} s is not more than ${fnId}'s MaximumEventAgeInSeconds + Timeout (${age} + ${timeout} s): an event Lambda held back could start after CloudFormation gave up`,
    ),
  ];
}

// The function a ServiceToken names: `!GetAtt Fn.Arn`, or a nested stack's output that is one.
function servingFunction(
  template: Template,
  serviceToken: unknown,
  nested: NestedTemplates,
): { id: string; properties: Json } | undefined {
  const [id, attribute] = getAttOf(serviceToken);
  if (id === undefined) return undefined;
  if (attribute === 'Arn') {
    const properties = functionProperties(template, id);
    return properties && { id, properties };
  }
  const output = attribute?.match(/^Outputs\.(.+)$/)?.[1];
  const child = output === undefined ? undefined : nested(id);
  const value = child?.Outputs?.[output as string]?.Value;
  const found = child && servingFunction(child, value, () => undefined);
  return found && { id: `${id}.${found.id}`, properties: found.properties };
}

// `!GetAtt Resource.Attribute`, in its long or short form.
function getAttOf(value: unknown): [string | undefined, string | undefined] {
  const getAtt = isJson(value) ? value['Fn::GetAtt'] : undefined;
  const [id, attribute] = Array.isArray(getAtt)
    ? getAtt
    : typeof getAtt === 'string'
      ? [getAtt.slice(0, getAtt.indexOf('.')), getAtt.slice(getAtt.indexOf('.') + 1)]
      : [];
  return typeof id === 'string' && typeof attribute === 'string' ? [id, attribute] : [undefined, undefined];
}

// SAM gives a serverless function the Globals.Function properties it does not set itself; a function made
// by the CDK has its asynchronous settings in an AWS::Lambda::EventInvokeConfig of its own.
function functionProperties(template: Template, id: string): Json | undefined {
  const resource = template.Resources?.[id];
  if (!isJson(resource) || !FUNCTION.has(String(resource.Type))) return undefined;
  const properties = isJson(resource.Properties) ? resource.Properties : {};
  const globals = (template as { Globals?: { Function?: unknown } }).Globals?.Function;
  const own =
    resource.Type === 'AWS::Serverless::Function' && isJson(globals)
      ? { ...globals, ...properties }
      : properties;
  const config = eventInvokeConfigOf(template, id);
  return own.EventInvokeConfig === undefined && config ? { ...own, EventInvokeConfig: config } : own;
}

// The AWS::Lambda::EventInvokeConfig of a function's unpublished version ($LATEST, which a ServiceToken's ARN runs).
function eventInvokeConfigOf(template: Template, fnId: string): Json | undefined {
  return Object.values(template.Resources ?? {}).flatMap((resource) => {
    if (!isJson(resource) || resource.Type !== 'AWS::Lambda::EventInvokeConfig') return [];
    const properties = isJson(resource.Properties) ? resource.Properties : {};
    const target = isJson(properties.FunctionName) ? properties.FunctionName.Ref : undefined;
    return target === fnId && properties.Qualifier === '$LATEST' ? [properties] : [];
  })[0];
}

function numberOf(value: unknown): number | undefined {
  const number = typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN;
  return value !== '' && Number.isFinite(number) ? number : undefined;
}
