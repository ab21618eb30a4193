// The part of TOML that samconfig.toml uses: tables, dotted keys, strings of all four kinds, arrays,
// inline tables, booleans. Numbers and dates are kept as their text. Anything else is a syntax error
// rather than a guess, so a value is never read half-way.

/** A TOML value; numbers and dates stay strings, since samconfig's are never computed with. */
export type TomlValue = string | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

/** A place where the text is not TOML this reader understands. */
export class TomlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'TomlSyntaxError';
  }
}

const BARE_KEY = /[A-Za-z0-9_-]+/y;
const BARE_VALUE = /[^\s,\]}#]+/y;
const ESCAPES: Record<string, string> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\x1b',
  '"': '"',
  '\\': '\\',
};

/** Parses a TOML document into nested tables; throws TomlSyntaxError. */
export function parseToml(text: string): TomlTable {
  const scanner = new Scanner(text.replace(/\r\n/g, '\n'));
  const root: TomlTable = {};
  let current = root;
  for (scanner.skipBlank(); !scanner.atEnd(); scanner.skipBlank()) {
    if (scanner.startsWith('[[')) scanner.fail('arrays of tables ([[...]]) are not supported');
    if (scanner.startsWith('[')) {
      scanner.expect('[');
      current = tableAt(root, scanner.keyPath(), scanner);
      scanner.expect(']');
    } else {
      const keys = scanner.keyPath();
      scanner.expect('=');
      assign(current, keys, scanner.value(), scanner);
    }
    scanner.expectLineEnd();
  }
  return root;
}

class Scanner {
  private pos = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  startsWith(token: string): boolean {
    return this.text.startsWith(token, this.pos);
  }

  fail(message: string): never {
    throw new TomlSyntaxError(message, this.text.slice(0, this.pos).split('\n').length);
  }

  expect(token: string): void {
    this.skipSpaces();
    if (!this.startsWith(token)) this.fail(`expected ${JSON.stringify(token)}`);
    this.pos += token.length;
  }

  skipSpaces(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  /** Skips spaces, newlines and comments. */
  skipBlank(): void {
    for (;;) {
      this.skipSpaces();
      if (this.startsWith('#')) this.skipComment();
      else if (this.startsWith('\n')) this.pos++;
      else return;
    }
  }

  expectLineEnd(): void {
    this.skipSpaces();
    if (this.startsWith('#')) this.skipComment();
    if (!this.atEnd() && !this.startsWith('\n')) this.fail('expected the end of the line');
  }

  keyPath(): string[] {
    const keys = [this.key()];
    for (this.skipSpaces(); this.startsWith('.'); this.skipSpaces()) {
      this.pos++;
      keys.push(this.key());
    }
    return keys;
  }

  value(): TomlValue {
    this.skipSpaces();
    if (this.startsWith('"""')) return this.multiLineString('"""', true);
    if (this.startsWith("'''")) return this.multiLineString("'''", false);
    if (this.startsWith('"')) return this.basicString();
    if (this.startsWith("'")) return this.literalString();
    if (this.startsWith('[')) return this.array();
    if (this.startsWith('{')) return this.inlineTable();
    const bare = this.match(BARE_VALUE);
    if (bare === undefined) this.fail('expected a value');
    return bare === 'true' ? true : bare === 'false' ? false : bare;
  }

  private skipComment(): void {
    const end = this.text.indexOf('\n', this.pos);
    this.pos = end < 0 ? this.text.length : end;
  }

  private key(): string {
    this.skipSpaces();
    if (this.startsWith('"')) return this.basicString();
    if (this.startsWith("'")) return this.literalString();
    return this.match(BARE_KEY) ?? this.fail('expected a key');
  }

  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text)?.[0];
    if (found !== undefined) this.pos += found.length;
    return found;
  }

  private basicString(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const char = this.text[this.pos];
      if (char === undefined || char === '\n') this.fail('unterminated string');
      this.pos++;
      if (char === '"') return out;
      out += char === '\\' ? this.escape() : char;
    }
  }

  private literalString(): string {
    const end = this.text.indexOf("'", this.pos + 1);
    const newline = this.text.indexOf('\n', this.pos + 1);
    if (end < 0 || (newline >= 0 && newline < end)) this.fail('unterminated string');
    const out = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return out;
  }

  private multiLineString(delimiter: string, escapes: boolean): string {
    this.pos += delimiter.length;
    if (this.startsWith('\n')) this.pos++;
    let out = '';
    for (;;) {
      if (this.atEnd()) this.fail('unterminated multi-line string');
      // Up to two quotes may end the content right before the closing delimiter.
      if (this.startsWith(delimiter) && !this.text.startsWith(delimiter, this.pos + 1)) {
        this.pos += delimiter.length;
        return out;
      }
      const char = this.text[this.pos++] ?? '';
      if (escapes && char === '\\') out += this.multiLineEscape();
      else out += char;
    }
  }

  private multiLineEscape(): string {
    // A backslash at the end of a line joins it to the next, dropping the whitespace between.
    const rest = /^[ \t]*\n[\s]*/.exec(this.text.slice(this.pos));
    if (rest) {
      this.pos += rest[0].length;
      return '';
    }
    return this.escape();
  }

  private escape(): string {
    const code = this.text[this.pos++] ?? '';
    if (Object.hasOwn(ESCAPES, code)) return ESCAPES[code] ?? '';
    const digits = code === 'u' ? 4 : code === 'U' ? 8 : 0;
    const hex = this.text.slice(this.pos, this.pos + digits);
    if (digits === 0 || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== digits) {
      this.fail(`unknown escape \\${code}`);
    }
    this.pos += digits;
    return String.fromCodePoint(Number.parseInt(hex, 16));
  }

  private array(): TomlValue[] {
    this.pos++;
    const items: TomlValue[] = [];
    for (this.skipBlank(); !this.startsWith(']'); this.skipBlank()) {
      items.push(this.value());
      this.skipBlank();
      if (this.startsWith(',')) this.pos++;
      else if (!this.startsWith(']')) this.fail('expected "," or "]" in an array');
    }
    this.pos++;
    return items;
  }

  private inlineTable(): TomlTable {
    this.pos++;
    const table: TomlTable = {};
    this.skipSpaces();
    while (!this.startsWith('}')) {
      const keys = this.keyPath();
      this.expect('=');
      assign(table, keys, this.value(), this);
      this.skipSpaces();
      if (this.startsWith(',')) this.pos++;
      else if (!this.startsWith('}')) this.fail('expected "," or "}" in an inline table');
      this.skipSpaces();
    }
    this.pos++;
    return table;
  }
}

function tableAt(root: TomlTable, keys: readonly string[], scanner: Scanner): TomlTable {
  let table = root;
  for (const key of keys) {
    const next = table[key] ?? {};
    if (typeof next !== 'object' || Array.isArray(next)) scanner.fail(`${key} is a value, not a table`);
    table[key] = next;
    table = next;
  }
  return table;
}

function assign(table: TomlTable, keys: readonly string[], value: TomlValue, scanner: Scanner): void {
  const last = keys.at(-1) ?? '';
  const parent = tableAt(table, keys.slice(0, -1), scanner);
  if (last in parent) scanner.fail(`${keys.join('.')} is defined twice`);
  parent[last] = value;
}
