import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fixtures';

const run = promisify(execFile);

async function checkTemplates(...files: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/check-template.ts', ...files], {
      cwd: ROOT,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run check:template', () => {
  it('passes the project templates by default', async () => {
    const result = await checkTemplates();

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('template.yaml: ok\nexamples/storage-integration.yaml: ok\n');
  });

  it('names each problem with its place, and exits 1', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'check-template-')), 'broken.yaml');
    const broken = readFileSync(join(ROOT, 'template.yaml'), 'utf8').replace(
      'RetentionInDays: 30',
      'RetentionInDay: 30',
    );
    writeFileSync(file, broken);

    const result = await checkTemplates(file);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${file}: Resources.EchoLogGroup.Properties.RetentionInDay: unknown property RetentionInDay (did you mean RetentionInDays?)`,
    );
    expect(result.stdout).toBe(`${file}: 1 problem(s)\n`);
  });

  it.each([['--help'], ['-h']])('prints its usage for %s and checks nothing', async (option) => {
    const result = await checkTemplates(option);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run check:template \[-- \[file\.\.\.\]\]/);
    expect(result.stdout).not.toContain(': ok');
    expect(result.stderr).not.toContain('ENOENT');
  });

  it('refuses an unknown option with exit 2 instead of reading it as a file', async () => {
    const result = await checkTemplates('--strict');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "check:template: Unknown option '--strict'. Run npm run check:template -- --help",
    );
    expect(result.stdout).toBe('');
  });

  it('reports a file it cannot read as a problem', async () => {
    const result = await checkTemplates('no-such-template.yaml');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no-such-template.yaml: file: ENOENT');
  });
});
