// The AWS SAM transform (AWS::Serverless-2016-10-31). The resource specification describes the
// properties of AWS::Serverless::* types but not what SAM turns them into; what follows is taken from
// SAM's documentation of generated resources, and covers what templates here use.

export const SERVERLESS_TRANSFORM = 'AWS::Serverless-2016-10-31';

/**
 * SAM replaces a resource by one of the same logical id and this type: Fn::GetAtt on the SAM resource
 * reads that one's attributes.
 */
export const GENERATED_TYPES: Readonly<Record<string, string>> = {
  'AWS::Serverless::Function': 'AWS::Lambda::Function',
  'AWS::Serverless::Api': 'AWS::ApiGateway::RestApi',
  'AWS::Serverless::HttpApi': 'AWS::ApiGatewayV2::Api',
  'AWS::Serverless::SimpleTable': 'AWS::DynamoDB::Table',
  'AWS::Serverless::LayerVersion': 'AWS::Lambda::LayerVersion',
  'AWS::Serverless::StateMachine': 'AWS::StepFunctions::StateMachine',
  'AWS::Serverless::Application': 'AWS::CloudFormation::Stack',
};

/** A name SAM makes Ref-able besides the resource's own logical id, and the type behind it. */
export interface GeneratedName {
  readonly name: string;
  readonly type: string;
}

/**
 * Names SAM makes Ref-able for a resource: a function's generated role (when it names none) and an
 * API's stage and deployment (`!Ref MyApi.Stage`).
 */
export function generatedNames(
  logicalId: string,
  type: string,
  properties: Record<string, unknown>,
): GeneratedName[] {
  if (type === 'AWS::Serverless::Function' && properties.Role === undefined) {
    return [{ name: `${logicalId}Role`, type: 'AWS::IAM::Role' }];
  }
  if (type === 'AWS::Serverless::Api') {
    return [
      { name: `${logicalId}.Stage`, type: 'AWS::ApiGateway::Stage' },
      { name: `${logicalId}.Deployment`, type: 'AWS::ApiGateway::Deployment' },
    ];
  }
  return [];
}
