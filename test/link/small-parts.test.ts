import { describe, expect, it } from 'vitest';
import { samDeployArgs } from '../../scripts/link/deploy-command';
import { readDescribeOutput } from '../../scripts/link/describe-input';
import { UsageError } from '../../scripts/link/errors';
import { givenOldExternalIds, linkedExternalIds } from '../../scripts/link/external-ids';
import { shellQuote, shellQuoteArg } from '../../scripts/link/shell-quote';
import { toolMessage } from '../../scripts/link/tool-message';

describe('samDeployArgs', () => {
  it('passes on only what was given, then the options given after --, and the overrides last', () => {
    expect(
      samDeployArgs({ configEnv: 'prod', profile: 'ops' }, ['--no-confirm-changeset'], ['A="1"', 'B="2"']),
    ).toEqual([
      'deploy',
      '--config-env',
      'prod',
      '--profile',
      'ops',
      '--no-confirm-changeset',
      '--parameter-overrides',
      'A="1"',
      'B="2"',
    ]);
  });
});

describe('linkedExternalIds', () => {
  it('puts the new id first and keeps each old id once', () => {
    expect(
      linkedExternalIds('NEW_SFCRole=1_n=', ['OLD_SFCRole=1_o=', 'NEW_SFCRole=1_n=', 'OLD_SFCRole=1_o=']),
    ).toEqual(['NEW_SFCRole=1_n=', 'OLD_SFCRole=1_o=']);
  });
});

describe('givenOldExternalIds', () => {
  it('splits comma-separated lists and trims them', () => {
    expect(givenOldExternalIds(['A_SFCRole=1_a=, B_SFCRole=1_b=', 'A_SFCRole=1_a='])).toEqual([
      'A_SFCRole=1_a=',
      'B_SFCRole=1_b=',
    ]);
  });

  it.each([[['A_SFCRole=1_a=,']], [['x']], [['has space']]])('refuses %j', (values) => {
    expect(() => givenOldExternalIds(values)).toThrow();
  });
});

describe('shellQuote', () => {
  it.each([
    ['plain-word_1.2/x:y=z,w+@%', 'plain-word_1.2/x:y=z,w+@%'],
    ['a b', "'a b'"],
    ['K="v"', `'K="v"'`],
    ["it's", `'it'\\''s'`],
    ['', "''"],
    ['$HOME', "'$HOME'"],
  ])('quotes %j as %s', (arg, quoted) => {
    expect(shellQuoteArg(arg)).toBe(quoted);
  });

  it('joins the quoted arguments with spaces', () => {
    expect(shellQuote(['sam', 'deploy', 'A="x y"'])).toBe(`sam deploy 'A="x y"'`);
  });
});

describe('toolMessage', () => {
  it('puts what a tool printed on one line without the box around it', () => {
    const boxed = '╭─ Error ──────╮\n│ Object does not exist. │\n╰──────────────╯\n';

    expect(toolMessage(boxed)).toBe('Error Object does not exist.');
  });

  it('says when the tool printed nothing', () => {
    expect(toolMessage('\n\n')).toBe('(it printed nothing)');
  });

  it('cuts a long message', () => {
    expect(toolMessage('x'.repeat(1000))).toHaveLength(403);
  });
});

describe('readDescribeOutput', () => {
  it('asks for input rather than wait on a terminal', () => {
    const read = () => readDescribeOutput({ kind: 'stdin' }, { userDir: '/', stdinIsTty: true });

    expect(read).toThrow(UsageError);
    expect(read).toThrow(
      /No input: pipe DESCRIBE INTEGRATION output in, or give --from FILE or --integration NAME/,
    );
  });

  it('names a --from file that is not there', () => {
    const read = () =>
      readDescribeOutput({ kind: 'file', path: 'nope.json' }, { userDir: '/nonexistent', stdinIsTty: false });

    expect(read).toThrow('--from nope.json: no such file.');
  });
});
