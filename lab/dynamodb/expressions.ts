// DynamoDB's condition and update expressions, the part of their grammar a lock needs: comparisons,
// attribute_exists / attribute_not_exists, AND / OR / NOT and parentheses; SET a = :v and REMOVE a.
// Names come as #placeholders or plain attribute names, values as :placeholders.

/** An attribute value as DynamoDB's JSON protocol carries it; only the scalar kinds are modelled. */
export type AttributeValue = { S: string } | { N: string } | { BOOL: boolean } | { NULL: true };
export type Item = Record<string, AttributeValue>;

/** The placeholders a request gives for its expressions. */
export interface Placeholders {
  names: Record<string, string>;
  values: Record<string, AttributeValue>;
}

/** A request DynamoDB refuses as malformed (ValidationException). */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
}

const TOKEN = /\s*(<>|<=|>=|[=<>(),]|#[\w]+|:[\w]+|[A-Za-z_][\w]*)/y;

/** Whether the item (undefined: none yet) meets the condition. */
export function meetsCondition(
  expression: string,
  item: Item | undefined,
  placeholders: Placeholders,
): boolean {
  const parser = new Parser(expression, placeholders);
  const result = parser.condition(item ?? {});
  parser.end();
  return result;
}

/** The item after the update expression: SET and REMOVE clauses, in any order. */
export function applyUpdate(expression: string, item: Item, placeholders: Placeholders): Item {
  const parser = new Parser(expression, placeholders);
  const next = { ...item };
  while (!parser.done()) {
    const clause = parser.keyword();
    if (clause === 'SET') {
      do {
        const name = parser.name();
        parser.expect('=');
        next[name] = parser.value();
      } while (parser.accept(','));
    } else if (clause === 'REMOVE') {
      do delete next[parser.name()];
      while (parser.accept(','));
    } else {
      throw new ExpressionError(`Invalid UpdateExpression: Syntax error; token: "${clause}"`);
    }
  }
  return next;
}

class Parser {
  private readonly tokens: string[];
  private at = 0;

  constructor(
    expression: string,
    private readonly placeholders: Placeholders,
  ) {
    this.tokens = tokenize(expression);
  }

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  end(): void {
    if (!this.done())
      throw new ExpressionError(`Invalid expression: unexpected token "${this.tokens[this.at]}"`);
  }

  accept(token: string): boolean {
    if (this.tokens[this.at]?.toUpperCase() !== token) return false;
    this.at++;
    return true;
  }

  expect(token: string): void {
    if (!this.accept(token)) throw new ExpressionError(`Invalid expression: expected "${token}"`);
  }

  keyword(): string {
    return (this.tokens[this.at++] ?? '').toUpperCase();
  }

  condition(item: Item): boolean {
    let result = this.conjunction(item);
    while (this.accept('OR')) result = this.conjunction(item) || result;
    return result;
  }

  name(): string {
    const token = this.tokens[this.at++] ?? '';
    if (token.startsWith('#')) {
      const name = this.placeholders.names[token];
      if (name === undefined)
        throw new ExpressionError(
          `An expression attribute name used in the document is not defined; attribute name: ${token}`,
        );
      return name;
    }
    if (!/^[A-Za-z_]\w*$/.test(token))
      throw new ExpressionError(`Invalid expression: expected an attribute name, got "${token}"`);
    return token;
  }

  value(): AttributeValue {
    const token = this.tokens[this.at++] ?? '';
    const value = this.placeholders.values[token];
    if (value === undefined)
      throw new ExpressionError(
        `An expression attribute value used in expression is not defined; attribute value: ${token}`,
      );
    return value;
  }

  private conjunction(item: Item): boolean {
    let result = this.negation(item);
    while (this.accept('AND')) result = this.negation(item) && result;
    return result;
  }

  private negation(item: Item): boolean {
    if (this.accept('NOT')) return !this.negation(item);
    if (this.accept('(')) {
      const result = this.condition(item);
      this.expect(')');
      return result;
    }
    const token = this.tokens[this.at]?.toLowerCase();
    if (token === 'attribute_exists' || token === 'attribute_not_exists') {
      this.at++;
      this.expect('(');
      const present = item[this.name()] !== undefined;
      this.expect(')');
      return token === 'attribute_exists' ? present : !present;
    }
    return this.comparison(item);
  }

  private comparison(item: Item): boolean {
    const left = this.operand(item);
    const operator = this.keyword();
    const right = this.operand(item);
    if (left === undefined || right === undefined) return false;
    const order = compare(left, right);
    switch (operator) {
      case '=':
        return order === 0;
      case '<>':
        return order !== 0;
      case '<':
        return order !== undefined && order < 0;
      case '<=':
        return order !== undefined && order <= 0;
      case '>':
        return order !== undefined && order > 0;
      case '>=':
        return order !== undefined && order >= 0;
      default:
        throw new ExpressionError(`Invalid ConditionExpression: Syntax error; token: "${operator}"`);
    }
  }

  private operand(item: Item): AttributeValue | undefined {
    return this.tokens[this.at]?.startsWith(':') ? this.value() : item[this.name()];
  }
}

// Values of different types never compare equal; numbers compare as numbers.
function compare(a: AttributeValue, b: AttributeValue): number | undefined {
  if ('N' in a && 'N' in b) return Math.sign(Number(a.N) - Number(b.N));
  if ('S' in a && 'S' in b) return a.S === b.S ? 0 : a.S < b.S ? -1 : 1;
  if ('BOOL' in a && 'BOOL' in b) return a.BOOL === b.BOOL ? 0 : undefined;
  return undefined;
}

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.trimEnd().length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (!match?.[1])
      throw new ExpressionError(`Invalid expression: unexpected character at ${start} in "${expression}"`);
    tokens.push(match[1]);
  }
  return tokens;
}
