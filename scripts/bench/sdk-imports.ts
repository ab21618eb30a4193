// Which SDK clients and commands a function uses (the link, the Snowflake side), read from its source: the
// files esbuild puts in its bundle, and their `import { … } from '@aws-sdk/client-…'`. The bare bundle then
// holds the same, whatever client the handler takes up next.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import ts from 'typescript';
import type { SdkClient } from './baseline';

const SDK_CLIENT = /^@aws-sdk\/client-/;

/** The SDK clients and commands imported by the files bundled from `entry`. */
export async function sdkImports(entry: string): Promise<SdkClient[]> {
  const used = new Map<string, Set<string>>();
  for (const file of await bundledSources(entry)) {
    for (const [module, names] of sdkImportsOf(file)) {
      const all = used.get(module) ?? new Set<string>();
      for (const name of names) all.add(name);
      used.set(module, all);
    }
  }
  return [...used].sort().map(([module, names]) => clientOf(entry, module, [...names].sort()));
}

// The project's own files in the bundle (not node_modules), as esbuild resolves them.
async function bundledSources(entry: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  return Object.keys(metafile.inputs).filter(
    (file) => !file.includes('node_modules') && file.endsWith('.ts'),
  );
}

// Value imports only: `import type` brings nothing into the bundle.
function sdkImportsOf(file: string): Map<string, string[]> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found = new Map<string, string[]>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const module = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (!SDK_CLIENT.test(module) || clause === undefined || clause.isTypeOnly) continue;
    const bindings = clause.namedBindings;
    if (bindings === undefined || !ts.isNamedImports(bindings)) continue;
    const names = bindings.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text);
    found.set(module, [...(found.get(module) ?? []), ...names]);
  }
  return found;
}

function clientOf(entry: string, module: string, names: string[]): SdkClient {
  const client = names.find((name) => name.endsWith('Client'));
  if (client === undefined) throw new Error(`${entry} imports commands of ${module} but not its client.`);
  return { module, client, commands: names.filter((name) => name.endsWith('Command')) };
}
