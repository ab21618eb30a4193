import { describe, expect, it } from 'vitest';
import { externalIdProblem, userArnProblem } from '../../handler/trust-link/rules';
import {
  EXTERNAL_IDS_PARAMETER_PATTERN,
  emptyOr,
  USER_ARN_PARAMETER_PATTERN,
} from '../../scripts/template-check/allowed-patterns';
import type { Template } from '../../scripts/template-check/template';
import { mainTemplate, storageTemplate } from './fixtures';

const TEMPLATES: [string, Template][] = [
  ['template.yaml', mainTemplate],
  ['examples/storage-integration.yaml', storageTemplate],
];

function allowedPattern(template: Template, parameter: string): string {
  const pattern = template.Parameters?.[parameter]?.AllowedPattern;
  if (typeof pattern !== 'string') throw new Error(`${parameter} has no AllowedPattern`);
  return pattern;
}

/** CloudFormation matches AllowedPattern against the whole value. */
function accepts(pattern: string, value: string): boolean {
  return new RegExp(pattern).test(value);
}

const GOOD_USER_ARNS = [
  '',
  'arn:aws:iam::123456789001:user/abc1-b-self1234',
  'arn:aws:iam::123456789001:user/development/development_user',
  'arn:aws-us-gov:iam::123456789001:user/x',
  'arn:aws-cn:iam::123456789001:user/a/b/c/name+=,.@-_',
];
const BAD_USER_ARNS = [
  'arn:aws:iam::1234567898012:user/development/development_user',
  'arn:aws:iam::123456789001:role/snowflake',
  'arn:aws:iam::123456789001:user/abc1 b',
  ' arn:aws:iam::123456789001:user/abc1-b-self1234',
  'arn:aws:iam::123456789001:user/abc1-b-self1234\n',
  'AIDAEXAMPLEUNIQUEID',
  'arn:aws:sts::123456789001:assumed-role/x/snowflake',
  'arn:azure:iam::123456789001:user/x',
  'arn:aws:iam::123456789001:user/',
];
const GOOD_EXTERNAL_IDS = [
  '',
  'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=',
  'EXTERNAL_FUNCTIONS_SFCRole=3_8Hcmbi9halFOkt+MdilPi7rdgOv=',
  'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=,MYACCOUNT_SFCRole=2_b7c8d9e0/tUvWxYz0123456789A=',
  'ab',
  'x'.repeat(1224),
];
const BAD_EXTERNAL_IDS = [
  'a',
  'x'.repeat(1225),
  'abc def',
  'abc"def',
  'abc#def',
  'ab,c',
  'ab,,cd',
  'ab,',
  ',ab',
  'ab, cd',
  ' ab',
];

describe.each(TEMPLATES)('the link parameters of %s', (_file, template) => {
  it('constrain SnowflakeIamUserArn with the user ARN rule of the handler, empty allowed', () => {
    expect(allowedPattern(template, 'SnowflakeIamUserArn')).toBe(USER_ARN_PARAMETER_PATTERN);
  });

  it('constrain SnowflakeExternalId with the external id rule of the handler, as a comma-separated list or empty', () => {
    expect(allowedPattern(template, 'SnowflakeExternalId')).toBe(EXTERNAL_IDS_PARAMETER_PATTERN);
  });

  it('default to empty for the first deploy', () => {
    expect(template.Parameters?.SnowflakeIamUserArn?.Default).toBe('');
    expect(template.Parameters?.SnowflakeExternalId?.Default).toBe('');
  });
});

describe('the AllowedPattern of SnowflakeIamUserArn', () => {
  const pattern = allowedPattern(mainTemplate, 'SnowflakeIamUserArn');

  it.each(GOOD_USER_ARNS)('accepts "%s"', (value) => {
    expect(accepts(pattern, value)).toBe(true);
  });

  it.each(BAD_USER_ARNS)('rejects "%s"', (value) => {
    expect(accepts(pattern, value)).toBe(false);
  });

  it.each([...GOOD_USER_ARNS, ...BAD_USER_ARNS])('agrees with the handler on "%s"', (value) => {
    const handlerAccepts = value === '' || userArnProblem(value) === undefined;

    expect(accepts(pattern, value)).toBe(handlerAccepts);
  });
});

describe('the AllowedPattern of SnowflakeExternalId', () => {
  const pattern = allowedPattern(mainTemplate, 'SnowflakeExternalId');

  it.each(GOOD_EXTERNAL_IDS.map((v) => [v.length > 60 ? `${v.slice(0, 20)}... (${v.length})` : v, v]))(
    'accepts "%s"',
    (_shown, value) => {
      expect(accepts(pattern, value)).toBe(true);
    },
  );

  it.each(BAD_EXTERNAL_IDS.map((v) => [v.length > 60 ? `${v.slice(0, 20)}... (${v.length})` : v, v]))(
    'rejects "%s"',
    (_shown, value) => {
      expect(accepts(pattern, value)).toBe(false);
    },
  );

  it.each([...GOOD_EXTERNAL_IDS, ...BAD_EXTERNAL_IDS].map((v) => [v.slice(0, 60), v]))(
    'agrees with the handler, id by id, on "%s"',
    (_shown, value) => {
      const handlerAccepts =
        value === '' || value.split(',').every((id) => externalIdProblem(id) === undefined);

      expect(accepts(pattern, value)).toBe(handlerAccepts);
    },
  );
});

describe('the derived patterns', () => {
  it.each([
    ['USER_ARN_PARAMETER_PATTERN', USER_ARN_PARAMETER_PATTERN],
    ['EXTERNAL_IDS_PARAMETER_PATTERN', EXTERNAL_IDS_PARAMETER_PATTERN],
  ])('%s uses only regular-expression syntax Java reads as JavaScript does', (_name, pattern) => {
    // Lookarounds, named groups, backreferences, Unicode classes and flags differ or are missing.
    const unshared = [/\(\?[<=!]/, /\\[kpPuUQE]/, /\\[1-9]/, /\(\?[a-z]/i, /\[\[|&&/];

    expect(unshared.filter((construct) => construct.test(pattern.replace(/\(\?:/g, '')))).toEqual([]);
    expect(pattern.startsWith('^') && pattern.endsWith('$')).toBe(true);
  });

  it('refuses a rule that is not anchored at both ends', () => {
    expect(() => emptyOr('[a-z]+')).toThrow('is not anchored at both ends');
  });
});

describe('the AllowedPattern of SnowflakeConnection', () => {
  // The SQL API documents no workload-identity sign-in (docs/snowflake-setup.md): only a secret's ARN, or empty.
  it.each(TEMPLATES)('in %s refuses WORKLOAD_IDENTITY and keeps a secret ARN', (_name, template) => {
    const pattern = allowedPattern(template, 'SnowflakeConnection');

    expect(accepts(pattern, 'WORKLOAD_IDENTITY')).toBe(false);
    expect(accepts(pattern, '')).toBe(true);
    expect(accepts(pattern, 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:sf-AbCdEf')).toBe(true);
  });

  it.each(TEMPLATES)('in %s has no workload-identity parameters left', (_name, template) => {
    const names = Object.keys(template.Parameters ?? {});

    expect(names).not.toContain('SnowflakeAccount');
    expect(names).not.toContain('SnowflakeUser');
    expect(names).not.toContain('SnowflakeWarehouse');
  });
});
