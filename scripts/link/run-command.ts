// The only module that starts other programs (sam, snow). Always with an argument list and no
// shell, so no value is ever read by a shell.

import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { ToolError } from './errors';

export type Tool = 'sam' | 'snow';

export interface Captured {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

const INSTALL_HINT: Record<Tool, string> = {
  sam: 'install the AWS SAM CLI, or use --dry-run to print the command',
  snow: 'install Snowflake CLI, or pipe DESCRIBE INTEGRATION output in / give --from FILE',
};

/** Runs a tool and returns what it printed; throws ToolError when it cannot be started. */
export function capture(tool: Tool, args: readonly string[]): Captured {
  const result = spawnSync(tool, args, {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    stdio: 'pipe',
  });
  if (result.error) throw startError(tool, result.error);
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs a tool on this terminal (it may ask to confirm) and returns its exit code; throws ToolError.
 * With terminalInput, the tool reads the controlling terminal rather than a standard input the link
 * has used up, or nothing when there is no terminal.
 */
export function runAttached(
  tool: Tool,
  args: readonly string[],
  options: { terminalInput: boolean },
): number {
  const input = options.terminalInput ? openTerminal() : 'inherit';
  try {
    const result = spawnSync(tool, args, { stdio: [input, 'inherit', 'inherit'] });
    if (result.error) throw startError(tool, result.error);
    // A tool killed by a signal has no status: report it as a failure.
    return result.status ?? 1;
  } finally {
    if (typeof input === 'number') closeSync(input);
  }
}

function openTerminal(): number | 'ignore' {
  try {
    return openSync('/dev/tty', 'r');
  } catch {
    return 'ignore';
  }
}

function startError(tool: Tool, error: Error): ToolError {
  const notFound = (error as NodeJS.ErrnoException).code === 'ENOENT';
  return new ToolError(
    notFound
      ? `${tool} is not on PATH: ${INSTALL_HINT[tool]}.`
      : `${tool} could not be started: ${error.message}`,
    { cause: error },
  );
}
