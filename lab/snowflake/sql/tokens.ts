// A small tokenizer for the statements the stand-in understands: identifiers (unquoted ones upper
// case, "quoted" ones as written, "" inside for a quote), string literals ('' and backslash escapes,
// or $$...$$), numbers, punctuation and comments. Enough to honour quoting exactly, as Snowflake does.
import { syntaxError } from '../errors';

/** One token and where it starts (0-based, in characters). */
export type Token =
  | { kind: 'word'; text: string; position: number }
  | { kind: 'quoted'; text: string; position: number }
  | { kind: 'string'; text: string; position: number }
  | { kind: 'number'; text: string; position: number }
  | { kind: 'symbol'; text: string; position: number };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };
const SYMBOLS = new Set(['(', ')', ',', '=', '.', ';', '*', '?', ':', '@', '/']);

/** The tokens of a statement text; throws Snowflake's syntax error at an unterminated literal. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const next = skipSpaceAndComments(text, at);
    if (next >= text.length) break;
    const [token, end] = readToken(text, next);
    tokens.push(token);
    at = end;
  }
  return tokens;
}

function skipSpaceAndComments(text: string, from: number): number {
  let at = from;
  for (;;) {
    while (at < text.length && /\s/.test(text.charAt(at))) at += 1;
    if (text.startsWith('--', at) || text.startsWith('//', at)) {
      const end = text.indexOf('\n', at);
      at = end < 0 ? text.length : end + 1;
    } else if (text.startsWith('/*', at)) {
      const end = text.indexOf('*/', at + 2);
      at = end < 0 ? text.length : end + 2;
    } else {
      return at;
    }
  }
}

function readToken(text: string, at: number): [Token, number] {
  const c = text.charAt(at);
  if (c === "'") return readQuotedString(text, at);
  if (text.startsWith('$$', at)) return readDollarString(text, at);
  if (c === '"') return readQuotedIdentifier(text, at);
  const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(at))?.[0];
  if (word !== undefined) return [{ kind: 'word', text: word.toUpperCase(), position: at }, at + word.length];
  const number = /^-?\d+(?:\.\d+)?/.exec(text.slice(at))?.[0];
  if (number !== undefined) return [{ kind: 'number', text: number, position: at }, at + number.length];
  if (SYMBOLS.has(c)) return [{ kind: 'symbol', text: c, position: at }, at + 1];
  throw syntaxError(at, c);
}

function readQuotedString(text: string, start: number): [Token, number] {
  let value = '';
  let at = start + 1;
  while (at < text.length) {
    const c = text.charAt(at);
    if (c === '\\' && at + 1 < text.length) {
      const escaped = text.charAt(at + 1);
      value += ESCAPES[escaped] ?? escaped;
      at += 2;
    } else if (c === "'" && text.charAt(at + 1) === "'") {
      value += "'";
      at += 2;
    } else if (c === "'") {
      return [{ kind: 'string', text: value, position: start }, at + 1];
    } else {
      value += c;
      at += 1;
    }
  }
  throw syntaxError(start, "'");
}

function readDollarString(text: string, start: number): [Token, number] {
  const end = text.indexOf('$$', start + 2);
  if (end < 0) throw syntaxError(start, '$$');
  return [{ kind: 'string', text: text.slice(start + 2, end), position: start }, end + 2];
}

function readQuotedIdentifier(text: string, start: number): [Token, number] {
  let value = '';
  let at = start + 1;
  while (at < text.length) {
    const c = text.charAt(at);
    if (c === '"' && text.charAt(at + 1) === '"') {
      value += '"';
      at += 2;
    } else if (c === '"') {
      if (value === '') throw syntaxError(start, '""');
      return [{ kind: 'quoted', text: value, position: start }, at + 1];
    } else {
      value += c;
      at += 1;
    }
  }
  throw syntaxError(start, '"');
}
