// Runs the real `npm run link` entry as a child process, with fake sam, snow and aws on PATH that
// record their arguments and print canned output. PATH holds only the fakes, so no real tool (and
// never real AWS) can be reached.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/describe');
const LINK_ENTRY = join(PROJECT_ROOT, 'scripts/link.ts');
const TSX_LOADER = pathToFileURL(join(PROJECT_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export type ToolName = 'sam' | 'snow' | 'aws';

export interface FakeTool {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The argument lists each fake tool was called with, in order. */
  readonly calls: (tool: ToolName) => string[][];
  /** The AWS_PAGER each fake tool saw, in order. */
  readonly pagers: (tool: ToolName) => (string | undefined)[];
}

interface CallRecord {
  readonly tool: ToolName;
  readonly args: string[];
  readonly pager?: string;
}

/** A scratch project directory with a bin/ of fake tools; the CLI runs with it as cwd. */
export class FakeProject {
  readonly dir = mkdtempSync(join(tmpdir(), 'link-cli-'));
  readonly bin = join(this.dir, 'bin');
  private readonly log = join(this.dir, 'calls.jsonl');

  constructor(tools: Partial<Record<ToolName, FakeTool>>) {
    mkdirSync(this.bin);
    for (const [name, fake] of Object.entries(tools)) this.writeTool(name, fake);
  }

  /** Writes a file into the project (samconfig.toml, an input file). */
  write(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  run(args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): CliRun {
    writeFileSync(this.log, '');
    const result = spawnSync(process.execPath, ['--import', TSX_LOADER, LINK_ENTRY, ...args], {
      cwd: this.dir,
      input: options.input ?? '',
      encoding: 'utf8',
      env: { PATH: this.bin, HOME: this.dir, ...options.env },
    });
    const calls = this.calls();
    return {
      status: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
      calls: (tool) => calls.filter((call) => call.tool === tool).map((call) => call.args),
      pagers: (tool) => calls.filter((call) => call.tool === tool).map((call) => call.pager),
    };
  }

  /** Runs a command line with sh, with only the fakes on PATH; returns the calls it made. */
  shell(commandLine: string): CliRun['calls'] {
    writeFileSync(this.log, '');
    spawnSync('/bin/sh', ['-c', commandLine], { cwd: this.dir, env: { PATH: this.bin } });
    const calls = this.calls();
    return (tool) => calls.filter((call) => call.tool === tool).map((call) => call.args);
  }

  private writeTool(name: string, fake: FakeTool): void {
    const path = join(this.bin, name);
    const script = [
      `#!${process.execPath}`,
      `require('node:fs').appendFileSync(${JSON.stringify(this.log)}, JSON.stringify({ tool: ${JSON.stringify(name)}, args: process.argv.slice(2), pager: process.env.AWS_PAGER }) + '\\n');`,
      `process.stdout.write(${JSON.stringify(fake.stdout ?? '')});`,
      `process.stderr.write(${JSON.stringify(fake.stderr ?? '')});`,
      `process.exitCode = ${fake.exitCode ?? 0};`,
      '',
    ].join('\n');
    writeFileSync(path, script);
    chmodSync(path, 0o755);
  }

  private calls(): CallRecord[] {
    if (!existsSync(this.log)) return [];
    return readFileSync(this.log, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));
  }
}

/** The text of a fixture under test/fixtures/describe. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}
