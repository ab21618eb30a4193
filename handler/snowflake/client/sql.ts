// Safe SQL: every value from a template's properties reaches a statement only as a validated, quoted
// identifier or an escaped string literal, through the `sql` tag, which accepts nothing else.
// https://docs.snowflake.com/en/sql-reference/identifiers-syntax: unquoted identifiers start with a letter or
//   underscore, hold letters, digits, _ and $, and are stored upper case; quoted ones keep their case, and a
//   double quote inside is written twice; at most 255 characters.
// https://docs.snowflake.com/en/sql-reference/data-types-text#escape-sequences-in-single-quoted-string-constants:
//   in a single-quoted constant, \ starts an escape sequence and '' (or \') is a quote.

import { UnsafeSqlValueError } from './errors';

// Only this module holds the key, so only this module makes SqlText: a raw string cannot become one.
const TRUSTED: unique symbol = Symbol('SqlText');

/** A piece of SQL this module built, so known to be safe to place in a statement. */
export class SqlText {
  constructor(
    key: typeof TRUSTED,
    readonly text: string,
  ) {
    if (key !== TRUSTED) throw new TypeError('SqlText is made only by handler/snowflake/sql.ts');
  }

  toString(): string {
    return this.text;
  }
}

function trusted(text: string): SqlText {
  return new SqlText(TRUSTED, text);
}

const UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const MAX_IDENTIFIER = 255;
// Control characters (other than those escaped below) and unpaired surrogates cannot be sent as written.
const UNSENDABLE = /[\p{Cc}\u2028\u2029]|\p{Cs}/u;
const LITERAL_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "''",
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** Builds a statement from constant SQL and SqlText values only. */
export function sql(strings: TemplateStringsArray, ...values: SqlText[]): SqlText {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    // A cast or an `any` could still smuggle a string in; refuse it at run time too.
    if (!(value instanceof SqlText))
      throw new TypeError('sql`…` accepts only values built by handler/snowflake/sql.ts');
    text += value.text + (strings[index + 1] ?? '');
  });
  return trusted(text);
}

/**
 * The name as Snowflake stores it: a plain name upper case (as if written unquoted), a name written in
 * double quotes as it is inside them. Refuses what is not a valid identifier.
 */
export function storedName(name: string, what = 'identifier'): string {
  const quoted = /^"((?:[^"]|"")*)"$/.exec(name);
  const stored = quoted ? (quoted[1] ?? '').replaceAll('""', '"') : name;
  if (!quoted && !UNQUOTED.test(name)) {
    throw new UnsafeSqlValueError(
      `The ${what} "${name}" is not a plain Snowflake name (a letter or _, then letters, digits, _ or $). ` +
        'To use another name, write it in double quotes, exactly as created in Snowflake.',
    );
  }
  if (stored === '' || stored.length > MAX_IDENTIFIER || UNSENDABLE.test(stored)) {
    throw new UnsafeSqlValueError(
      `The ${what} ${JSON.stringify(name)} cannot be a Snowflake name: it must hold 1 to ${MAX_IDENTIFIER} ` +
        'characters and no control characters or line breaks.',
    );
  }
  return quoted ? stored : stored.toUpperCase();
}

/** A validated identifier, always double-quoted (embedded quotes doubled) so no name can end the quote. */
export function identifier(name: string, what?: string): SqlText {
  return trusted(`"${storedName(name, what).replaceAll('"', '""')}"`);
}

/** database.schema.name, each part validated and quoted. */
export function qualifiedName(parts: readonly string[], what?: string): SqlText {
  return trusted(parts.map((part) => identifier(part, what).text).join('.'));
}

/** A single-quoted string constant: \ and ' escaped, line breaks and tabs written as escapes. */
export function stringLiteral(value: string, what = 'value'): SqlText {
  const withoutEscaped = value.replace(/[\n\r\t]/g, '');
  if (UNSENDABLE.test(withoutEscaped)) {
    throw new UnsafeSqlValueError(
      `The ${what} ${JSON.stringify(value)} holds a control character or an unpaired surrogate, which ` +
        'Snowflake would not read as written: remove it.',
    );
  }
  return trusted(`'${value.replace(/[\\'\n\r\t]/g, (char) => LITERAL_ESCAPES[char] ?? char)}'`);
}

/** ('a', 'b'): a parenthesised list of string constants, as API_ALLOWED_PREFIXES and the like take. */
export function stringList(values: readonly string[], what?: string): SqlText {
  return trusted(`(${values.map((value) => stringLiteral(value, what).text).join(', ')})`);
}

/** TRUE or FALSE. */
export function booleanLiteral(value: boolean): SqlText {
  return trusted(value ? 'TRUE' : 'FALSE');
}

/** One of a fixed set of keywords (e.g. API_PROVIDER's), matched without regard to case. */
export function keyword(value: string, allowed: readonly string[], what = 'keyword'): SqlText {
  const match = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (match === undefined) {
    throw new UnsafeSqlValueError(`The ${what} "${value}" is not one of: ${allowed.join(', ')}.`);
  }
  return trusted(match);
}
