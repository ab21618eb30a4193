import { describe, expect, it } from 'vitest';
import { checkTemplate } from '../../scripts/template-check/check-template';
import { parseTemplate } from '../../scripts/template-check/template';
import { mainTemplate, storageTemplate } from './fixtures';

// A small valid template; each case below breaks it in one way.
const VALID = `
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Retention:
    Type: Number
    Default: 30
  Names:
    Type: CommaDelimitedList
    Default: a,b
Conditions:
  Keep: !Equals [!Ref Retention, 30]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub '/app/\${Role}'
      RetentionInDays: !Ref Retention
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
      Runtime: nodejs22.x
      Handler: index.handler
      Code: { ZipFile: 'exports.handler = async () => 1;' }
      Environment:
        Variables:
          LOG_GROUP: !Ref Logs
Outputs:
  FunctionArn:
    Value: !GetAtt Function.Arn
`;

function problemsAfter(edit: (text: string) => string): string[] {
  const template = parseTemplate(edit(VALID));
  return checkTemplate(template).map(({ at, message }) => `${at}: ${message}`);
}

function replaced(from: string, to: string): (text: string) => string {
  return (text) => {
    if (!text.includes(from)) throw new Error(`the valid template has no ${from}`);
    return text.replace(from, to);
  };
}

function appended(extra: string): (text: string) => string {
  return (text) => text.replace('\nOutputs:', `${extra}\nOutputs:`);
}

describe('the template checker', () => {
  it('finds nothing wrong with a valid template', () => {
    expect(problemsAfter((text) => text)).toEqual([]);
  });

  it.each([
    [
      'a misspelt property',
      replaced('RetentionInDays:', 'RetentionInDay:'),
      'Resources.Logs.Properties.RetentionInDay: unknown property RetentionInDay (did you mean RetentionInDays?)',
    ],
    [
      'a misspelt property inside a nested type',
      replaced('Variables:', 'Variable:'),
      'Resources.Function.Properties.Environment.Variable: unknown property Variable (did you mean Variables?)',
    ],
    [
      'a missing required property',
      replaced('      AssumeRolePolicyDocument:', '      Description: no trust\n      Unused:'),
      'Resources.Role.Properties: missing required property AssumeRolePolicyDocument',
    ],
    [
      'an unknown resource type',
      replaced('AWS::Logs::LogGroup', 'AWS::Logs::LogGrp'),
      'Resources.Logs.Type: unknown resource type AWS::Logs::LogGrp',
    ],
    [
      'a property of the wrong kind',
      replaced('RetentionInDays: !Ref Retention', 'RetentionInDays: [30]'),
      'Resources.Logs.Properties.RetentionInDays: is a list, but an integer is expected',
    ],
    [
      'a list parameter where a string belongs',
      replaced(`LogGroupName: !Sub '/app/\${Role}'`, 'LogGroupName: !Ref Names'),
      'Resources.Logs.Properties.LogGroupName: Ref gives a list, but a string is expected',
    ],
    [
      'a dangling Ref',
      replaced('LOG_GROUP: !Ref Logs', 'LOG_GROUP: !Ref Log'),
      'Resources.Function.Properties.Environment.Variables.LOG_GROUP.Ref: Log is not a parameter, resource or pseudo parameter',
    ],
    [
      'a dangling Fn::Sub variable',
      replaced(`'/app/\${Role}'`, `'/app/\${Rolle}'`),
      'Resources.Logs.Properties.LogGroupName.Fn::Sub: Rolle is not a parameter, resource or pseudo parameter',
    ],
    [
      'a misspelt pseudo parameter',
      replaced(`'/app/\${Role}'`, `'/app/\${AWS::Regoin}'`),
      'Resources.Logs.Properties.LogGroupName.Fn::Sub: AWS::Regoin is not a parameter, resource or pseudo parameter',
    ],
    [
      'a wrong Fn::GetAtt attribute',
      replaced('!GetAtt Role.Arn', '!GetAtt Role.RoleArn'),
      'Resources.Function.Properties.Role.Fn::GetAtt: AWS::IAM::Role has no attribute RoleArn (it has: Arn, RoleId)',
    ],
    [
      'a wrong attribute in a Fn::Sub variable',
      replaced(`'/app/\${Role}'`, `'/app/\${Role.Name}'`),
      'Resources.Logs.Properties.LogGroupName.Fn::Sub: AWS::IAM::Role has no attribute Name (it has: Arn, RoleId)',
    ],
    [
      'a Fn::GetAtt of a parameter',
      replaced('!GetAtt Function.Arn', '!GetAtt Retention.Arn'),
      'Outputs.FunctionArn.Value.Fn::GetAtt: Retention is not a resource (in Retention.Arn)',
    ],
    [
      'a dependency cycle',
      replaced(`'/app/\${Role}'`, `'/app/\${Function}'`),
      'Resources.Logs: circular dependency: Logs -> Function -> Logs',
    ],
    [
      'a cycle through DependsOn',
      replaced(
        '  Role:\n    Type: AWS::IAM::Role\n',
        '  Role:\n    Type: AWS::IAM::Role\n    DependsOn: Function\n',
      ),
      'Resources.Role: circular dependency: Role -> Function -> Role',
    ],
    [
      'a DependsOn on no resource',
      replaced(
        '  Function:\n    Type: AWS::Lambda::Function\n',
        '  Function:\n    Type: AWS::Lambda::Function\n    DependsOn: [Logs, Queue]\n',
      ),
      'Resources.Function.DependsOn: Queue is not a resource',
    ],
    [
      'an undeclared condition on a resource',
      replaced(
        '  Logs:\n    Type: AWS::Logs::LogGroup\n',
        '  Logs:\n    Type: AWS::Logs::LogGroup\n    Condition: Kept\n',
      ),
      'Resources.Logs.Condition: condition Kept is not declared in Conditions',
    ],
    [
      'an undeclared condition in Fn::If',
      replaced('RetentionInDays: !Ref Retention', 'RetentionInDays: !If [Kept, 30, 7]'),
      'Resources.Logs.Properties.RetentionInDays.Fn::If: condition Kept is not declared in Conditions',
    ],
    [
      'a conditional resource used where its condition may not hold',
      replaced(
        '  Logs:\n    Type: AWS::Logs::LogGroup\n',
        '  Logs:\n    Type: AWS::Logs::LogGroup\n    Condition: Keep\n',
      ),
      'Resources.Function.Properties.Environment.Variables.LOG_GROUP.Ref: Logs exists only when Keep holds: use it inside !If [Keep, ...] or under the same Condition',
    ],
    [
      'a condition that refers to a resource',
      replaced('Keep: !Equals [!Ref Retention, 30]', 'Keep: !Equals [!Ref Logs, 30]'),
      'Conditions.Keep.Fn::Equals[0].Ref: Logs is not a parameter: conditions may refer only to parameters',
    ],
    [
      'a missing mapping',
      replaced(
        'RetentionInDays: !Ref Retention',
        'RetentionInDays: !FindInMap [Retention, !Ref AWS::Region, Days]',
      ),
      'Resources.Logs.Properties.RetentionInDays.Fn::FindInMap: mapping Retention is not declared in Mappings',
    ],
    [
      'a SAM resource without the Serverless transform',
      appended('\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod'),
      'Resources.Api.Type: AWS::Serverless::Api needs "Transform: AWS::Serverless-2016-10-31" in the template',
    ],
    [
      'a misspelt property of a custom resource the checker knows',
      appended(
        '\n  Link:\n    Type: Custom::SnowflakeTrustLink\n    Properties:\n      ServiceToken: !GetAtt Function.Arn\n      RoleName: !Ref Role\n      SnowflakeIamUserArn: arn\n      SnowflakeExternalIds: [id]',
      ),
      'Resources.Link.Properties.SnowflakeExternalIds: unknown property SnowflakeExternalIds (did you mean SnowflakeExternalId?)',
    ],
    [
      'a custom resource without its ServiceToken',
      appended('\n  Other:\n    Type: Custom::Other\n    Properties:\n      Anything: 1'),
      'Resources.Other.Properties: missing required property ServiceToken',
    ],
    [
      'a parameter default its own AllowedPattern refuses',
      replaced('    Type: CommaDelimitedList\n', '    Type: String\n    AllowedPattern: "^[a-z]+$"\n'),
      'Parameters.Names.Default: "a,b" does not match AllowedPattern ^[a-z]+$',
    ],
    [
      'a Fn::GetAtt without an attribute',
      replaced('!GetAtt Role.Arn', '!GetAtt Role'),
      'Resources.Function.Properties.Role.Fn::GetAtt: Fn::GetAtt takes [resource, attribute] or "resource.attribute"',
    ],
    [
      'a Fn::If without its false branch',
      replaced('RetentionInDays: !Ref Retention', 'RetentionInDays: !If [Keep, 30]'),
      'Resources.Logs.Properties.RetentionInDays.Fn::If: Fn::If takes [condition, value if true, value if false]',
    ],
    [
      'a Fn::Sub with a list of three',
      replaced(`'/app/\${Role}'`, '[a, {}, b]'),
      'Resources.Logs.Properties.LogGroupName.Fn::Sub: Fn::Sub takes a string, or [string, {variable: value}]',
    ],
    [
      'an unknown section',
      (text: string) => `${text}Output:\n  X:\n    Value: 1\n`,
      'template.Output: unknown section Output',
    ],
    [
      'an output without a value',
      replaced('    Value: !GetAtt Function.Arn', '    Description: the ARN'),
      'Outputs.FunctionArn: has no Value',
    ],
  ])('catches %s', (_mistake, edit, expected) => {
    const problems = problemsAfter(edit);

    expect(problems).toContain(expected);
  });

  it('reads an escaped Fn::Sub placeholder as text, and local variables as defined', () => {
    const edit = replaced(`'/app/\${Role}'`, `['/app/\${!NotARef}/\${Local}', {Local: !Ref Role}]`);

    expect(problemsAfter(edit)).toEqual([]);
  });

  it('accepts the Globals section of a SAM template, and only there', () => {
    const globals = (text: string) => `${text}Globals:\n  Function:\n    Timeout: 10\n`;
    const sam = (text: string) => `Transform: AWS::Serverless-2016-10-31\n${globals(text)}`;

    expect(problemsAfter(sam)).toEqual([]);
    expect(problemsAfter(globals)).toEqual(['template.Globals: unknown section Globals']);
  });

  it('accepts a conditional resource used inside !If on its condition', () => {
    const edit = (text: string) =>
      replaced(
        '  Logs:\n    Type: AWS::Logs::LogGroup\n',
        '  Logs:\n    Type: AWS::Logs::LogGroup\n    Condition: Keep\n',
      )(text).replace('LOG_GROUP: !Ref Logs', 'LOG_GROUP: !If [Keep, !Ref Logs, !Ref AWS::NoValue]');

    expect(problemsAfter(edit)).toEqual([]);
  });

  it.each([
    ['template.yaml', mainTemplate],
    ['examples/storage-integration.yaml', storageTemplate],
  ])('finds nothing wrong with %s', (_file, template) => {
    expect(checkTemplate(template)).toEqual([]);
  });
});
