import { describe, expect, it } from 'vitest';
import { LinkError } from '../../scripts/link/errors';
import { mergedOverrides, overridePair, overridePairs } from '../../scripts/link/parameter-overrides';

const LINKED = {
  SnowflakeIamUserArn: 'arn:aws:iam::123456789001:user/abc1-b-self1234',
  SnowflakeExternalId: 'A=1,B/2+',
};

describe('overridePairs', () => {
  it.each([
    ['Stage=prod', [['Stage', 'Stage=prod']]],
    [
      '  Stage=prod   Size=2 ',
      [
        ['Stage', 'Stage=prod'],
        ['Size', 'Size=2'],
      ],
    ],
    [
      'Stage="prod" Note="a b c"',
      [
        ['Stage', 'Stage="prod"'],
        ['Note', 'Note="a b c"'],
      ],
    ],
    [
      "Note='a b' Id=x=y",
      [
        ['Note', "Note='a b'"],
        ['Id', 'Id=x=y'],
      ],
    ],
    [
      'Note="say \\"hi\\"" Next=1',
      [
        ['Note', 'Note="say \\"hi\\""'],
        ['Next', 'Next=1'],
      ],
    ],
    ['"Quoted"=1', [['Quoted', '"Quoted"=1']]],
    [
      'ParameterKey=Stage,ParameterValue=prod ParameterKey=Size,ParameterValue=2',
      [
        ['Stage', 'ParameterKey=Stage,ParameterValue=prod'],
        ['Size', 'ParameterKey=Size,ParameterValue=2'],
      ],
    ],
    ['', []],
    ['not a pair', []],
  ])('finds in %j the pairs sam finds', (entry, pairs) => {
    expect(overridePairs(entry).map((pair) => [pair.key, pair.text])).toEqual(pairs);
  });
});

describe('overridePair', () => {
  it('quotes the value so that commas, + / and = stay in one value', () => {
    expect(overridePair('SnowflakeExternalId', 'A_SFCRole=2_x/y+z=,B_SFCRole=1_q=')).toBe(
      'SnowflakeExternalId="A_SFCRole=2_x/y+z=,B_SFCRole=1_q="',
    );
  });

  it.each([['a"b'], ['a\\b'], ['a b']])('refuses the value %j that sam would read differently', (value) => {
    expect(() => overridePair('Key', value)).toThrow(LinkError);
  });
});

describe('mergedOverrides', () => {
  it('keeps the other pairs as written and sets the linked ones last', () => {
    const entries = [
      'Stage="prod" SnowflakeExternalId="OLD_SFCRole=1_a=" Note=\'x y\'',
      'SnowflakeIamUserArn=old',
    ];

    expect(mergedOverrides(entries, LINKED)).toEqual([
      'Stage="prod"',
      "Note='x y'",
      `SnowflakeIamUserArn="${LINKED.SnowflakeIamUserArn}"`,
      `SnowflakeExternalId="${LINKED.SnowflakeExternalId}"`,
    ]);
  });

  it('drops a linked key written in the ParameterKey form too', () => {
    const entries = [
      'ParameterKey=SnowflakeExternalId,ParameterValue=old ParameterKey=Stage,ParameterValue=prod',
    ];

    expect(mergedOverrides(entries, LINKED).slice(0, 1)).toEqual(['ParameterKey=Stage,ParameterValue=prod']);
  });

  it('passes only the linked pairs when samconfig has none', () => {
    expect(mergedOverrides([], LINKED)).toHaveLength(2);
  });
});
