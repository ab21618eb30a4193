// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} is CloudFormation's Fn::Sub syntax here, not JavaScript's
import { describe, expect, it } from 'vitest';
import { evaluateCondition, parseTemplate, resolveValue, TemplateError } from '../../lab/cloudformation';

const scope = {
  region: 'eu-west-1',
  mappings: { Provider: { aws: { REGIONAL: 'aws_api_gateway' } } },
  condition: (name: string) => name === 'Yes',
  ref: (name: string) =>
    ({ 'AWS::Partition': 'aws', 'AWS::AccountId': '123456789012', Ids: ['a', 'b'], Role: 'my-role' })[name],
  getAtt: (logicalId: string, attribute: string) => `${logicalId}/${attribute}`,
  importValue: (name: string) => `imported ${name}`,
};

describe('parseTemplate', () => {
  it('turns short-form tags into their long form', () => {
    const template = parseTemplate(`
Resources:
  R:
    Type: Custom::X
    Properties:
      A: !Ref Role
      B: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root'
      C: !GetAtt Fn.Arn
      D: !If [Yes, !Split [',', 'a,b'], !Ref AWS::NoValue]
      E: !Join ['-', [x, !Ref Role]]
`);

    expect(template.Resources.R?.Properties).toEqual({
      A: { Ref: 'Role' },
      B: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' },
      C: { 'Fn::GetAtt': ['Fn', 'Arn'] },
      D: { 'Fn::If': ['Yes', { 'Fn::Split': [',', 'a,b'] }, { Ref: 'AWS::NoValue' }] },
      E: { 'Fn::Join': ['-', ['x', { Ref: 'Role' }]] },
    });
  });

  it('reads JSON templates too', () => {
    const template = parseTemplate('{"Resources": {"R": {"Type": "Custom::X"}}}');

    expect(template.Resources.R?.Type).toBe('Custom::X');
  });

  it.each([
    ['text without Resources', 'Parameters: {}', 'no Resources section'],
    ['broken YAML', 'Resources: [', 'not valid YAML'],
  ])('refuses %s', (_case, text, message) => {
    expect(() => parseTemplate(text)).toThrow(message);
  });
});

describe('resolveValue', () => {
  it.each([
    [
      'Fn::Sub with pseudo parameters',
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' },
      'arn:aws:iam::123456789012:root',
    ],
    [
      'Fn::Sub with its own variables and a literal',
      { 'Fn::Sub': ['${X}-${!Literal}-${Fn.Arn}', { X: { Ref: 'Role' } }] },
      'my-role-${Literal}-Fn/Arn',
    ],
    ['Fn::Sub with a list parameter', { 'Fn::Sub': '${Ids}' }, 'a,b'],
    ['Fn::GetAtt', { 'Fn::GetAtt': ['Fn', 'Arn'] }, 'Fn/Arn'],
    ['Fn::Join', { 'Fn::Join': [',', { Ref: 'Ids' }] }, 'a,b'],
    ['Fn::Select', { 'Fn::Select': ['1', { Ref: 'Ids' }] }, 'b'],
    ['Fn::Split', { 'Fn::Split': [',', 'x,y'] }, ['x', 'y']],
    ['Fn::If', { 'Fn::If': ['Yes', 'then', 'else'] }, 'then'],
    [
      'Fn::FindInMap',
      { 'Fn::FindInMap': ['Provider', { Ref: 'AWS::Partition' }, 'REGIONAL'] },
      'aws_api_gateway',
    ],
    ['Fn::Base64', { 'Fn::Base64': 'hi' }, 'aGk='],
    ['Fn::Contains', { 'Fn::Contains': [{ Ref: 'Ids' }, 'b'] }, true],
    ['Fn::ImportValue', { 'Fn::ImportValue': { 'Fn::Sub': '${Role}-Token' } }, 'imported my-role-Token'],
  ])('resolves %s', (_case, value, expected) => {
    expect(resolveValue(value, scope)).toEqual(expected);
  });

  it('leaves out a property that resolves to AWS::NoValue', () => {
    const value = { Keep: 1, Drop: { 'Fn::If': ['No', 'x', { Ref: 'AWS::NoValue' }] } };

    expect(resolveValue(value, scope)).toEqual({ Keep: 1 });
  });

  it('refuses an intrinsic function it does not know', () => {
    expect(() => resolveValue({ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }, scope)).toThrow(TemplateError);
  });

  it('refuses an import where no other stack exports', () => {
    const { importValue: _, ...alone } = scope;

    expect(() => resolveValue({ 'Fn::ImportValue': 'x' }, alone)).toThrow('does not import values');
  });
});

describe('evaluateCondition', () => {
  it.each([
    [{ 'Fn::Equals': [{ Ref: 'Role' }, 'my-role'] }, true],
    [{ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Role' }, ''] }] }, true],
    [{ 'Fn::And': [{ Condition: 'Yes' }, { Condition: 'No' }] }, false],
    [{ 'Fn::Or': [{ Condition: 'Yes' }, { Condition: 'No' }] }, true],
  ])('evaluates %j to %s', (expression, expected) => {
    expect(evaluateCondition(expression, scope)).toBe(expected);
  });

  it('refuses an expression that is not a condition', () => {
    expect(() => evaluateCondition({ Ref: 'Role' }, scope)).toThrow(TemplateError);
  });
});
