// Typed failures of `npm run link`. The message of each is the one line the person at the terminal
// reads, so it says what is wrong and what to do about it. Each kind ends the process with its own
// exit code (listed in USAGE and docs/link-script.md).

/** A failure the link script understands and has explained in its message: nothing was deployed. */
export class LinkError extends Error {
  /** The process exit code this failure ends with. */
  readonly exitCode: number = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line is wrong: an unknown option, a missing or malformed value. */
export class UsageError extends LinkError {
  override readonly exitCode = 2;
}

/** The DESCRIBE INTEGRATION output cannot be read, or its values cannot be linked. */
export class DescribeOutputError extends LinkError {}

/** A tool the script runs (sam, snow) is missing or failed. */
export class ToolError extends LinkError {}

/** samconfig.toml (or .yaml) cannot be read the way sam would read it. */
export class SamConfigError extends LinkError {}

/** The stack cannot be read, or is not the one these values belong to. */
export class StackError extends LinkError {}

/** sam deploy exited 0 without executing a change set (declined at its prompt, or --no-execute-changeset). */
export class NotExecutedError extends LinkError {
  override readonly exitCode = 3;
}

/** sam deploy ran, but the stack read back does not show the link in force for these values. */
export class NotLinkedError extends LinkError {
  override readonly exitCode = 4;
}
