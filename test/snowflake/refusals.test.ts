import { describe, expect, it } from 'vitest';
import type { AuthDiagnostics } from '../../handler/snowflake/client/credentials';
import {
  AuthenticationError,
  FingerprintMismatchError,
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
const WIF: AuthDiagnostics = { mode: 'WORKLOAD_IDENTITY', account: 'A-B', user: 'SVC' };
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

  it('names the registered key slots on a fingerprint mismatch', () => {
    const error = explainRefusal(401, { code: '394304', message: 'x' }, context(KEY_PAIR));

    expect(error).toBeInstanceOf(FingerprintMismatchError);
    expect(error.message).toMatch(
      /RSA_PUBLIC_KEY_FP, RSA_PUBLIC_KEY_2_FP.*ALTER USER SVC SET RSA_PUBLIC_KEY/,
    );
  });

  it.each([
    [KEY_PAIR, 'may use key-pair authentication'],
    [PAT, 'ADD PROGRAMMATIC ACCESS TOKEN'],
    [WIF, 'WORKLOAD_IDENTITY is TYPE = AWS'],
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
    ['CREATE OR REPLACE STORAGE INTEGRATION "X"', 'CREATE INTEGRATION ON ACCOUNT'],
    ['ALTER API INTEGRATION "X"', 'OWNERSHIP of the integration'],
    ['DROP INTEGRATION IF EXISTS "X"', 'OWNERSHIP of the integration'],
    ['DESC INTEGRATION "X"', 'USAGE (or OWNERSHIP) of the integration'],
    ['CREATE OR REPLACE EXTERNAL FUNCTION "D"."S"."F"', 'CREATE FUNCTION on the schema'],
    ['DROP FUNCTION IF EXISTS "D"."S"."F"', 'OWNERSHIP of the function'],
    ['SELECT "D"."S"."F"', 'on the warehouse'],
    ['SHOW INTEGRATIONS', 'the privilege this statement needs'],
  ])('names what %s needs', (summary, privilege) => {
    expect(privilegeFor(summary)).toContain(privilege);
  });
});
