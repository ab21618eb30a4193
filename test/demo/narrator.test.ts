import { describe, expect, it } from 'vitest';
import { Narrator } from '../../scripts/demo/narrator';

const ROOT = 'arn:aws:iam::123456789012:root';
const placeholder = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'SnowflakeTrustLink', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'sts:AssumeRole' },
  ],
};

function narrator(verbose = false): { narrator: Narrator; lines: string[] } {
  const lines: string[] = [];
  return { narrator: new Narrator(verbose, (line) => lines.push(line)), lines };
}

describe('Narrator', () => {
  it('gives the summary as the verdict when every check of the step held', () => {
    const { narrator: story, lines } = narrator();
    story.step('1. First deploy', ['$ sam deploy']);

    story.check(true, 'the stack operation ends CREATE_COMPLETE');
    story.verdict('no link yet');

    expect(lines).toEqual(['\n== 1. First deploy', '  $ sam deploy', '  ok: no link yet']);
    expect(story.problems).toEqual([]);
  });

  it('names the failed checks in the verdict instead of the summary, and keeps them', () => {
    const { narrator: story, lines } = narrator();
    story.step('2. Link', []);

    story.check(false, 'the stack operation ended UPDATE_ROLLBACK_COMPLETE, not UPDATE_COMPLETE');
    story.check(true, 'the roles are gone');
    story.verdict('linked');

    expect(lines.at(-1)).toBe(
      '  NOT OK: the stack operation ended UPDATE_ROLLBACK_COMPLETE, not UPDATE_COMPLETE',
    );
    expect(story.problems).toHaveLength(1);
  });

  it('judges each step by its own checks only', () => {
    const { narrator: story, lines } = narrator();
    story.step('1', []);
    story.check(false, 'a failure in step 1');
    story.verdict('one');
    story.step('2', []);

    story.verdict('two');

    expect(lines.at(-1)).toBe('  ok: two');
    expect(story.problems).toEqual(['a failure in step 1']);
  });

  it('prints checks that held only when verbose', () => {
    const quiet = narrator();
    const verbose = narrator(true);

    for (const { narrator: story } of [quiet, verbose]) story.check(true, 'the roles are gone');

    expect(quiet.lines).toEqual([]);
    expect(verbose.lines).toEqual(['  [ok] the roles are gone']);
  });

  it('tells a created role, an unchanged one and a deleted one apart', () => {
    const { narrator: story, lines } = narrator();

    story.trustChanges(
      new Map([
        ['kept', placeholder],
        ['gone', placeholder],
      ]),
      new Map<string, unknown>([
        ['kept', placeholder],
        ['gone', undefined],
        ['new', placeholder],
      ]),
    );

    expect(lines).toEqual([
      '  trust policy of kept: unchanged',
      '  trust policy of gone: role deleted',
      '  trust policy of new (role created):',
      '    + Sid SnowflakeTrustLink',
      '        + Effect: Allow',
      `        + Principal.AWS: ${ROOT}`,
      '        + Action: sts:AssumeRole',
    ]);
  });
});
