import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isJson, type Json, loadTemplate, type Template } from '../../scripts/template-check/template';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function loadFromRoot(relative: string): Template {
  return loadTemplate(join(ROOT, relative));
}

export const mainTemplate = loadFromRoot('template.yaml');
export const storageTemplate = loadFromRoot('examples/storage-integration.yaml');

/** A resource of a template; fails the test when it is missing. */
export function resourceOf(template: Template, id: string): Json {
  const resource = template.Resources?.[id];
  if (!isJson(resource)) throw new Error(`the template has no resource ${id}`);
  return resource;
}

/** The Properties of a resource. */
export function propertiesOf(template: Template, id: string): Json {
  const resource = resourceOf(template, id);
  const properties = resource.Properties;
  if (!isJson(properties)) throw new Error(`${id} has no Properties`);
  // SAM gives every AWS::Serverless::Function the Globals.Function properties it does not set itself.
  const globals = (template as { Globals?: { Function?: unknown } }).Globals?.Function;
  if (resource.Type !== 'AWS::Serverless::Function' || !isJson(globals)) return properties;
  return { ...globals, ...properties };
}

/** Values a deployed stack would have: pseudo parameters, Refs and attributes of its resources. */
export const STACK_VALUES = {
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'eu-west-1',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'snowflake-trust-link',
  SnowflakeApi: 'a1b2c3d4e5',
  // SAM's Ref of the API's generated stage: its name.
  'SnowflakeApi.Stage': 'prod',
  SnowflakeRole: 'snowflake-trust-link-SnowflakeRole-Q1w2E3r4T5y6',
  'SnowflakeRole.Arn': 'arn:aws:iam::123456789012:role/snowflake-trust-link-SnowflakeRole-Q1w2E3r4T5y6',
  'TrustLinkFunction.Arn':
    'arn:aws:lambda:eu-west-1:123456789012:function:snowflake-trust-link-TrustLinkFunction-AbC',
  TrustLinkFunctionRole: 'snowflake-trust-link-TrustLinkFunctionRole-XyZ',
  'SnowflakeTrustLink.ExternalIds': 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=',
} as const;

/** The two values DESCRIBE INTEGRATION shows, as the second deploy passes them. */
export const LINK_VALUES = {
  SnowflakeIamUserArn: 'arn:aws:iam::123456789001:user/abc1-b-self1234',
  SnowflakeExternalId: 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=',
} as const;
