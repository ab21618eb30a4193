// Every resource of a known type, with properties the specification declares, of the declared kinds,
// and the required ones present.
import { type Problem, problem } from './problem';
import { checkProperties, type ValueContext } from './property-values';
import { isJson, type Template } from './template';

/** Problems with resource types and their properties. */
export function checkResources(template: Template, ctx: ValueContext): Problem[] {
  return Object.entries(template.Resources ?? {}).flatMap(([id, resource]) => {
    if (!isJson(resource) || typeof resource.Type !== 'string') return [];
    const at = `Resources.${id}`;
    const schema = ctx.spec.schemaOf(resource.Type);
    if (schema === undefined) return [problem(`${at}.Type`, `unknown resource type ${resource.Type}`)];
    const properties = isJson(resource.Properties) ? resource.Properties : {};
    return checkProperties(properties, schema, `${at}.Properties`, ctx);
  });
}

/** The Type of each parameter, for telling a list from a string. */
export function parameterTypes(template: Template): Record<string, string> {
  return Object.fromEntries(
    Object.entries(template.Parameters ?? {}).map(([name, p]) => [name, isJson(p) ? String(p.Type) : '']),
  );
}
