// The Snowflake function's settings from its environment: what the SQL API client is given.
import { describe, expect, it } from 'vitest';
import { sqlApiOptions } from '../../../handler/snowflake/resources/session';

describe('sqlApiOptions', () => {
  it.each([
    [{}, {}],
    [{ SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: '30' }, { statementTimeoutSeconds: 30 }],
    [{ SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: '0' }, {}],
    [{ SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: 'soon' }, {}],
    [{ SNOWFLAKE_ENDPOINT_OVERRIDE: 'http://127.0.0.1:1' }, { endpointOverride: 'http://127.0.0.1:1' }],
    [{ SNOWFLAKE_ENDPOINT_OVERRIDE: '' }, {}],
  ])('reads %o as %o', (env, options) => {
    expect(sqlApiOptions(env)).toEqual(options);
  });
});
