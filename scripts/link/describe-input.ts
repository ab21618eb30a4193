// Gets the DESCRIBE INTEGRATION output from where the options say: a file, standard input, or
// Snowflake CLI run here.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DescribeSource } from './cli-options';
import { LinkError, ToolError, UsageError } from './errors';
import { capture } from './run-command';
import { snowDescribeArgs } from './snow-describe';
import { toolMessage } from './tool-message';

export interface InputContext {
  /** The directory relative paths are read from: where the person ran npm. */
  readonly userDir: string;
  readonly stdinIsTty: boolean;
}

/** The text of the output; throws UsageError when there is no input, LinkError when it cannot be had. */
export function readDescribeOutput(source: DescribeSource, context: InputContext): string {
  switch (source.kind) {
    case 'stdin':
      return readStdin(context);
    case 'file':
      return readFile(resolve(context.userDir, source.path), source.path);
    case 'snow':
      return runSnow(source.integration, source.connection);
  }
}

function readStdin(context: InputContext): string {
  if (context.stdinIsTty) {
    throw new UsageError(
      'No input: pipe DESCRIBE INTEGRATION output in, or give --from FILE or --integration NAME (see --help).',
    );
  }
  return readFileSync(0, 'utf8');
}

function readFile(path: string, given: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new LinkError(`--from ${given}: ${reason}.`, { cause: error });
  }
}

function runSnow(integration: string, connection?: string): string {
  const result = capture('snow', snowDescribeArgs(integration, connection));
  if (result.status !== 0) {
    throw new ToolError(
      `snow sql failed (exit ${result.status}): ${toolMessage(result.stderr || result.stdout)}`,
    );
  }
  return result.stdout;
}
