// The stage statements: CREATE [OR REPLACE] STAGE [IF NOT EXISTS] name URL = '...' [STORAGE_INTEGRATION = name]
// [COMMENT = '...'], and DROP STAGE [IF EXISTS] name. Only external stages on S3, as the Snowflake function
// makes them; any other option (CREDENTIALS, FILE_FORMAT, ENCRYPTION ...) is a syntax error.
import type { Cursor } from './cursor';
import { qualifiedName } from './parse-function';
import type { Statement } from './statements';

/** After CREATE [OR REPLACE] STAGE. */
export function parseCreateStage(cursor: Cursor, orReplace: boolean): Statement {
  const ifNotExists = cursor.accept('IF', 'NOT', 'EXISTS');
  const name = qualifiedName(cursor);
  const options: { url?: string; integration?: string; comment?: string } = {};
  while (!cursor.done && cursor.peek()?.text !== ';') {
    if (options.url === undefined && cursor.accept('URL')) options.url = valueAfterEquals(cursor, 'string');
    else if (options.integration === undefined && cursor.accept('STORAGE_INTEGRATION'))
      options.integration = valueAfterEquals(cursor, 'identifier');
    else if (options.comment === undefined && cursor.accept('COMMENT'))
      options.comment = valueAfterEquals(cursor, 'string');
    else cursor.fail();
  }
  // An internal stage (no URL) is not modelled: a CREATE STAGE without one ends too early.
  if (options.url === undefined) return cursor.fail();
  return { type: 'createStage', name, orReplace, ifNotExists, url: options.url, ...optional(options) };
}

/** After DROP STAGE. */
export function parseDropStage(cursor: Cursor): Statement {
  const ifExists = cursor.accept('IF', 'EXISTS');
  return { type: 'dropStage', name: qualifiedName(cursor), ifExists };
}

function valueAfterEquals(cursor: Cursor, kind: 'string' | 'identifier'): string {
  cursor.expectSymbol('=');
  return kind === 'string' ? cursor.string() : cursor.identifier();
}

function optional(options: { integration?: string; comment?: string }) {
  return {
    ...(options.integration === undefined ? {} : { integration: options.integration }),
    ...(options.comment === undefined ? {} : { comment: options.comment }),
  };
}
