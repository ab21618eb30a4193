import { describe, expect, it } from 'vitest';
import { UnsafeSqlValueError } from '../../handler/snowflake/client/errors';
import {
  booleanLiteral,
  identifier,
  keyword,
  qualifiedName,
  type SqlText,
  sql,
  storedName,
  stringList,
  stringLiteral,
} from '../../handler/snowflake/client/sql';
import { readStatements } from './snowflake-lexer';

// Values a template could carry to end a literal or an identifier, start a comment or another statement.
const HOSTILE = [
  "it's",
  "'; DROP INTEGRATION x; --",
  'back\\slash',
  "\\'; DROP INTEGRATION x; --",
  'ends with a backslash\\',
  '$$; DROP INTEGRATION x; $$',
  'semi;colon',
  'line\nbreak\r\nand\ttab',
  '-- comment',
  '/* comment */',
  '"double" quotes',
  '""',
  "\\\\''\\'",
  'unicode: ÿ 雪 🚀',
];

describe('stringLiteral', () => {
  it.each(HOSTILE)('keeps %j one constant that Snowflake reads back unchanged', (value) => {
    const statement = sql`ALTER API INTEGRATION "X" SET COMMENT = ${stringLiteral(value)}`;

    const statements = readStatements(statement.text);

    expect(statements).toHaveLength(1);
    expect(statements[0]?.at(-1)).toEqual({ kind: 'string', value });
    expect(statements[0]?.filter((token) => token.kind === 'string')).toHaveLength(1);
    expect(statement.text).not.toMatch(/[\n\r]/);
  });

  it('escapes the quote by doubling it and the backslash by doubling it', () => {
    expect(stringLiteral("a'b\\c").text).toBe("'a''b\\\\c'");
  });

  it.each([
    ['a NUL', 'a\u0000b'],
    ['a control character', 'bell\u0007'],
    ['a line separator', 'a\u2028b'],
    ['an unpaired surrogate', 'a\ud800b'],
  ])('refuses %s, which Snowflake would not read as written', (_, value) => {
    expect(() => stringLiteral(value, 'Comment')).toThrow(UnsafeSqlValueError);
    expect(() => stringLiteral(value, 'Comment')).toThrow('The Comment');
  });
});

describe('identifier', () => {
  it.each([
    ['my_integration', 'MY_INTEGRATION'],
    ['My$Name_2', 'MY$NAME_2'],
    ['_x', '_X'],
    ['"Mixed Case"', 'Mixed Case'],
    ['"with ""quotes"""', 'with "quotes"'],
    ['"a;b--c/*d*/$$e\'f\\\\g"', "a;b--c/*d*/$$e'f\\\\g"],
  ])('reads %j as Snowflake stores it and quotes it', (name, stored) => {
    const statement = sql`DESCRIBE INTEGRATION ${identifier(name)}`;

    const statements = readStatements(statement.text);

    expect(storedName(name)).toBe(stored);
    expect(statements).toEqual([
      [
        { kind: 'word', value: 'DESCRIBE' },
        { kind: 'word', value: 'INTEGRATION' },
        { kind: 'identifier', value: stored },
      ],
    ]);
  });

  it.each([
    ['a name with a space', 'my integration'],
    ['a name with a quote', 'my"integration'],
    ['a name with a semicolon', 'x;DROP'],
    ['a name starting with a digit', '1abc'],
    ['an empty name', ''],
    ['an empty quoted name', '""'],
    ['a quoted name with a line break', '"a\nb"'],
    ['a quoted name with an undoubled quote', '"a"b"'],
    ['a name of 256 characters', 'A'.repeat(256)],
  ])('refuses %s, naming the property', (_, name) => {
    expect(() => identifier(name, 'IntegrationName')).toThrow(UnsafeSqlValueError);
    expect(() => identifier(name, 'IntegrationName')).toThrow('IntegrationName');
  });

  it('accepts a name of 255 characters', () => {
    expect(storedName('a'.repeat(255))).toBe('A'.repeat(255));
  });
});

describe('qualifiedName', () => {
  it('quotes each part and joins them with periods', () => {
    const name = qualifiedName(['analytics', '"Public"', 'echo']);

    expect(name.text).toBe('"ANALYTICS"."Public"."ECHO"');
    expect(readStatements(name.text)[0]?.filter((token) => token.kind === 'identifier')).toHaveLength(3);
  });
});

describe('stringList', () => {
  it('writes a parenthesised list of constants that Snowflake reads back unchanged', () => {
    const values = ['https://a.example/prod/', "it's;$$", 'x\\'];

    const statement = sql`SET API_ALLOWED_PREFIXES = ${stringList(values)}`;

    const strings = readStatements(statement.text)[0]?.filter((token) => token.kind === 'string');
    expect(strings?.map((token) => token.value)).toEqual(values);
    expect(stringList([]).text).toBe('()');
  });
});

describe('booleanLiteral and keyword', () => {
  it('writes TRUE and FALSE', () => {
    expect([booleanLiteral(true).text, booleanLiteral(false).text]).toEqual(['TRUE', 'FALSE']);
  });

  it('writes a keyword from its allowed list in the list’s spelling', () => {
    expect(keyword('AWS_API_GATEWAY', ['aws_api_gateway', 'aws_private_api_gateway']).text).toBe(
      'aws_api_gateway',
    );
  });

  it('refuses a value outside the list, naming the list', () => {
    expect(() => keyword('aws_api_gateway; DROP', ['aws_api_gateway'], 'ApiProvider')).toThrow(
      'The ApiProvider "aws_api_gateway; DROP" is not one of: aws_api_gateway.',
    );
  });
});

describe('sql', () => {
  it('joins constant SQL and SqlText values in order', () => {
    const statement = sql`CREATE ${identifier('a')} WITH ${stringLiteral('b')}`;

    expect(statement.text).toBe(`CREATE "A" WITH 'b'`);
    expect(String(statement)).toBe(statement.text);
  });

  it('refuses a raw string smuggled past the type checker', () => {
    const smuggled = "x'; DROP TABLE t; --" as unknown as SqlText;

    expect(() => sql`SELECT ${smuggled}`).toThrow(TypeError);
  });

  it('refuses to make SqlText outside sql.ts', () => {
    const Maker = identifier('a').constructor as new (key: symbol, text: string) => SqlText;

    expect(() => new Maker(Symbol('SqlText'), 'DROP')).toThrow(TypeError);
  });
});
