import { describe, expect, it } from 'vitest';
import { apiIntegration } from '../../handler/snowflake/resources/api-integration';
import { parseFunctionProperties } from '../../handler/snowflake/resources/function-spec';
import { parseStageProperties } from '../../handler/snowflake/resources/stage';
import { storageIntegration } from '../../handler/snowflake/resources/storage-integration';
import { checkTemplate } from '../../scripts/template-check/check-template';
import { CUSTOM_TYPES } from '../../scripts/template-check/custom-types';
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

  it("reads Api.Stage in Fn::Sub, and !Ref Api.Stage, as SAM's reference to the API's stage", () => {
    // Its stage's logical id depends on StageName (ApiStage here, ApiprodStage for a literal "prod"): hence .Stage.
    const api =
      '\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: !Ref AWS::StackName';
    const sam = (use: string) => (text: string) =>
      `Transform: AWS::Serverless-2016-10-31\n${appended(api)(text.replace(`!Sub '/app/\${Role}'`, use))}`;

    expect(problemsAfter(sam(`!Sub '/app/\${Api}/\${Api.Stage}'`))).toEqual([]);
    expect(problemsAfter(sam('!Ref Api.Stage'))).toEqual([]);
    expect(problemsAfter(sam(`!Sub '/app/\${Api.Stages}'`))).toEqual([
      'Resources.Logs.Properties.LogGroupName.Fn::Sub: AWS::Serverless::Api has no attribute Stages (it has: RootResourceId, RestApiId)',
    ]);
    expect(problemsAfter(sam(`!Sub '/app/\${Role.Stage}'`))).toEqual([
      'Resources.Logs.Properties.LogGroupName.Fn::Sub: AWS::IAM::Role has no attribute Stage (it has: Arn, RoleId)',
    ]);
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

// One resource of each Snowflake-side type, with what its handler requires; appended to VALID.
const SNOWFLAKE_RESOURCES: Record<string, string> = {
  'Custom::SnowflakeApiIntegration': `
      Connection: snowflake/connection
      IntegrationName: echo_api
      ApiProvider: aws_api_gateway
      RoleArn: !GetAtt Role.Arn
      AllowedPrefixes: [https://a1b2.execute-api.eu-west-1.amazonaws.com/prod/]`,
  'Custom::SnowflakeStorageIntegration': `
      Connection: snowflake/connection
      IntegrationName: s3_stage
      RoleArn: !GetAtt Role.Arn
      AllowedLocations: s3://bucket/snowflake/`,
  'Custom::SnowflakeExternalFunction': `
      Connection: snowflake/connection
      Database: LAB
      Schema: PUBLIC
      FunctionName: echo
      Arguments: value VARIANT
      IntegrationName: echo_api
      Url: https://a1b2.execute-api.eu-west-1.amazonaws.com/prod/echo
      Verify: "'hello'"`,
  'Custom::SnowflakeStage': `
      Connection: snowflake/connection
      Database: LAB
      Schema: PUBLIC
      StageName: stage
      IntegrationName: s3_stage
      Url: s3://bucket/snowflake/
      Validate: false`,
};

function withSnowflakeResource(type: string, edit: (properties: string) => string = (p) => p) {
  const properties = SNOWFLAKE_RESOURCES[type] ?? '';
  return appended(
    `\n  Snowflake:\n    Type: ${type}\n    Properties:\n      ServiceToken: !GetAtt Function.Arn${edit(properties)}`,
  );
}

// Each handler's parser, and what it says of properties that are unknown or missing.
const HANDLER_PARSERS: Record<string, (properties: unknown) => unknown> = {
  'Custom::SnowflakeApiIntegration': (p) => apiIntegration.parse(p),
  'Custom::SnowflakeStorageIntegration': (p) => storageIntegration.parse(p),
  'Custom::SnowflakeExternalFunction': parseFunctionProperties,
  'Custom::SnowflakeStage': parseStageProperties,
};

function handlerRefusal(type: string, properties: Record<string, unknown>): string {
  try {
    HANDLER_PARSERS[type]?.(properties);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`the handler of ${type} accepted ${JSON.stringify(properties)}`);
}

describe('the template checker on the Snowflake-side types', () => {
  const types = Object.keys(SNOWFLAKE_RESOURCES);

  it.each(types)('finds nothing wrong with a %s its handler accepts', (type) => {
    expect(problemsAfter(withSnowflakeResource(type))).toEqual([]);
  });

  it.each([
    ['Custom::SnowflakeApiIntegration', 'AllowedPrefixes:', 'AllowedPrefix:', 'AllowedPrefixes'],
    ['Custom::SnowflakeStorageIntegration', 'AllowedLocations:', 'AllowedLocation:', 'AllowedLocations'],
    ['Custom::SnowflakeExternalFunction', 'Arguments:', 'Argument:', 'Arguments'],
    ['Custom::SnowflakeStage', 'StageName:', 'StageNmae:', 'StageName'],
  ])('catches a misspelt property of %s', (type, from, to, meant) => {
    const misspelt = to.slice(0, -1);

    const problems = problemsAfter(withSnowflakeResource(type, (p) => p.replace(from, to)));

    expect(problems).toContain(
      `Resources.Snowflake.Properties.${misspelt}: unknown property ${misspelt} (did you mean ${meant}?)`,
    );
  });

  it.each([
    [
      'Custom::SnowflakeApiIntegration',
      'ExternalIds',
      'IntegrationName, IamUserArn, ExternalId, TrustedExternalIds',
    ],
    [
      'Custom::SnowflakeStorageIntegration',
      'IamUser',
      'IntegrationName, IamUserArn, ExternalId, TrustedExternalIds',
    ],
    ['Custom::SnowflakeExternalFunction', 'Result', 'FunctionName, VerifyResult'],
    ['Custom::SnowflakeStage', 'Url', 'StageName, Validation'],
  ])('catches a Fn::GetAtt of an attribute %s does not answer with', (type, attribute, known) => {
    const output = (text: string) => `${text}  Attribute:\n    Value: !GetAtt Snowflake.${attribute}\n`;

    const problems = problemsAfter((text) => output(withSnowflakeResource(type)(text)));

    expect(problems).toEqual([
      `Outputs.Attribute.Value.Fn::GetAtt: ${type} has no attribute ${attribute} (it has: ${known})`,
    ]);
  });

  it.each(types)('catches a %s without Connection', (type) => {
    const withoutConnection = (p: string) => p.replace(/\n {6}Connection: \S+/, '');

    const problems = problemsAfter(withSnowflakeResource(type, withoutConnection));

    expect(problems).toEqual(['Resources.Snowflake.Properties: needs one of the properties Connection']);
  });

  // The declarations are copies of the handlers' lists: these two cases keep them equal.
  it.each(types)('declares for %s exactly the properties its handler takes', (type) => {
    const refusal = handlerRefusal(type, { NoSuchProperty: 'x' });
    const taken = /takes: ([\w, ]+)\./.exec(refusal)?.[1]?.split(', ');

    const declared = Object.keys(CUSTOM_TYPES[type]?.properties ?? {});

    expect(taken?.sort()).toEqual(declared.sort());
  });

  it.each(types)('requires for %s what its handler requires', (type) => {
    const refusal = handlerRefusal(type, {});
    const requiredByHandler = [...refusal.matchAll(/(\w+) is required:/g)].map((m) => m[1]);

    const declared = CUSTOM_TYPES[type];
    const requiredByChecker = [
      ...Object.entries(declared?.properties ?? {})
        .filter(([, property]) => property.required)
        .map(([name]) => name),
      ...(declared?.requiredOneOf.map((names) => names[0]) ?? []),
    ];

    expect(requiredByHandler.sort()).toEqual(requiredByChecker.sort());
  });
});
