// From a statement's text to a typed Statement: one statement per request, and only the shapes the
// stand-in serves; anything else is Snowflake's syntax error 001003 at the first token not understood.
import { statementCount } from '../errors';
import { Cursor, type Grammar, type PropertyValue } from './cursor';
import {
  parseAlterFunction,
  parseAlterStage,
  parseCreateExternalTable,
  parseCreatePipe,
  parseGrant,
  parseList,
  parseShowGrants,
} from './parse-alter';
import { parseCallFunction, parseCreateExternalFunction, parseDropFunction } from './parse-function';
import { parseCreateStage, parseDropStage } from './parse-stage';
import type { ContextFunction, IntegrationCategory, Statement } from './statements';
import { type Token, tokenize } from './tokens';

const API_PROPERTIES = [
  'API_PROVIDER',
  'API_AWS_ROLE_ARN',
  'API_ALLOWED_PREFIXES',
  'API_BLOCKED_PREFIXES',
  'API_KEY',
  'ENABLED',
  'COMMENT',
];
const STORAGE_PROPERTIES = [
  'TYPE',
  'STORAGE_PROVIDER',
  'STORAGE_AWS_ROLE_ARN',
  'STORAGE_ALLOWED_LOCATIONS',
  'STORAGE_BLOCKED_LOCATIONS',
  'STORAGE_AWS_EXTERNAL_ID',
  'STORAGE_AWS_OBJECT_ACL',
  'ENABLED',
  'COMMENT',
];

const REQUIRED: Record<IntegrationCategory, readonly string[]> = {
  API: ['API_PROVIDER', 'API_AWS_ROLE_ARN', 'API_ALLOWED_PREFIXES', 'ENABLED'],
  STORAGE: ['TYPE', 'STORAGE_PROVIDER', 'STORAGE_AWS_ROLE_ARN', 'STORAGE_ALLOWED_LOCATIONS', 'ENABLED'],
};

/** The one statement of a request's text. */
export function parseStatement(text: string, grammar: Grammar = {}): Statement {
  const tokens = tokenize(text);
  const count = statementsIn(tokens);
  if (count > 1) throw statementCount(count);
  const cursor = new Cursor(tokens, grammar);
  const statement = parseOne(cursor, text);
  cursor.end();
  return statement;
}

/** What properties a kind of integration takes, for CREATE and ALTER ... SET. */
export function propertiesOf(category: IntegrationCategory): readonly string[] {
  return category === 'API' ? API_PROPERTIES : STORAGE_PROPERTIES;
}

function statementsIn(tokens: readonly Token[]): number {
  let count = 0;
  let open = false;
  for (const token of tokens) {
    if (token.kind === 'symbol' && token.text === ';') open = false;
    else if (!open) {
      open = true;
      count += 1;
    }
  }
  return count;
}

function parseOne(cursor: Cursor, text: string): Statement {
  if (cursor.accept('CREATE')) return parseCreate(cursor);
  if (cursor.accept('ALTER', 'STAGE')) return parseAlterStage(cursor);
  if (cursor.accept('ALTER', 'FUNCTION')) return parseAlterFunction(cursor);
  if (cursor.accept('ALTER')) return parseAlterIntegration(cursor);
  if (cursor.accept('GRANT')) return parseGrant(cursor);
  if (cursor.accept('SHOW', 'GRANTS')) return parseShowGrants(cursor);
  if (cursor.accept('LIST') || cursor.accept('LS')) return parseList(cursor);
  if (cursor.accept('DESCRIBE') || cursor.accept('DESC')) {
    const category = parseCategory(cursor);
    cursor.expect('INTEGRATION');
    return { type: 'describeIntegration', category, name: cursor.identifier() };
  }
  if (cursor.accept('SHOW')) {
    const category = parseCategory(cursor);
    cursor.expect('INTEGRATIONS');
    const like = cursor.accept('LIKE') ? cursor.string() : undefined;
    return { type: 'showIntegrations', category, like };
  }
  if (cursor.accept('DROP')) {
    if (cursor.accept('FUNCTION')) return parseDropFunction(cursor);
    if (cursor.accept('STAGE')) return parseDropStage(cursor);
    const category = parseCategory(cursor);
    cursor.expect('INTEGRATION');
    const ifExists = cursor.accept('IF', 'EXISTS');
    return { type: 'dropIntegration', category, name: cursor.identifier(), ifExists };
  }
  if (cursor.accept('SELECT')) {
    return CONTEXT_FUNCTIONS.includes(cursor.peek()?.text as ContextFunction)
      ? parseContextFunctions(cursor)
      : parseCallFunction(cursor, text);
  }
  return cursor.fail();
}

const CONTEXT_FUNCTIONS: readonly ContextFunction[] = ['CURRENT_USER', 'CURRENT_ROLE'];

// SELECT CURRENT_USER(), CURRENT_ROLE(): context functions take no argument.
function parseContextFunctions(cursor: Cursor): Statement {
  const functions: ContextFunction[] = [];
  do {
    const fn = cursor.peek()?.text as ContextFunction;
    if (!CONTEXT_FUNCTIONS.includes(fn)) return cursor.fail();
    cursor.take();
    cursor.expectSymbol('(');
    cursor.expectSymbol(')');
    functions.push(fn);
  } while (cursor.acceptSymbol(','));
  return { type: 'contextFunctions', functions };
}

function parseCreate(cursor: Cursor): Statement {
  const orReplace = cursor.accept('OR', 'REPLACE');
  if (cursor.accept('STAGE')) return parseCreateStage(cursor, orReplace);
  if (cursor.accept('PIPE')) return parseCreatePipe(cursor, orReplace);
  if (cursor.accept('EXTERNAL', 'TABLE')) return parseCreateExternalTable(cursor, orReplace);
  cursor.accept('SECURE');
  if (cursor.accept('EXTERNAL', 'FUNCTION')) return parseCreateExternalFunction(cursor, orReplace);
  const category = parseCategory(cursor);
  if (category === undefined) return cursor.fail();
  cursor.expect('INTEGRATION');
  const ifNotExists = cursor.accept('IF', 'NOT', 'EXISTS');
  const name = cursor.identifier();
  const properties = parseProperties(cursor, propertiesOf(category));
  // Snowflake's grammar requires these: a CREATE without one ends too early.
  if (REQUIRED[category].some((property) => properties[property] === undefined)) return cursor.fail();
  if (category === 'STORAGE' && !isStorageProvider(properties.STORAGE_PROVIDER)) return cursor.fail();
  return { type: 'createIntegration', category, name, orReplace, ifNotExists, properties };
}

function parseAlterIntegration(cursor: Cursor): Statement {
  const category = parseCategory(cursor);
  cursor.expect('INTEGRATION');
  const ifExists = cursor.accept('IF', 'EXISTS');
  const name = cursor.identifier();
  const settable = (
    category === undefined ? [...API_PROPERTIES, ...STORAGE_PROPERTIES] : propertiesOf(category)
  ).filter((property) => !['API_PROVIDER', 'TYPE', 'STORAGE_PROVIDER'].includes(property));
  if (cursor.accept('SET')) {
    return {
      type: 'alterIntegration',
      category,
      name,
      ifExists,
      set: parseProperties(cursor, settable),
      unset: [],
    };
  }
  cursor.expect('UNSET');
  const unset: string[] = [];
  do unset.push(knownProperty(cursor, settable));
  while (cursor.acceptSymbol(','));
  return { type: 'alterIntegration', category, name, ifExists, set: {}, unset };
}

// https://docs.snowflake.com/en/sql-reference/sql/create-storage-integration: STORAGE_PROVIDER = 'S3' (public
// regions), 'S3CHINA' or 'S3GOV', written as a string literal; a bare word is refused (lab/README assumption).
function isStorageProvider(value: PropertyValue | undefined): boolean {
  return value?.kind === 'string' && ['S3', 'S3CHINA', 'S3GOV'].includes(value.text.toUpperCase());
}

function parseCategory(cursor: Cursor): IntegrationCategory | undefined {
  if (cursor.accept('API')) return 'API';
  if (cursor.accept('STORAGE')) return 'STORAGE';
  return undefined;
}

function parseProperties(cursor: Cursor, known: readonly string[]): Record<string, PropertyValue> {
  const properties: Record<string, PropertyValue> = {};
  while (!cursor.done && cursor.peek()?.text !== ';') {
    const name = knownProperty(cursor, known);
    properties[name] = cursor.propertyValue();
  }
  return properties;
}

function knownProperty(cursor: Cursor, known: readonly string[]): string {
  const token = cursor.peek();
  if (token?.kind !== 'word' || !known.includes(token.text)) return cursor.fail();
  cursor.take();
  return token.text;
}
