// A cursor over a statement's tokens: what the parsers read with, and where a syntax error points.
import { syntaxError } from '../errors';
import type { Token } from './tokens';

/** A property value as written: a string literal, a bare word (upper case), a number, or a list of strings. */
export type PropertyValue =
  | { kind: 'string'; text: string }
  | { kind: 'word'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'list'; items: string[] };

/** Reads tokens front to back; every `expect` that fails throws Snowflake's 001003 at that token. */
/** Where the stand-in's grammar is looser than the documented one, to model objects older releases made. */
export interface Grammar {
  /**
   * Take an empty `()` list. 0.1.0 sent `API_BLOCKED_PREFIXES = ()`; the pages' grammar shows one item or
   * more and is silent on `()`: upgrade tests take it, to model the stacks 0.1.0 made where Snowflake did.
   */
  acceptEmptyLists?: boolean;
}

export class Cursor {
  private at = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly grammar: Grammar = {},
  ) {}

  /** The next token, unread. */
  peek(offset = 0): Token | undefined {
    return this.tokens[this.at + offset];
  }

  /** Whether every token is read. */
  get done(): boolean {
    return this.at >= this.tokens.length;
  }

  /** Reads the next tokens if they are these keywords, in order. */
  accept(...keywords: string[]): boolean {
    const matches = keywords.every((keyword, i) => {
      const token = this.peek(i);
      return token?.kind === 'word' && token.text === keyword;
    });
    if (matches) this.at += keywords.length;
    return matches;
  }

  /** Reads the next token if it is this symbol. */
  acceptSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token?.kind !== 'symbol' || token.text !== symbol) return false;
    this.at += 1;
    return true;
  }

  /** Reads these keywords, or fails. */
  expect(...keywords: string[]): void {
    for (const keyword of keywords) if (!this.accept(keyword)) this.fail();
  }

  /** Reads this symbol, or fails. */
  expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) this.fail();
  }

  /** Reads an identifier: an unquoted word (upper case) or a quoted one (as written). */
  identifier(): string {
    const token = this.peek();
    if (token?.kind !== 'word' && token?.kind !== 'quoted') return this.fail();
    this.at += 1;
    return token.text;
  }

  /** Reads a string literal. */
  string(): string {
    const token = this.peek();
    if (token?.kind !== 'string') return this.fail();
    this.at += 1;
    return token.text;
  }

  /** Reads the next token whatever it is. */
  take(): Token {
    const token = this.peek();
    if (token === undefined) return this.fail();
    this.at += 1;
    return token;
  }

  /** Reads `= value` after a property name. */
  propertyValue(): PropertyValue {
    this.expectSymbol('=');
    const token = this.peek();
    if (token?.kind === 'symbol' && token.text === '(') return { kind: 'list', items: this.stringList() };
    if (token?.kind === 'string' || token?.kind === 'word' || token?.kind === 'number') {
      this.at += 1;
      return { kind: token.kind, text: token.text };
    }
    return this.fail();
  }

  /** Fails unless every token is read (a trailing `;` is allowed). */
  end(): void {
    this.acceptSymbol(';');
    if (!this.done) this.fail();
  }

  /** Throws Snowflake's syntax error at the next token (or at the end). */
  fail(): never {
    const token = this.peek();
    const last = this.tokens.at(-1);
    const position = token?.position ?? (last === undefined ? 0 : last.position + last.text.length);
    throw syntaxError(position, token?.text ?? '<EOF>');
  }

  // The lists these statements take hold one string or more: `('<url>' [ , … ])` in create-api-integration and
  // create-storage-integration's grammars; an empty `()` is a syntax error at the `)`.
  private stringList(): string[] {
    this.expectSymbol('(');
    const items: string[] = [];
    if (this.grammar.acceptEmptyLists && this.acceptSymbol(')')) return items;
    do items.push(this.string());
    while (this.acceptSymbol(','));
    this.expectSymbol(')');
    return items;
  }
}
