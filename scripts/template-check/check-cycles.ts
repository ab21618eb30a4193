// No resource may depend on itself through Ref, Fn::GetAtt, Fn::Sub or DependsOn: CloudFormation
// refuses such a template ("Circular dependency between resources").
import { dependsOnOf } from './check-references';
import { referencesIn } from './intrinsics';
import { type Problem, problem } from './problem';
import { isJson, type Template } from './template';

/** The resources each resource depends on, by logical id. */
export function dependencyGraph(template: Template): Map<string, Set<string>> {
  const resources = template.Resources ?? {};
  const graph = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    if (!isJson(resource)) continue;
    const referenced = referencesIn(resource.Properties, id).flatMap((ref) =>
      ref.kind === 'Ref' || ref.kind === 'GetAtt' ? [ref.target] : [],
    );
    graph.set(id, new Set([...referenced, ...dependsOnOf(resource)].filter((target) => target in resources)));
  }
  return graph;
}

/** One problem per dependency cycle, naming its resources in order. */
export function checkCycles(template: Template): Problem[] {
  return findCycles(dependencyGraph(template)).map((cycle) =>
    problem(`Resources.${cycle[0]}`, `circular dependency: ${[...cycle, cycle[0]].join(' -> ')}`),
  );
}

/** Cycles of a directed graph, each once, as found by depth-first search. */
export function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const done = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string, path: string[]): void => {
    const start = path.indexOf(node);
    if (start >= 0) {
      cycles.push(path.slice(start));
      return;
    }
    if (done.has(node)) return;
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    done.add(node);
  };
  for (const node of graph.keys()) visit(node, []);
  return cycles;
}
