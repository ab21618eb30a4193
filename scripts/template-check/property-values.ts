// Whether a property value is of the kind the specification declares: a string, a number, a list, an
// object with known properties... An intrinsic function counts as the kind of value it gives.
import type { Property, PropertyType } from '@aws-cdk/service-spec-types';
import { intrinsicName } from './intrinsics';
import { type Problem, problem } from './problem';
import type { ResourceSpec } from './spec';
import { isJson, type Json } from './template';

/** What the checker needs besides the value: the spec, and the parameters' types for Ref. */
export interface ValueContext {
  readonly spec: ResourceSpec;
  readonly parameterTypes: Readonly<Record<string, string>>;
}

/** An object's properties against the ones a type declares. */
export interface ObjectShape {
  readonly properties: Readonly<Record<string, Property>>;
  readonly closed: boolean;
  readonly requiredOneOf: readonly (readonly string[])[];
}

/** Problems of an object of properties: unknown names, missing required ones, values of the wrong kind. */
export function checkProperties(value: Json, shape: ObjectShape, at: string, ctx: ValueContext): Problem[] {
  const known = Object.keys(shape.properties);
  const given = Object.keys(value);
  const unknown = shape.closed
    ? given
        .filter((name) => !known.includes(name))
        .map((name) => problem(`${at}.${name}`, unknownMessage(name, known)))
    : [];
  const missing = Object.entries(shape.properties)
    .filter(([name, property]) => property.required && !given.includes(name))
    .map(([name]) => problem(at, `missing required property ${name}`));
  const missingOneOf = shape.requiredOneOf
    .filter((names) => !names.some((name) => given.includes(name)))
    .map((names) => problem(at, `needs one of the properties ${names.join(', ')}`));
  const values = given.flatMap((name) => {
    const property = shape.properties[name];
    return property ? checkValue(value[name], property.type, `${at}.${name}`, ctx) : [];
  });
  return [...unknown, ...missing, ...missingOneOf, ...values];
}

/** Problems of one value against a declared type. */
export function checkValue(value: unknown, type: PropertyType, at: string, ctx: ValueContext): Problem[] {
  const fn = intrinsicName(value);
  if (fn === 'Fn::If') return checkBranches((value as Json)[fn], type, at, ctx);
  if (fn !== undefined) {
    const kind = producedKind(fn, (value as Json)[fn], ctx);
    return kindFits(kind, type, ctx)
      ? []
      : [problem(at, `${fn} gives ${kind}, but ${describe(type, ctx)} is expected`)];
  }
  switch (type.type) {
    case 'string':
    case 'date-time':
      return isScalar(value) ? [] : [mismatch(value, type, at, ctx)];
    case 'number':
      return isNumeric(value) ? [] : [mismatch(value, type, at, ctx)];
    case 'integer':
      return isNumeric(value) && Number.isInteger(Number(value)) ? [] : [mismatch(value, type, at, ctx)];
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false'
        ? []
        : [mismatch(value, type, at, ctx)];
    case 'json':
      return [];
    case 'null':
      return value === null ? [] : [mismatch(value, type, at, ctx)];
    case 'tag':
      return isJson(value) ? checkProperties(value, TAG_SHAPE, at, ctx) : [mismatch(value, type, at, ctx)];
    case 'array':
      if (!Array.isArray(value)) return [mismatch(value, type, at, ctx)];
      return value.flatMap((item, i) => checkValue(item, type.element, `${at}[${i}]`, ctx));
    case 'map':
      if (!isJson(value)) return [mismatch(value, type, at, ctx)];
      return Object.entries(value).flatMap(([key, item]) =>
        checkValue(item, type.element, `${at}.${key}`, ctx),
      );
    case 'ref': {
      if (!isJson(value)) return [mismatch(value, type, at, ctx)];
      const shape = { properties: ctx.spec.definition(type).properties, closed: true, requiredOneOf: [] };
      return checkProperties(value, shape, at, ctx);
    }
    case 'union':
      return checkUnion(value, type.types, at, ctx);
  }
}

const TAG_SHAPE: ObjectShape = {
  properties: {
    Key: { type: { type: 'string' }, required: true },
    Value: { type: { type: 'string' }, required: true },
  },
  closed: true,
  requiredOneOf: [],
};

function checkBranches(args: unknown, type: PropertyType, at: string, ctx: ValueContext): Problem[] {
  if (!Array.isArray(args) || args.length !== 3) return [];
  return [
    checkValue(args[1], type, `${at}.Fn::If[1]`, ctx),
    checkValue(args[2], type, `${at}.Fn::If[2]`, ctx),
  ].flat();
}

function checkUnion(
  value: unknown,
  types: readonly PropertyType[],
  at: string,
  ctx: ValueContext,
): Problem[] {
  const results = types.map((type) => checkValue(value, type, at, ctx));
  if (results.some((problems) => problems.length === 0)) return [];
  // Report against the member of the value's own shape: its problems say more than "none matched".
  const sameShape = types.findIndex((type) => shapeOf(type) === shapeOfValue(value));
  return results[sameShape] ?? [mismatch(value, { type: 'union', types: [...types] }, at, ctx)];
}

type Kind = 'a string' | 'a list' | 'a value';

function producedKind(fn: string, args: unknown, ctx: ValueContext): Kind {
  if (fn === 'Ref') return refKind(args, ctx);
  if (['Fn::Split', 'Fn::GetAZs', 'Fn::Cidr'].includes(fn)) return 'a list';
  if (['Fn::Sub', 'Fn::Join', 'Fn::Base64', 'Fn::ImportValue', 'Fn::ToJsonString'].includes(fn))
    return 'a string';
  return 'a value';
}

function refKind(name: unknown, ctx: ValueContext): Kind {
  if (typeof name !== 'string') return 'a value';
  if (name === 'AWS::NotificationARNs') return 'a list';
  const type = ctx.parameterTypes[name];
  if (type === undefined) return 'a string';
  return type === 'CommaDelimitedList' || type.includes('List<') ? 'a list' : 'a string';
}

function kindFits(kind: Kind, type: PropertyType, ctx: ValueContext): boolean {
  if (kind === 'a value' || type.type === 'json') return true;
  if (type.type === 'union') return type.types.some((member) => kindFits(kind, member, ctx));
  if (kind === 'a list') return type.type === 'array';
  return ['string', 'number', 'integer', 'boolean', 'date-time'].includes(type.type);
}

function shapeOf(type: PropertyType): string {
  if (type.type === 'array') return 'list';
  if (['ref', 'map', 'tag', 'json'].includes(type.type)) return 'object';
  return 'scalar';
}

function shapeOfValue(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  return isJson(value) ? 'object' : 'scalar';
}

function isScalar(value: unknown): boolean {
  return ['string', 'number', 'boolean'].includes(typeof value);
}

function isNumeric(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
}

function mismatch(value: unknown, type: PropertyType, at: string, ctx: ValueContext): Problem {
  return problem(at, `is ${describeValue(value)}, but ${describe(type, ctx)} is expected`);
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isJson(value)) return 'an object';
  if (value === null) return 'null';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function describe(type: PropertyType, ctx: ValueContext): string {
  switch (type.type) {
    case 'array':
      return `a list of (${describe(type.element, ctx)})`;
    case 'map':
      return `a map of (${describe(type.element, ctx)})`;
    case 'ref':
      return `${ctx.spec.definition(type).name} (an object)`;
    case 'union':
      return type.types.map((member) => describe(member, ctx)).join(' or ');
    case 'tag':
      return 'a {Key, Value} tag';
    case 'integer':
      return 'an integer';
    default:
      return `a ${type.type}`;
  }
}

function unknownMessage(name: string, known: readonly string[]): string {
  const meant = known.find((candidate) => closeEnough(name, candidate));
  const hint = meant ? ` (did you mean ${meant}?)` : '';
  return `unknown property ${name}${hint}`;
}

/** Same name but for case, or at most two edits apart: a likely misspelling. */
function closeEnough(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  return Math.abs(a.length - b.length) <= 2 && editDistance(a.toLowerCase(), b.toLowerCase()) <= 2;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
