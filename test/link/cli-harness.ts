// Runs the real `npm run link` entry as a child process, with fake sam and snow on PATH that record
// their arguments and print canned output, and the AWS SDK pointed at a loopback stand-in for
// CloudFormation (describe-stacks-server.ts). PATH holds only the fakes, and the SDK's only endpoint
// is the stand-in, so no real tool and never real AWS can be reached.

import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/describe');
const LINK_ENTRY = join(PROJECT_ROOT, 'scripts/link.ts');
const TSX_LOADER = pathToFileURL(join(PROJECT_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export type ToolName = 'sam' | 'snow';

/** The role the DESCRIBE fixtures name (API_AWS_ROLE_ARN, STORAGE_AWS_ROLE_ARN). */
export const FIXTURE_ROLE_ARN = 'arn:aws:iam::001234567890:role/myrole';
/** The project's templates and the storage example's samconfig, copied into each fake project as they are. */
const TEMPLATES = ['template.yaml', 'examples/storage-integration.yaml', 'examples/samconfig.toml'];

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
}

export interface RunOptions {
  readonly input?: string;
  /** Added to the environment; a value of undefined removes a variable the harness sets. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface CallRecord {
  readonly tool: ToolName;
  readonly args: string[];
}

/**
 * A scratch project directory with the project's templates and a bin/ of fake tools; the CLI runs
 * with it as cwd, with credentials, a region and the CloudFormation endpoint given.
 */
export class FakeProject {
  readonly dir = mkdtempSync(join(tmpdir(), 'link-cli-'));
  readonly bin = join(this.dir, 'bin');
  private readonly log = join(this.dir, 'calls.jsonl');

  constructor(
    tools: Partial<Record<ToolName, FakeTool>>,
    /** The stand-in CloudFormation endpoint (DescribeStacksServer.url). */
    private readonly cloudformationUrl: string,
    /** What node runs before the arguments: npm run link's entry under tsx, unless a built binary is given. */
    private readonly entry: readonly string[] = ['--import', TSX_LOADER, LINK_ENTRY],
  ) {
    mkdirSync(this.bin);
    mkdirSync(join(this.dir, 'examples'));
    for (const template of TEMPLATES) copyFileSync(join(PROJECT_ROOT, template), join(this.dir, template));
    for (const [name, fake] of Object.entries(tools)) this.writeTool(name, fake);
  }

  /** Writes a file into the project (samconfig.toml, an input file). */
  write(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** Runs the link without blocking, so a stand-in server in this process can answer it. */
  async run(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
    writeFileSync(this.log, '');
    const child = spawn(process.execPath, [...this.entry, ...args], {
      cwd: this.dir,
      env: this.environment(options.env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.stdin.end(options.input ?? '');
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const calls = this.calls();
    return {
      status,
      stdout,
      stderr,
      calls: (tool) => calls.filter((call) => call.tool === tool).map((call) => call.args),
    };
  }

  private environment(extra: RunOptions['env'] = {}): Record<string, string> {
    const env: Record<string, string | undefined> = {
      PATH: this.bin,
      HOME: this.dir,
      AWS_ENDPOINT_URL_CLOUDFORMATION: this.cloudformationUrl,
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_REGION: 'eu-west-1',
      // Without credentials the SDK would ask the EC2 instance metadata service, which is not here.
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...extra,
    };
    return Object.fromEntries(
      Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
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
      `require('node:fs').appendFileSync(${JSON.stringify(this.log)}, JSON.stringify({ tool: ${JSON.stringify(name)}, args: process.argv.slice(2) }) + '\\n');`,
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
