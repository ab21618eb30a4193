// The providers' logical ids are part of every deployed resource's ServiceToken, which CloudFormation refuses
// to change ("Modifying service token is not allowed."): a function whose logical id moved would be a new
// function, and every user's next deploy would fail. These ids are pinned as 0.2.0 released them; changing
// one breaks every stack deployed with an earlier version.
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { newApp, oneDeployStack, prepareBundles, snowflakeRole, twoStepLink } from './stacks';

beforeAll(prepareBundles);

// As released in 0.2.0. Never edit these to make a test pass.
const LINK_FUNCTION = 'SnowflakeTrustLinkProviderFunction1F58C804';
const SNOWFLAKE_FUNCTION = 'SnowflakeResourceProviderFunction3DB22FFD';
const LOCK_TABLE = 'SnowflakeTrustLinkProviderLockTable6AD0A038';

/** Which function each custom resource's ServiceToken names, by resource type. */
function serviceTokens(stack: Stack): Record<string, string[]> {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Type: string; Properties?: { ServiceToken?: { 'Fn::GetAtt': [string, string] } } }
  >;
  const tokens: Record<string, string[]> = {};
  for (const { Type, Properties } of Object.values(resources)) {
    const target = Properties?.ServiceToken?.['Fn::GetAtt'];
    if (!Type.startsWith('Custom::') || !target) continue;
    expect(target[1]).toBe('Arn');
    tokens[Type] = [...new Set([...(tokens[Type] ?? []), target[0]])];
  }
  return tokens;
}

describe('the providers keep their logical ids', () => {
  it('names the functions as 0.2.0 did, for the one-deploy usage', () => {
    const { stack } = oneDeployStack(newApp());

    expect(serviceTokens(stack)).toEqual({
      'Custom::SnowflakeApiIntegration': [SNOWFLAKE_FUNCTION],
      'Custom::SnowflakeTrustLink': [LINK_FUNCTION],
      'Custom::SnowflakeTrustLinkRevocation': [LINK_FUNCTION],
      'Custom::SnowflakeExternalFunction': [SNOWFLAKE_FUNCTION],
    });
    Template.fromStack(stack).templateMatches({
      Resources: { [LOCK_TABLE]: { Type: 'AWS::DynamoDB::Table' } },
    });
  });

  it('does not depend on the stack name, where the first link sits, or how many links there are', () => {
    const app = newApp();
    const plain = new Stack(app, 'Plain');
    twoStepLink(plain, snowflakeRole(plain));
    const deep = new Stack(app, 'AnotherName', { stackName: 'renamed-stack' });
    const nested = new Construct(new Construct(deep, 'Outer'), 'Inner');
    const role = snowflakeRole(deep);
    twoStepLink(deep, role, 'Second');
    new (class extends Construct {
      constructor() {
        super(nested, 'Wrapped');
        twoStepLink(Stack.of(this), role, 'Third');
      }
    })();

    expect(serviceTokens(plain)).toEqual({ 'Custom::SnowflakeTrustLink': [LINK_FUNCTION] });
    expect(serviceTokens(deep)).toEqual({ 'Custom::SnowflakeTrustLink': [LINK_FUNCTION] });
  });

  it('gives the functions no physical name, so that an update changes code and settings in place', () => {
    const { stack } = oneDeployStack(newApp());
    const resources = Template.fromStack(stack).toJSON().Resources;

    for (const id of [LINK_FUNCTION, SNOWFLAKE_FUNCTION]) {
      expect(resources[id].Type).toBe('AWS::Lambda::Function');
      expect(resources[id].Properties.FunctionName).toBeUndefined();
    }
  });
});
