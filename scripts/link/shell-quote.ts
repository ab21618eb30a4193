// Quotes a command for a POSIX shell, so that what --dry-run prints can be pasted and run as is.

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument, quoted for sh only when it needs to be. */
export function shellQuoteArg(arg: string): string {
  if (SAFE_WORD.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A whole command line, each argument quoted for sh where needed. */
export function shellQuote(args: readonly string[]): string {
  return args.map(shellQuoteArg).join(' ');
}
