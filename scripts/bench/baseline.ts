// The bare baseline the benchmark compares against: the SDK clients and commands a function uses, and
// nothing else, bundled the plain way (one CommonJS file, esbuild's defaults for Node.js, minified).
import { join } from 'node:path';
import { build } from 'esbuild';

/** A client of the AWS SDK a function creates, and the commands it sends with it (read by sdk-imports.ts). */
export interface SdkClient {
  module: string;
  client: string;
  commands: readonly string[];
}

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

/** Builds the bare bundle of `sdk` into `dir` and returns its path. */
export async function buildBareBundle(dir: string, sdk: readonly SdkClient[]): Promise<string> {
  const outfile = join(dir, 'index.js');
  await build({
    stdin: { contents: bareEntry(sdk), resolveDir: process.cwd(), sourcefile: 'bare-sdk.js', loader: 'js' },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
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
