// npm run package: the provider templates and their bundles as one versioned, checksummed folder.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplate } from '../../lab/cloudformation';
import {
  packageRelease,
  packageVersion,
  ReleaseError,
  releasedTemplate,
} from '../../scripts/release/package';

let work: string;
let dist: string;

// Bundles as npm run build leaves them, without building: a module and a chunk per function.
function fakeDist(dir: string, text: string): string {
  for (const bundle of ['trust-link', 'snowflake']) {
    mkdirSync(path.join(dir, bundle, 'chunks'), { recursive: true });
    writeFileSync(
      path.join(dir, bundle, 'index.mjs'),
      `export const handler = async () => '${bundle} ${text}';\n`,
    );
    writeFileSync(path.join(dir, bundle, 'chunks', 'sts-ABC.mjs'), `// ${bundle} chunk\n`);
  }
  return dir;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'release-'));
  dist = fakeDist(path.join(work, 'dist'), 'v1');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run package', () => {
  it('writes both providers, their bundles, README, LICENSE and SHA256SUMS of every other file', () => {
    const out = path.join(work, 'out');

    const files = packageRelease({ outDir: out, distDir: dist });

    expect(files).toEqual([
      'LICENSE',
      'README.md',
      'snowflake-provider.yaml',
      'snowflake/chunks/sts-ABC.mjs',
      'snowflake/index.mjs',
      'trust-link-provider.yaml',
      'trust-link/chunks/sts-ABC.mjs',
      'trust-link/index.mjs',
    ]);
    const sums = readFileSync(path.join(out, 'SHA256SUMS'), 'utf8').trimEnd().split('\n');
    expect(sums).toEqual(files.map((file) => `${sha256(path.join(out, file))}  ${file}`));
    expect(readFileSync(path.join(out, 'LICENSE'), 'utf8')).toBe(readFileSync('LICENSE', 'utf8'));
  });

  it('points each template’s code, readme and license inside the folder, at package.json’s version', () => {
    const out = path.join(work, 'paths');
    packageRelease({ outDir: out, distDir: dist });

    for (const [file, bundle] of [
      ['trust-link-provider.yaml', 'trust-link'],
      ['snowflake-provider.yaml', 'snowflake'],
    ] as const) {
      const template = loadTemplate(path.join(out, file));
      const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Serverless::Function');
      expect(fn?.Properties?.CodeUri).toBe(`${bundle}/`);
      expect(existsSync(path.join(out, bundle, 'index.mjs'))).toBe(true);
      const metadata = (template as { Metadata?: Record<string, Record<string, unknown>> }).Metadata?.[
        'AWS::ServerlessRepo::Application'
      ];
      expect(metadata).toMatchObject({
        LicenseUrl: 'LICENSE',
        ReadmeUrl: 'README.md',
        SemanticVersion: packageVersion(),
      });
    }
  });

  it('keeps the templates as written otherwise: comments and every other line', () => {
    const source = readFileSync('providers/trust-link-provider.yaml', 'utf8');

    const released = releasedTemplate(source, 'trust-link', '9.9.9');

    const changed = source.split('\n').filter((line, i) => line !== released.split('\n')[i]);
    expect(changed.map((line) => line.trim().split(':')[0])).toEqual([
      'LicenseUrl',
      'ReadmeUrl',
      'SemanticVersion',
      'CodeUri',
    ]);
  });

  it('writes the same checksums for the same inputs, and others for other code', () => {
    packageRelease({ outDir: path.join(work, 'a'), distDir: dist });
    packageRelease({ outDir: path.join(work, 'b'), distDir: dist });
    packageRelease({ outDir: path.join(work, 'c'), distDir: fakeDist(path.join(work, 'dist2'), 'v2') });

    const sums = (dir: string) => readFileSync(path.join(work, dir, 'SHA256SUMS'), 'utf8');
    expect(sums('a')).toBe(sums('b'));
    expect(sums('c')).not.toBe(sums('a'));
  });

  it('replaces an earlier folder instead of mixing files of two builds', () => {
    const out = path.join(work, 'again');
    packageRelease({ outDir: out, distDir: dist });
    writeFileSync(path.join(out, 'trust-link', 'stale.mjs'), '');

    const files = packageRelease({ outDir: out, distDir: dist });

    expect(files).not.toContain('trust-link/stale.mjs');
    expect(existsSync(path.join(out, 'trust-link', 'stale.mjs'))).toBe(false);
  });

  it('refuses to package without the bundles, and writes nothing', () => {
    const out = path.join(work, 'none');

    expect(() => packageRelease({ outDir: out, distDir: path.join(work, 'missing') })).toThrow(ReleaseError);
    expect(() => packageRelease({ outDir: out, distDir: path.join(work, 'missing') })).toThrow(
      'run npm run build first',
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a template whose lines it would have to guess', () => {
    expect(() => releasedTemplate('Resources: {}\n', 'trust-link', '1.0.0')).toThrow(ReleaseError);
  });
});

describe('version 0.2.0', () => {
  it('is package.json’s version, with its CHANGELOG entry', () => {
    expect(packageVersion()).toBe('0.2.0');
    expect(readFileSync('CHANGELOG.md', 'utf8')).toMatch(/^## 0\.2\.0\b/m);
  });

  it('ships the Apache License 2.0 in full, the license README and package.json name', () => {
    const license = readFileSync('LICENSE', 'utf8');
    expect(license).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    expect(createHash('md5').update(license).digest('hex')).toBe('86d3f3a95c324c9479bd8986968f4327');
    expect(readFileSync('README.md', 'utf8')).toContain('License: Apache-2.0');
    expect(JSON.parse(readFileSync('package.json', 'utf8')).license).toBe('Apache-2.0');
  });
});
