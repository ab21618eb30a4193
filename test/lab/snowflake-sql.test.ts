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
      API_BLOCKED_PREFIXES = ('https://a/x/') ENABLED = TRUE;`);

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
        API_BLOCKED_PREFIXES: { kind: 'list', items: ['https://a/x/'] },
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

  it('reads the ALTER STAGE, ALTER FUNCTION, GRANT, SHOW GRANTS, CREATE PIPE and LIST forms', () => {
    expect(
      parseStatement(`ALTER STAGE lab.public.files SET URL = 's3://b/p/' STORAGE_INTEGRATION = "S3_int_R2"`),
    ).toEqual({
      type: 'alterStage',
      name: { database: 'LAB', schema: 'PUBLIC', name: 'FILES' },
      ifExists: false,
      url: 's3://b/p/',
      integration: 'S3_int_R2',
    });
    expect(parseStatement('ALTER FUNCTION lab.public.echo(VARIANT) SET API_INTEGRATION = api2')).toEqual({
      type: 'alterFunction',
      name: { database: 'LAB', schema: 'PUBLIC', name: 'ECHO' },
      ifExists: false,
      argumentTypes: ['VARIANT'],
      set: { property: 'API_INTEGRATION', value: 'API2' },
    });
    expect(parseStatement('GRANT USAGE ON FUNCTION echo(VARIANT, NUMBER) TO ROLE analyst')).toEqual({
      type: 'grantOnFunction',
      privileges: ['USAGE'],
      name: { name: 'ECHO' },
      argumentTypes: ['VARIANT', 'NUMBER'],
      role: 'ANALYST',
      grantOption: false,
    });
    expect(parseStatement('SHOW GRANTS ON FUNCTION lab.public.echo(VARIANT)')).toMatchObject({
      type: 'showGrantsOnFunction',
      argumentTypes: ['VARIANT'],
    });
    expect(
      parseStatement('CREATE PIPE lab.public.p AUTO_INGEST = TRUE AS COPY INTO t FROM @lab.public.files/in/'),
    ).toMatchObject({ type: 'createPipe', stage: { database: 'LAB', schema: 'PUBLIC', name: 'FILES' } });
    expect(parseStatement('LIST @files')).toEqual({ type: 'listStage', stage: { name: 'FILES' } });
    expect(
      parseStatement(
        'CREATE EXTERNAL TABLE t WITH LOCATION = @files/in/ AUTO_REFRESH = FALSE FILE_FORMAT = (TYPE = CSV)',
      ),
    ).toMatchObject({ type: 'createExternalTable', stage: { name: 'FILES' } });
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
    // The lists take one URL or more; an empty one is not in the grammar.
    [
      "CREATE API INTEGRATION x API_PROVIDER = aws_api_gateway API_AWS_ROLE_ARN = 'r' API_ALLOWED_PREFIXES = ('https://a/') API_BLOCKED_PREFIXES = () ENABLED = TRUE",
      '001003',
    ],
    [
      "CREATE STORAGE INTEGRATION x TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'S3' STORAGE_AWS_ROLE_ARN = 'r' STORAGE_ALLOWED_LOCATIONS = ('s3://b/') STORAGE_BLOCKED_LOCATIONS = () ENABLED = TRUE",
      '001003',
    ],
    // STORAGE_PROVIDER is a quoted value, and one of three.
    [
      "CREATE STORAGE INTEGRATION x TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = S3 STORAGE_AWS_ROLE_ARN = 'r' STORAGE_ALLOWED_LOCATIONS = ('s3://b/') ENABLED = TRUE",
      '001003',
    ],
    [
      "CREATE STORAGE INTEGRATION x TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'GCS3' STORAGE_AWS_ROLE_ARN = 'r' STORAGE_ALLOWED_LOCATIONS = ('s3://b/') ENABLED = TRUE",
      '001003',
    ],
    // ALTER FUNCTION changes none of the URL, the return type or the arguments.
    ["ALTER FUNCTION f(VARIANT) SET URL = 'https://u/'", '001003'],
    ['ALTER FUNCTION f(VARIANT) SET RETURNS = VARCHAR', '001003'],
    ['ALTER FUNCTION f SET API_INTEGRATION = x', '001003'],
    ['ALTER STAGE s SET', '001003'],
    ['GRANT SELECT ON FUNCTION f(VARIANT) TO ROLE r', '001003'],
  ])('refuses %j with %s', (text, code) => {
    expect(refusalOf(text).code).toBe(code);
  });

  it('points the syntax error at the token it did not expect', () => {
    expect(refusalOf('DROP INTEGRATION x y').message).toBe(
      "SQL compilation error:\nsyntax error line 1 at position 19 unexpected 'Y'.",
    );
  });
});

describe('the stand-in grammar for older releases', () => {
  const withEmptyList = `CREATE API INTEGRATION i API_PROVIDER = aws_api_gateway API_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/r'
    API_ALLOWED_PREFIXES = ('https://x.execute-api.us-east-1.amazonaws.com/p/') API_BLOCKED_PREFIXES = () ENABLED = TRUE`;

  it('refuses an empty list by default, as the documented grammar has one item or more', () => {
    expect(() => parseStatement(withEmptyList)).toThrow(SnowflakeError);
  });

  it('takes an empty list as none when told to, for the SQL 0.1.0 sent', () => {
    const statement = parseStatement(withEmptyList, { acceptEmptyLists: true });

    expect(statement).toMatchObject({ properties: { API_BLOCKED_PREFIXES: { kind: 'list', items: [] } } });
  });
});
