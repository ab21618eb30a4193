// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are CloudFormation Fn::Sub text.
import { describe, expect, it } from 'vitest';
import { parseTemplate, TemplateSyntaxError } from '../../scripts/template-check/template';

function parsedValue(yaml: string): unknown {
  return parseTemplate(`Value: ${yaml}\n`).Value;
}

describe('CloudFormation short-form YAML tags', () => {
  it.each([
    ['!Ref Bucket', { Ref: 'Bucket' }],
    ['!GetAtt Role.Arn', { 'Fn::GetAtt': ['Role', 'Arn'] }],
    [
      '!GetAtt Function.SnapStartResponse.ApplyOn',
      { 'Fn::GetAtt': ['Function', 'SnapStartResponse.ApplyOn'] },
    ],
    ['!GetAtt [Role, Arn]', { 'Fn::GetAtt': ['Role', 'Arn'] }],
    ['!Sub "arn:${AWS::Partition}:s3:::b"', { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::b' }],
    ['!Sub ["${A}-x", {A: !Ref B}]', { 'Fn::Sub': ['${A}-x', { A: { Ref: 'B' } }] }],
    ['!If [Cond, a, !Ref AWS::NoValue]', { 'Fn::If': ['Cond', 'a', { Ref: 'AWS::NoValue' }] }],
    ['!Equals [!Ref P, ""]', { 'Fn::Equals': [{ Ref: 'P' }, ''] }],
    ['!Not [!Equals [a, b]]', { 'Fn::Not': [{ 'Fn::Equals': ['a', 'b'] }] }],
    ['!And [!Condition A, !Condition B]', { 'Fn::And': [{ Condition: 'A' }, { Condition: 'B' }] }],
    ['!Or [!Condition A, !Condition B]', { 'Fn::Or': [{ Condition: 'A' }, { Condition: 'B' }] }],
    ['!Split [",", !Ref Ids]', { 'Fn::Split': [',', { Ref: 'Ids' }] }],
    ['!Join ["", [a, !Ref B]]', { 'Fn::Join': ['', ['a', { Ref: 'B' }]] }],
    ['!Select [0, !GetAZs ""]', { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }],
    [
      '!FindInMap [Map, !Ref AWS::Partition, Key]',
      { 'Fn::FindInMap': ['Map', { Ref: 'AWS::Partition' }, 'Key'] },
    ],
    ['!Base64 "#!/bin/sh"', { 'Fn::Base64': '#!/bin/sh' }],
    ['!Base64 {"Fn::Sub": "x${A}"}', { 'Fn::Base64': { 'Fn::Sub': 'x${A}' } }],
    ['!ImportValue stack-TrustLinkServiceToken', { 'Fn::ImportValue': 'stack-TrustLinkServiceToken' }],
    ['!GetAZs ""', { 'Fn::GetAZs': '' }],
    ['!Cidr [10.0.0.0/16, 4, 8]', { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] }],
  ])('reads %s as its long form', (yaml, longForm) => {
    expect(parsedValue(yaml)).toEqual(longForm);
  });

  it('reads a tagged mapping', () => {
    const value = parsedValue('!Sub\n  - "${A}"\n  - A: !Ref B');

    expect(value).toEqual({ 'Fn::Sub': ['${A}', { A: { Ref: 'B' } }] });
  });

  it('reads JSON templates too', () => {
    expect(parseTemplate('{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}')).toEqual({
      Resources: { B: { Type: 'AWS::S3::Bucket' } },
    });
  });

  it.each([
    ['a duplicate key', 'Resources: {}\nResources: {}\n'],
    ['a list at the top', '- Resources\n'],
    ['broken YAML', 'Resources: [\n'],
    // As CloudFormation: two short forms on one node need the long form for one of them.
    ['two tags on one node', 'Value: !Base64 !Sub "x"\n'],
  ])('refuses %s', (_case, text) => {
    expect(() => parseTemplate(text)).toThrow(TemplateSyntaxError);
  });
});
