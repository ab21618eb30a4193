import { describe, expect, it } from 'vitest';
import { SnowflakeError } from '../../lab/snowflake';
import { parseStatement } from '../../lab/snowflake/sql/parse';
import { tokenize } from '../../lab/snowflake/sql/tokens';

function refusalOf(text: string): SnowflakeError {
  try {
    parseStatement(text);
  } catch (error) {
    if (error instanceof SnowflakeError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the stand-in tokenizer', () => {
  it.each([
    ["'it''s'", "it's"],
    ["'it\\'s'", "it's"],
    ["'a\\\\b'", 'a\\b'],
    ["'line\\nbreak'", 'line\nbreak'],
    ['$$it\'s "raw" \\n$$', 'it\'s "raw" \\n'],
  ])('reads the literal %s as %j', (text, value) => {
    expect(tokenize(text)).toEqual([{ kind: 'string', text: value, position: 0 }]);
  });

  it('keeps a quoted identifier as written, a doubled quote as one, and upper-cases the rest', () => {
    expect(tokenize('"My ""odd"" Name" plain').map((t) => [t.kind, t.text])).toEqual([
      ['quoted', 'My "odd" Name'],
      ['word', 'PLAIN'],
    ]);
  });

  it('skips comments', () => {
    expect(tokenize('SHOW -- a comment\n /* another */ INTEGRATIONS').map((t) => t.text)).toEqual([
      'SHOW',
      'INTEGRATIONS',
    ]);
  });
});

describe('the stand-in parser', () => {
  it('reads a CREATE with every kind of property value', () => {
    const statement = parseStatement(`CREATE OR REPLACE API INTEGRATION "Mixed" API_PROVIDER = aws_api_gateway
      API_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/r' API_ALLOWED_PREFIXES = ('https://a/', 'https://b/')
      API_BLOCKED_PREFIXES = () ENABLED = TRUE;`);

    expect(statement).toEqual({
      type: 'createIntegration',
      category: 'API',
      name: 'Mixed',
      orReplace: true,
      ifNotExists: false,
      properties: {
        API_PROVIDER: { kind: 'word', text: 'AWS_API_GATEWAY' },
        API_AWS_ROLE_ARN: { kind: 'string', text: 'arn:aws:iam::123456789012:role/r' },
        API_ALLOWED_PREFIXES: { kind: 'list', items: ['https://a/', 'https://b/'] },
        API_BLOCKED_PREFIXES: { kind: 'list', items: [] },
        ENABLED: { kind: 'word', text: 'TRUE' },
      },
    });
  });

  it('reads an external function with its options, and a qualified call', () => {
    const created =
      parseStatement(`CREATE SECURE EXTERNAL FUNCTION lab.public.echo(v VARIANT, n NUMBER(38, 0))
      RETURNS VARIANT NOT NULL VOLATILE COMMENT = 'x' API_INTEGRATION = echo_api MAX_BATCH_ROWS = 10 AS 'https://u/'`);
    const call = parseStatement("select lab.public.echo('hi', ?)");

    expect(created).toMatchObject({
      name: { database: 'LAB', schema: 'PUBLIC', name: 'ECHO' },
      parameters: [
        { name: 'V', type: 'VARIANT' },
        { name: 'N', type: 'NUMBER(38,0)' },
      ],
      integration: 'ECHO_API',
      url: 'https://u/',
    });
    expect(call).toEqual({
      type: 'callFunction',
      name: { database: 'LAB', schema: 'PUBLIC', name: 'ECHO' },
      arguments: [
        { kind: 'string', value: 'hi' },
        { kind: 'binding', index: 1 },
      ],
      column: "LAB.PUBLIC.ECHO('HI', ?)",
    });
  });

  it('cannot be made to read a second statement out of a literal', () => {
    const statement = parseStatement("ALTER INTEGRATION x SET COMMENT = 'a''; DROP INTEGRATION x; --'");

    expect(statement).toMatchObject({
      type: 'alterIntegration',
      set: { COMMENT: { text: "a'; DROP INTEGRATION x; --" } },
    });
  });

  it.each([
    ['SHOW INTEGRATIONS; SHOW INTEGRATIONS', '000008'],
    ['GRANT ROLE r TO USER u', '001003'],
    ['DESCRIBE INTEGRATION', '001003'],
    ['DROP INTEGRATION x y', '001003'],
    ["CREATE EXTERNAL FUNCTION f() RETURNS VARIANT AS 'https://u/'", '001003'],
  ])('refuses %j with %s', (text, code) => {
    expect(refusalOf(text).code).toBe(code);
  });

  it('points the syntax error at the token it did not expect', () => {
    expect(refusalOf('DROP INTEGRATION x y').message).toBe(
      "SQL compilation error:\nsyntax error line 1 at position 19 unexpected 'Y'.",
    );
  });
});
