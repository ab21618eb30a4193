import { describe, expect, it } from 'vitest';
import type { AuthDiagnostics } from '../../handler/snowflake/client/credentials';
import {
  AuthenticationError,
  InsufficientPrivilegesError,
  JwtRejectedError,
  NotAuthorizedError,
  UnexpectedResponseError,
} from '../../handler/snowflake/client/errors';
import { explainRefusal, failureOf, privilegeFor } from '../../handler/snowflake/client/refusals';

const KEY_PAIR: AuthDiagnostics = {
  mode: 'KEY_PAIR',
  account: 'XY12345-US-EAST-1',
  user: 'SVC',
  issuer: 'XY12345-US-EAST-1.SVC.SHA256:abc=',
  fingerprint: 'SHA256:abc=',
};
const PAT: AuthDiagnostics = { mode: 'PROGRAMMATIC_ACCESS_TOKEN', account: 'A-B', user: 'SVC' };
const context = (auth: AuthDiagnostics) => ({ summary: 'DESCRIBE INTEGRATION "X"', auth });

describe('explainRefusal', () => {
  it('shows what a refused JWT carried and where the usual mistake is', () => {
    const error = explainRefusal(
      401,
      { code: '390144', message: 'JWT token is invalid.' },
      context(KEY_PAIR),
    );

    expect(error).toBeInstanceOf(JwtRejectedError);
    expect(error).toMatchObject({ issuer: KEY_PAIR.issuer, fingerprint: 'SHA256:abc=', code: '390144' });
    expect(error.message).toContain('iss "XY12345-US-EAST-1.SVC.SHA256:abc="');
    expect(error.message).toContain('DESC USER SVC');
    expect(error.message).toContain('"XY12345-US-EAST-1" must be the organization-account name');
    expect(error.message).toContain('without its region');
  });

  it('tells how to read the cause Snowflake keeps, with the id its 390144 message carries', () => {
    const id = '0ce9eb56-821d-4ca9-a774-04ae89a0cf5a';
    const error = explainRefusal(
      401,
      { code: '390144', message: `JWT token is invalid. [${id}]` },
      context(KEY_PAIR),
    );

    expect(error.message).toContain(
      `SELECT JSON_EXTRACT_PATH_TEXT(SYSTEM$GET_LOGIN_FAILURE_DETAILS('${id}'), 'errorCode')`,
    );
    expect(error.message).toContain('MONITOR on the account');
  });

  it('says where the id is when the 390144 message carries none', () => {
    const error = explainRefusal(
      401,
      { code: '390144', message: 'JWT token is invalid.' },
      context(KEY_PAIR),
    );

    expect(error.message).toContain("SYSTEM$GET_LOGIN_FAILURE_DETAILS('<the id in brackets>')");
  });

  it('reads no meaning into 394304, which Snowflake shows only through SYSTEM$GET_LOGIN_FAILURE_DETAILS', () => {
    const error = explainRefusal(401, { code: '394304', message: 'x' }, context(KEY_PAIR));

    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).not.toBeInstanceOf(JwtRejectedError);
  });

  it.each([
    ['CREATE API INTEGRATION "X"', undefined, 'Grant the role CREATE INTEGRATION ON ACCOUNT'],
    ['CREATE STAGE "D"."S"."X"', undefined, 'USAGE and CREATE STAGE on the schema'],
    ['ALTER API INTEGRATION "X"', 'OWNERSHIP of X', 'Grant the role OWNERSHIP of X'],
  ])('names the privilege to grant when Snowflake answers 003001 to %s', (summary, privilege, words) => {
    const failure = {
      code: '003001',
      message: "SQL access control error:\nInsufficient privileges to operate on account 'XY12345'",
      sqlState: '42501',
    };

    const error = explainRefusal(422, failure, { summary, auth: PAT, role: 'SF_ROLE', privilege });

    expect(error).toBeInstanceOf(InsufficientPrivilegesError);
    expect(error).not.toBeInstanceOf(NotAuthorizedError);
    expect(error.message).toContain('role SF_ROLE lacks a privilege');
    expect(error.message).toContain(words);
    expect(error.message).toContain('Insufficient privileges to operate on account');
  });

  it.each([
    [KEY_PAIR, 'may use key-pair authentication'],
    [PAT, 'ADD PROGRAMMATIC ACCESS TOKEN'],
    [PAT, 'network policy'],
  ])('advises on other credential refusals for %o', (auth, words) => {
    const error = explainRefusal(
      403,
      { code: '390100', message: 'Incorrect username or password' },
      context(auth),
    );

    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain(words);
    expect(error.message).toContain('390100 Incorrect username or password');
  });

  it('does not call a 390144 on a token a JWT rejection', () => {
    expect(explainRefusal(401, { code: '390144' }, context(PAT))).not.toBeInstanceOf(JwtRejectedError);
  });

  it('says the user’s default role when the secret names none', () => {
    const error = explainRefusal(422, { code: '002003', message: 'no' }, context(PAT));

    expect(error).toBeInstanceOf(NotAuthorizedError);
    expect(error.message).toContain("the user's default role may not see it");
  });

  it.each([
    [400, 'malformed'],
    [500, 'status.snowflake.com'],
  ])('explains an unexpected HTTP %i', (status, words) => {
    const error = explainRefusal(status, undefined, context(PAT));

    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.message).toContain(`HTTP ${status} (HTTP ${status})`);
    expect(error.message).toContain(words);
  });
});

describe('failureOf', () => {
  it('keeps the string fields Snowflake sends and nothing else', () => {
    expect(
      failureOf({ code: '002003', message: 'm', sqlState: '02000', statementHandle: 'h', extra: 1 }),
    ).toEqual({
      code: '002003',
      message: 'm',
      sqlState: '02000',
      statementHandle: 'h',
    });
    expect(failureOf({ code: 2003 })).toEqual({});
    expect(failureOf('text')).toEqual({});
  });
});

describe('privilegeFor', () => {
  it.each([
    ['CREATE API INTEGRATION "X"', 'CREATE INTEGRATION ON ACCOUNT'],
    ['CREATE OR REPLACE STORAGE INTEGRATION "X"', 'OWNERSHIP of the integration it replaces'],
    ['CREATE STAGE "D"."S"."X"', 'USAGE on the storage integration'],
    ['DROP STAGE IF EXISTS "D"."S"."X"', 'OWNERSHIP of the stage, and USAGE on its database and schema'],
    ['SELECT SYSTEM$VALIDATE_STORAGE_INTEGRATION', 'USAGE on the storage integration'],
    ['ALTER API INTEGRATION "X"', 'OWNERSHIP of the integration'],
    ['DROP INTEGRATION IF EXISTS "X"', 'OWNERSHIP of the integration'],
    ['DESC INTEGRATION "X"', 'USAGE (or OWNERSHIP) of the integration'],
    ['CREATE OR REPLACE EXTERNAL FUNCTION "D"."S"."F"', 'CREATE FUNCTION on the schema'],
    ['CREATE EXTERNAL FUNCTION "D"."S"."F"', 'USAGE on the API integration'],
    ['DROP FUNCTION IF EXISTS "D"."S"."F"', 'OWNERSHIP of the function'],
    ['SELECT "D"."S"."F"', 'on the warehouse'],
    ['SHOW INTEGRATIONS', 'the privilege this statement needs'],
  ])('names what %s needs', (summary, privilege) => {
    expect(privilegeFor(summary)).toContain(privilege);
  });
});
