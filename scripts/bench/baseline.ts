// The bare baselines the benchmark compares against: the SDK clients and commands a function uses, and
// nothing else, bundled the plain ways: one CommonJS file (esbuild's defaults for Node.js), and one ES module
// file (the format ours is in, without its chunks). Both minified. The ES module one is the stronger: an ES
// module lets esbuild drop the SDK's unused code, as it does for ours, so our own gain is what is left.
import { join } from 'node:path';
import { build } from 'esbuild';

/** A client of the AWS SDK a function creates, and the commands it sends with it (read by sdk-imports.ts). */
export interface SdkClient {
  module: string;
  client: string;
  commands: readonly string[];
}

/** The bare bundle's format: `cjs` as most Lambda bundles are built, `esm` as ours is. */
export type BareFormat = 'cjs' | 'esm';

/** One SDK call as the probe makes it through the bare bundle: `new <client>({}).send(new <command>(input))`. */
export interface SdkCall {
  client: string;
  command: string;
  input: Record<string, unknown>;
}

/** The bare bundle's source: the clients and commands, imported as our handler imports them (ESM syntax). */
export function bareEntry(sdk: readonly SdkClient[]): string {
  const imports = sdk.map(
    ({ module, client, commands }) => `import { ${[client, ...commands].join(', ')} } from '${module}';`,
  );
  const clients = sdk.map(({ client }) => client).join(', ');
  const commands = sdk.flatMap(({ commands }) => commands).join(', ');
  return `${imports.join('\n')}\nexport const clients = { ${clients} };\nexport const commands = { ${commands} };\n`;
}

/** Builds the bare bundle of `sdk` in `format` into `dir` and returns its path. */
export async function buildBareBundle(
  dir: string,
  sdk: readonly SdkClient[],
  format: BareFormat,
): Promise<string> {
  const outfile = join(dir, format === 'esm' ? 'index.mjs' : 'index.js');
  await build({
    stdin: { contents: bareEntry(sdk), resolveDir: process.cwd(), sourcefile: 'bare-sdk.js', loader: 'js' },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format,
    // As scripts/build.mjs builds ours, less the chunks: the SDK's ES module builds, and require() for the
    // CommonJS dependencies that call it.
    ...(format === 'esm'
      ? {
          mainFields: ['module', 'main'],
          banner: {
            js: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);",
          },
        }
      : {}),
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}

/** A list of the bare bundle's clients, for the report. */
export function bareContents(sdk: readonly SdkClient[]): string {
  return sdk.map(({ client, commands }) => `${client} (${commands.join(', ')})`).join(', ');
}
