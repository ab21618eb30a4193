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

/** Every custom resource whose ServiceTimeout does not outlast its function's event age and Timeout. */
export function checkEventAge(template: Template): Problem[] {
  const resources = template.Resources ?? {};
  return Object.entries(resources).flatMap(([id, resource]) => {
    if (!isJson(resource) || typeof resource.Type !== 'string' || !CUSTOM.test(resource.Type)) return [];
    return checkResource(template, id, isJson(resource.Properties) ? resource.Properties : {});
  });
}

function checkResource(template: Template, id: string, properties: Json): Problem[] {
  const at = `Resources.${id}.Properties`;
  const fnId = functionOf(properties.ServiceToken);
  const fn = fnId === undefined ? undefined : functionProperties(template, fnId);
  if (!fnId || !fn) return [problem(`${at}.ServiceToken`, 'names no function of this template')];
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

// `!GetAtt Fn.Arn`, in its long or short form.
function functionOf(serviceToken: unknown): string | undefined {
  const getAtt = isJson(serviceToken) ? serviceToken['Fn::GetAtt'] : undefined;
  const [id, attribute] = Array.isArray(getAtt)
    ? getAtt
    : typeof getAtt === 'string'
      ? getAtt.split('.')
      : [];
  return attribute === 'Arn' && typeof id === 'string' ? id : undefined;
}

// SAM gives a serverless function the Globals.Function properties it does not set itself.
function functionProperties(template: Template, id: string): Json | undefined {
  const resource = template.Resources?.[id];
  if (!isJson(resource) || !FUNCTION.has(String(resource.Type))) return undefined;
  const properties = isJson(resource.Properties) ? resource.Properties : {};
  const globals = (template as { Globals?: { Function?: unknown } }).Globals?.Function;
  return resource.Type === 'AWS::Serverless::Function' && isJson(globals)
    ? { ...globals, ...properties }
    : properties;
}

function numberOf(value: unknown): number | undefined {
  const number = typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN;
  return value !== '' && Number.isFinite(number) ? number : undefined;
}
