// A reader of Snowflake's lexical rules, written from its documentation and independent of sql.ts: the
// tests use it to check that what sql.ts writes is read back by Snowflake as exactly what was meant.
// Single-quoted constants: \ escapes (\n \r \t \b \f \0 \\ \' \"; any other char stands for itself) and ''
// is a quote; $$…$$ is a constant too; "…" is an identifier where "" is a quote; -- // and /* */ comment;
// ; ends a statement.

export type Token =
  | { kind: 'string'; value: string }
  | { kind: 'identifier'; value: string }
  | { kind: 'word'; value: string }
  | { kind: 'comment'; value: string }
  | { kind: 'symbol'; value: string };

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '0': '\0' };

/** The statements of a text, each a list of tokens; throws on an unterminated constant or identifier. */
export function readStatements(text: string): Token[][] {
  const statements: Token[][] = [[]];
  let at = 0;
  const push = (token: Token) => statements.at(-1)?.push(token);
  while (at < text.length) {
    const char = text[at] ?? '';
    const two = text.slice(at, at + 2);
    if (/\s/.test(char)) at++;
    else if (two === '--' || two === '//') {
      const end = text.indexOf('\n', at);
      push({ kind: 'comment', value: text.slice(at, end < 0 ? text.length : end) });
      at = end < 0 ? text.length : end;
    } else if (two === '/*') {
      const end = text.indexOf('*/', at + 2);
      if (end < 0) throw new Error('unterminated comment');
      push({ kind: 'comment', value: text.slice(at, end + 2) });
      at = end + 2;
    } else if (two === '$$') {
      const end = text.indexOf('$$', at + 2);
      if (end < 0) throw new Error('unterminated $$ constant');
      push({ kind: 'string', value: text.slice(at + 2, end) });
      at = end + 2;
    } else if (char === "'") [at] = readQuoted(text, at, "'", push);
    else if (char === '"') [at] = readQuoted(text, at, '"', push);
    else if (char === ';') {
      statements.push([]);
      at++;
    } else {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(at))?.[0];
      push(word ? { kind: 'word', value: word } : { kind: 'symbol', value: char });
      at += word ? word.length : 1;
    }
  }
  return statements.filter((statement) => statement.length > 0);
}

function readQuoted(text: string, start: number, quote: string, push: (token: Token) => void): [number] {
  let value = '';
  let at = start + 1;
  for (;;) {
    const char = text[at];
    if (char === undefined) throw new Error(`unterminated ${quote} at ${start}`);
    if (quote === "'" && char === '\\') {
      const next = text[at + 1] ?? '';
      value += ESCAPES[next] ?? next;
      at += 2;
    } else if (char === quote && text[at + 1] === quote) {
      value += quote;
      at += 2;
    } else if (char === quote) {
      push({ kind: quote === "'" ? 'string' : 'identifier', value });
      return [at + 1];
    } else {
      value += char;
      at++;
    }
  }
}
