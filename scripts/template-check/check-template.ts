// All checks of a template against the resource specification, as one list of problems.
import { checkCycles } from './check-cycles';
import { checkReferences } from './check-references';
import { checkResources, parameterTypes } from './check-resources';
import { checkStructure } from './check-structure';
import type { Problem } from './problem';
import { type ResourceSpec, resourceSpec } from './spec';
import type { Template } from './template';

/** Everything CloudFormation (or SAM) would refuse that the checks can see; empty when none. */
export function checkTemplate(template: Template, spec: ResourceSpec = resourceSpec()): Problem[] {
  return [
    ...checkStructure(template, spec),
    ...checkResources(template, { spec, parameterTypes: parameterTypes(template) }),
    ...checkReferences(template, spec),
    ...checkCycles(template),
  ];
}
