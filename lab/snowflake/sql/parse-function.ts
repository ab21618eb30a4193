// The function statements: CREATE EXTERNAL FUNCTION, DROP FUNCTION, and SELECT of one function call
// (an external function, or SYSTEM$VALIDATE_STORAGE_INTEGRATION).
import type { Cursor } from './cursor';
import type { Argument, QualifiedName, Statement } from './statements';
import type { Token } from './tokens';

/** After CREATE [OR REPLACE] [SECURE] EXTERNAL FUNCTION. */
export function parseCreateExternalFunction(cursor: Cursor, orReplace: boolean): Statement {
  const ifNotExists = cursor.accept('IF', 'NOT', 'EXISTS');
  const name = qualifiedName(cursor);
  const parameters = parameterList(cursor);
  cursor.expect('RETURNS');
  const returns = dataType(cursor);
  let integration: string | undefined;
  while (!cursor.accept('AS')) {
    if (cursor.accept('API_INTEGRATION')) {
      cursor.expectSymbol('=');
      integration = cursor.identifier();
    } else {
      skipFunctionOption(cursor);
    }
  }
  const url = cursor.string();
  if (integration === undefined) return cursor.fail();
  return {
    type: 'createExternalFunction',
    name,
    orReplace,
    ifNotExists,
    parameters,
    returns,
    integration,
    url,
  };
}

/** After DROP FUNCTION. */
export function parseDropFunction(cursor: Cursor): Statement {
  const ifExists = cursor.accept('IF', 'EXISTS');
  const name = qualifiedName(cursor);
  return { type: 'dropFunction', name, ifExists, argumentTypes: argumentTypes(cursor) };
}

/** After SELECT: one call `name(arg, ...)`, its column named as Snowflake names it (the call, upper case). */
export function parseCallFunction(cursor: Cursor, text: string): Statement {
  const start = cursor.peek()?.position ?? 0;
  const name = qualifiedName(cursor);
  cursor.expectSymbol('(');
  const args: Argument[] = [];
  let bindings = 0;
  if (!cursor.acceptSymbol(')')) {
    do {
      const argument = literal(cursor, bindings + 1);
      if (argument.kind === 'binding') bindings += 1;
      args.push(argument);
    } while (cursor.acceptSymbol(','));
    const close = cursor.peek();
    cursor.expectSymbol(')');
    return { type: 'callFunction', name, arguments: args, column: columnName(text, start, close?.position) };
  }
  return { type: 'callFunction', name, arguments: args, column: `${name.name}()` };
}

function columnName(text: string, start: number, close: number | undefined): string {
  return text.slice(start, (close ?? text.length - 1) + 1).toUpperCase();
}

function literal(cursor: Cursor, nextBinding: number): Argument {
  const token = cursor.peek();
  const argument = token === undefined ? undefined : argumentOf(token, nextBinding);
  if (argument === undefined) return cursor.fail();
  cursor.take();
  return argument;
}

function argumentOf(token: Token, nextBinding: number): Argument | undefined {
  if (token.kind === 'string') return { kind: 'string', value: token.text };
  if (token.kind === 'number') return { kind: 'number', value: Number(token.text) };
  if (token.kind === 'symbol' && token.text === '?') return { kind: 'binding', index: nextBinding };
  if (token.kind !== 'word') return undefined;
  if (token.text === 'NULL') return { kind: 'null' };
  if (token.text === 'TRUE' || token.text === 'FALSE')
    return { kind: 'boolean', value: token.text === 'TRUE' };
  return undefined;
}

/** `[database.][schema.]name`. */
export function qualifiedName(cursor: Cursor): QualifiedName {
  const parts = [cursor.identifier()];
  while (cursor.acceptSymbol('.')) parts.push(cursor.identifier());
  if (parts.length > 3) return cursor.fail();
  const [first = '', second, third] = parts;
  if (third !== undefined && second !== undefined) return { database: first, schema: second, name: third };
  if (second !== undefined) return { schema: first, name: second };
  return { name: first };
}

function parameterList(cursor: Cursor): Array<{ name: string; type: string }> {
  cursor.expectSymbol('(');
  const parameters: Array<{ name: string; type: string }> = [];
  if (cursor.acceptSymbol(')')) return parameters;
  do parameters.push({ name: cursor.identifier(), type: dataType(cursor) });
  while (cursor.acceptSymbol(','));
  cursor.expectSymbol(')');
  return parameters;
}

/** `(type, …)`: the argument types that name one function of an overloaded name. */
export function argumentTypes(cursor: Cursor): string[] {
  cursor.expectSymbol('(');
  const types: string[] = [];
  if (cursor.acceptSymbol(')')) return types;
  do types.push(dataType(cursor));
  while (cursor.acceptSymbol(','));
  cursor.expectSymbol(')');
  return types;
}

// A type name with its optional precision: VARCHAR, VARCHAR(100), NUMBER(38, 0).
function dataType(cursor: Cursor): string {
  const name = cursor.identifier();
  if (!cursor.acceptSymbol('(')) return name;
  const sizes: string[] = [];
  do {
    const size = cursor.take();
    if (size.kind !== 'number') return cursor.fail();
    sizes.push(size.text);
  } while (cursor.acceptSymbol(','));
  cursor.expectSymbol(')');
  return `${name}(${sizes.join(',')})`;
}

// The options between RETURNS and AS that change nothing the stand-in models.
function skipFunctionOption(cursor: Cursor): void {
  if (cursor.accept('NOT', 'NULL') || cursor.accept('NULL')) return;
  if (
    cursor.accept('CALLED', 'ON', 'NULL', 'INPUT') ||
    cursor.accept('RETURNS', 'NULL', 'ON', 'NULL', 'INPUT')
  )
    return;
  if (cursor.accept('STRICT') || cursor.accept('VOLATILE') || cursor.accept('IMMUTABLE')) return;
  if (cursor.accept('COMMENT') || cursor.accept('MAX_BATCH_ROWS') || cursor.accept('COMPRESSION')) {
    cursor.expectSymbol('=');
    cursor.take();
    return;
  }
  cursor.fail();
}
