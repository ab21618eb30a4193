// sam deploy's --parameter-overrides syntax: `Key=Value` pairs separated by spaces (or the
// `ParameterKey=K,ParameterValue=V` form), a value optionally in double or single quotes, read by
// samcli/cli/types.py CfnParameterOverridesType. Given on the command line, --parameter-overrides
// replaces samconfig's parameter_overrides whole (aws/aws-sam-cli issue 2380), so the link passes the
// file's pairs on as written and sets only its own two keys.

import { LinkError } from './errors';

/** One Key=Value pair as written, and its key. */
export interface OverridePair {
  readonly key: string;
  readonly text: string;
}

// The patterns of CfnParameterOverridesType, space-delimited values.
const KEY = `([A-Za-z0-9"']+)`;
const VALUE = `("(?:\\\\.|[^"\\\\]+)*"|'(?:\\\\.|[^'\\\\]+)*'|(?:\\\\.|[^ "\\\\]+)+)`;
const PATTERNS = [
  new RegExp(`ParameterKey=${KEY},ParameterValue=${VALUE}`, 'g'),
  new RegExp(` ${KEY}=${VALUE}`, 'g'),
];

/** The pairs of one parameter_overrides string, as sam would find them. */
export function overridePairs(entry: string): OverridePair[] {
  // sam matches against the entry with one space in front, using the first pattern that matches at all.
  const normalized = ` ${entry.trim()}`;
  const pattern = PATTERNS.find((candidate) => new RegExp(candidate).test(normalized));
  if (pattern === undefined) return [];
  return [...normalized.matchAll(pattern)].map((match) => ({
    key: unquote(match[1] ?? ''),
    text: match[0].trim(),
  }));
}

/** `Key="value"`: the quoted form keeps a comma-separated list of ids as one value. */
export function overridePair(key: string, value: string): string {
  if (/["\\\s]/.test(value)) {
    throw new LinkError(`${key} cannot be passed to sam: its value contains a quote, backslash or space.`);
  }
  return `${key}="${value}"`;
}

/**
 * The arguments after --parameter-overrides: samconfig's pairs kept as written, except for the keys
 * set here, then those keys with their new values.
 */
export function mergedOverrides(
  samconfigEntries: readonly string[],
  values: Readonly<Record<string, string>>,
): string[] {
  const kept = samconfigEntries
    .flatMap(overridePairs)
    .filter((pair) => !Object.hasOwn(values, pair.key))
    .map((pair) => pair.text);
  return [...kept, ...Object.entries(values).map(([key, value]) => overridePair(key, value))];
}

// sam strips one pair of wrapping quotes and unescapes "\ ", "\"" and "\'".
function unquote(text: string): string {
  const wrapped = text.length >= 2 && (text[0] === '"' || text[0] === "'") && text.at(-1) === text[0];
  return (wrapped ? text.slice(1, -1) : text).replace(/\\([ "'])/g, '$1');
}
