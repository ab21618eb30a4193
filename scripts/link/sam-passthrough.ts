// Options for sam deploy given after `--` (e.g. --no-confirm-changeset, --capabilities). They are passed
// on as they are, except that those the link must see itself are refused, and any
// --parameter-overrides pairs join samconfig's below the linked two.

import { UsageError } from './errors';

export interface SamPassthrough {
  /** Options for sam deploy, in the order given. */
  readonly args: readonly string[];
  /** Entries given with --parameter-overrides, in sam's Key=Value syntax. */
  readonly parameterOverrides: readonly string[];
}

// The link reads samconfig, the template and the stack with these, so they must come as its own options.
const OWN_OPTIONS = [
  '--stack-name',
  '--template-file',
  '--template',
  '-t',
  '--config-env',
  '--config-file',
  '--region',
  '--profile',
];
const OVERRIDES = '--parameter-overrides';

/** Splits the arguments after `--`; throws UsageError for an option the link must be given itself. */
export function samPassthrough(argv: readonly string[]): SamPassthrough {
  const args: string[] = [];
  const parameterOverrides: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const option = arg.split('=', 1)[0] ?? '';
    if (OWN_OPTIONS.includes(option)) {
      throw new UsageError(
        `Give ${option === '--template' || option === '-t' ? '--template-file' : option} before --, as an option of the link: it checks the same samconfig, template and stack.`,
      );
    }
    if (arg === '--guided')
      throw new UsageError('--guided cannot be passed on: the link runs sam deploy unattended.');
    if (option !== OVERRIDES) {
      args.push(arg);
    } else if (arg !== OVERRIDES) {
      parameterOverrides.push(arg.slice(OVERRIDES.length + 1));
    } else {
      // Like sam, take the values up to the next option.
      for (; i + 1 < argv.length && !argv[i + 1]?.startsWith('-'); i++)
        parameterOverrides.push(argv[i + 1] ?? '');
    }
  }
  return { args, parameterOverrides };
}
