// .ci/run with fake tools on PATH: npm records its calls, cfn-lint and moto_server are there or not. Under
// CI=true a missing checker fails the run before the tests; elsewhere its check is skipped, and said so.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const RUN = join(process.cwd(), '.ci/run');
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs .ci/run with only the given fake tools (and the shell utilities it uses) on PATH. */
function ciRun(tools: string[], env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'ci-run-'));
  dirs.push(dir);
  const log = join(dir, 'calls');
  writeFileSync(log, '');
  for (const utility of ['dirname', 'seq', 'sleep', 'cat', 'kill']) {
    const found = ['/usr/bin', '/bin']
      .map((d) => join(d, utility))
      .find((path) => spawnSync('test', ['-x', path]).status === 0);
    if (found !== undefined) symlinkSync(found, join(dir, utility));
  }
  for (const tool of ['npm', 'curl', ...tools]) {
    writeFileSync(join(dir, tool), `#!/bin/sh\necho "${tool} $*" >> ${log}\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  const result = spawnSync('/bin/bash', [RUN], { encoding: 'utf8', env: { PATH: dir, ...env } });
  return { ...result, calls: readFileSync(log, 'utf8').trim().split('\n') };
}

describe('.ci/run', () => {
  it.each([
    ['cfn-lint', ['moto_server']],
    ['moto_server', ['cfn-lint']],
  ])('fails under CI=true when %s is missing, before the tests run', (missing, present) => {
    const run = ciRun(present, { CI: 'true' });

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`CI=true: ${missing} is not installed`);
    expect(run.calls).not.toContain('npm test');
  });

  it('skips a missing checker outside CI, saying so, and runs the tests', () => {
    const run = ciRun([], {});

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('cfn-lint is not installed: cfn-lint on the templates skipped');
    expect(run.stdout).toContain("moto_server is not installed: the stand-ins' check against moto skipped");
    expect(run.calls).toContain('npm test');
  });

  it('runs every check under CI=true when the tools are there', () => {
    const run = ciRun(['cfn-lint', 'moto_server'], { CI: 'true' });

    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      'npm ci --no-audit --no-fund',
      'npm run lint',
      'npm run typecheck',
      'npm run check:template',
      // Every template users deploy or nest: the providers and the examples too.
      [
        'cfn-lint template.yaml',
        'providers/snowflake-provider.yaml providers/trust-link-provider.yaml',
        'examples/nested-provider.yaml examples/nested-snowflake-provider.yaml examples/storage-integration.yaml',
      ].join(' '),
      'moto_server -p 5077',
      'curl -sf -o /dev/null http://127.0.0.1:5077/',
      'npm run check:stand-ins -- --moto http://127.0.0.1:5077',
      'npm test',
    ]);
  });
});
