// The release people install instead of cloning: the provider templates with their code beside them,
// as one versioned, checksummed folder that `sam package` + `sam publish` take unchanged.
//
//   npm run package                      → builds the bundles, then writes release/<version>/
//   npx tsx scripts/release/package.ts --out DIR [--dist DIR]   (no build; the bundles already in --dist)
//
// release/<version>/
//   trust-link-provider.yaml  snowflake-provider.yaml   CodeUri, ReadmeUrl and LicenseUrl point inside the folder
//   trust-link/  snowflake/                              the bundles npm test runs (dist/<name>/)
//   README.md  LICENSE                                   docs/adding-a-link.md and the license, for the repository page
//   SHA256SUMS                                           `sha256sum -c SHA256SUMS` checks every other file

import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** One provider: its template in providers/ and the bundle its function runs. */
interface ProviderSource {
  template: string;
  bundle: string;
}

/** The providers a release holds. */
export const PROVIDERS: readonly ProviderSource[] = [
  { template: 'trust-link-provider.yaml', bundle: 'trust-link' },
  { template: 'snowflake-provider.yaml', bundle: 'snowflake' },
];

/** A release folder could not be written as asked. */
export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
}

/** What to package, and where. */
export interface PackageOptions {
  /** The folder to write; replaced if it exists. */
  outDir: string;
  /** The version the templates' SemanticVersion carries; default package.json's. */
  version?: string;
  /** Where the bundles are (dist/<name>/index.mjs); default the repository's dist/. */
  distDir?: string;
}

/** package.json's version. */
export function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  return version;
}

/** Writes the release folder; returns the files listed in SHA256SUMS, relative to it. */
export function packageRelease({ outDir, version = packageVersion(), distDir }: PackageOptions): string[] {
  const dist = distDir ?? path.join(ROOT, 'dist');
  for (const { bundle } of PROVIDERS) {
    if (!existsSync(path.join(dist, bundle, 'index.mjs')))
      throw new ReleaseError(`${path.join(dist, bundle, 'index.mjs')} is missing: run npm run build first.`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const { template, bundle } of PROVIDERS) {
    cpSync(path.join(dist, bundle), path.join(outDir, bundle), { recursive: true });
    const text = readFileSync(path.join(ROOT, 'providers', template), 'utf8');
    writeFileSync(path.join(outDir, template), releasedTemplate(text, bundle, version));
  }
  cpSync(path.join(ROOT, 'docs', 'adding-a-link.md'), path.join(outDir, 'README.md'));
  cpSync(path.join(ROOT, 'LICENSE'), path.join(outDir, 'LICENSE'));
  const files = filesUnder(outDir).sort();
  const sums = files.map((file) => `${sha256(path.join(outDir, file))}  ${file}\n`).join('');
  writeFileSync(path.join(outDir, 'SHA256SUMS'), sums);
  return files;
}

/**
 * A provider template as released: its paths inside the release folder and the release's version. The
 * text is edited line by line, so that its comments stay; a line not found is an error, not a silent skip.
 */
export function releasedTemplate(text: string, bundle: string, version: string): string {
  const edits: Array<[RegExp, string]> = [
    [/^( +CodeUri: )\.\.\/dist\/[\w-]+\/$/m, `$1${bundle}/`],
    [/^( +LicenseUrl: )\.\.\/LICENSE$/m, '$1LICENSE'],
    [/^( +ReadmeUrl: )\.\.\/docs\/adding-a-link\.md$/m, '$1README.md'],
    [/^( +SemanticVersion: ).+$/m, `$1${version}`],
  ];
  return edits.reduce((result, [pattern, replacement]) => {
    if (!pattern.test(result))
      throw new ReleaseError(`The provider template has no line matching ${pattern}.`);
    return result.replace(pattern, replacement);
  }, text);
}

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const relative = prefix === '' ? name : `${prefix}/${name}`;
    return statSync(path.join(dir, name)).isDirectory()
      ? filesUnder(path.join(dir, name), relative)
      : [relative];
  });
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

if (require.main === module) {
  try {
    const args = process.argv.slice(2);
    const version = packageVersion();
    const outDir = path.resolve(option(args, '--out') ?? path.join(ROOT, 'release', version));
    const distDir = option(args, '--dist');
    const files = packageRelease({ outDir, version, ...(distDir ? { distDir: path.resolve(distDir) } : {}) });
    console.log(
      `${path.relative(process.cwd(), outDir) || '.'}: ${files.length} files, version ${version}, SHA256SUMS`,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
