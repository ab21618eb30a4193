// Runs work over resources in dependency order, in parallel where the order allows, as
// CloudFormation does: a node starts once everything it depends on is done; after the first
// failure, nothing new starts and the running work finishes.

/** Which other nodes each node needs done first. */
export type Dependencies = Map<string, Set<string>>;

/**
 * Runs `work` on every node in `dependencies`, each after its dependencies (or, with `reverse`, after
 * its dependents). Resolves with the nodes that completed and the first failure, if any.
 */
export async function runInOrder(
  dependencies: Dependencies,
  work: (node: string) => Promise<void>,
  { reverse = false }: { reverse?: boolean } = {},
): Promise<{ completed: string[]; failure?: unknown }> {
  const waitsFor = reverse ? invert(dependencies) : dependencies;
  const completed: string[] = [];
  const started = new Set<string>();
  let failure: unknown;
  let failed = false;
  await new Promise<void>((allDone) => {
    let running = 0;
    const launch = () => {
      for (const [node, needs] of waitsFor) {
        if (failed || started.has(node) || ![...needs].every((n) => completed.includes(n))) continue;
        started.add(node);
        running += 1;
        work(node)
          .then(
            () => completed.push(node),
            (error: unknown) => {
              if (!failed) failure = error;
              failed = true;
            },
          )
          .finally(() => {
            running -= 1;
            launch();
            if (running === 0) allDone();
          });
      }
      if (running === 0) allDone();
    };
    launch();
  });
  return failed ? { completed, failure } : { completed };
}

function invert(dependencies: Dependencies): Dependencies {
  const dependents: Dependencies = new Map([...dependencies.keys()].map((node) => [node, new Set<string>()]));
  for (const [node, needs] of dependencies) {
    for (const need of needs) dependents.get(need)?.add(node);
  }
  return dependents;
}

/** The names a value refers to through Ref, Fn::GetAtt and Fn::Sub (not pseudo parameters, not Sub's own variables). */
export function referencedNames(value: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const item of v) visit(item);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    for (const [key, argument] of Object.entries(v)) {
      if (key === 'Ref' && typeof argument === 'string') names.add(argument);
      else if (key === 'Fn::GetAtt')
        names.add(String(Array.isArray(argument) ? argument[0] : String(argument).split('.')[0]));
      else if (key === 'Fn::Sub') {
        const [text, variables = {}] = Array.isArray(argument) ? argument : [argument];
        for (const [, name = ''] of String(text).matchAll(/\$\{([^!}][^}.]*)/g)) {
          if (!name.startsWith('AWS::') && !(name in (variables as object))) names.add(name);
        }
        visit(variables);
      } else visit(argument);
    }
  };
  visit(value);
  return names;
}
