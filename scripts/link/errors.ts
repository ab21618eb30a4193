// Typed failures of `npm run link`. The message of each is the one line the person at the terminal
// reads, so it says what is wrong and what to do about it.

/** A failure the link script understands and has explained in its message. */
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

/** A tool the script runs (sam, snow, aws) is missing or failed. */
export class ToolError extends LinkError {}

/** samconfig.toml (or .yaml) cannot be read the way sam would read it. */
export class SamConfigError extends LinkError {}
