// Custom resource types this project defines. CloudFormation sends any properties to a custom resource's
// function; declaring the ones it accepts lets the checker catch a misspelt one before a deploy does.
// Each type is declared as its handler parses it: handler/trust-link/properties.ts for the link, and
// handler/snowflake/resources/ for the Snowflake side (test/template/checker.test.ts compares the two).
import type { Property } from '@aws-cdk/service-spec-types';
import { CONNECTION_PROPERTIES } from '../../handler/snowflake/resources/properties';

/** What the checker knows of a custom resource type beyond AWS::CloudFormation::CustomResource. */
export interface CustomType {
  readonly properties: Readonly<Record<string, Property>>;
  /** Sets of properties of which at least one must be given. */
  readonly requiredOneOf: readonly (readonly string[])[];
  /** The keys of the Data the function answers with: what Fn::GetAtt may read. */
  readonly attributes: readonly string[];
}

const text: Property = { type: { type: 'string' } };
const requiredText: Property = { ...text, required: true };
const flag: Property = { type: { type: 'boolean' } };
// PropertyReader.list: a list of strings, or one string as a one-item list.
const textOrList: Property = {
  type: { type: 'union', types: [{ type: 'string' }, { type: 'array', element: { type: 'string' } }] },
};
const requiredTextOrList: Property = { ...textOrList, required: true };

/** Custom::SnowflakeTrustLink, as handler/trust-link/properties.ts parses it. */
const SNOWFLAKE_TRUST_LINK: CustomType = {
  properties: {
    RoleName: text,
    RoleArn: text,
    SnowflakeIamUserArn: requiredText,
    SnowflakeExternalId: requiredTextOrList,
    StatementSid: text,
    CurrentExternalId: text,
  },
  requiredOneOf: [['RoleName', 'RoleArn']],
  attributes: [
    'RoleArn',
    'RoleName',
    'StatementSid',
    'ExternalIds',
    'CurrentExternalId',
    'RetiringExternalIds',
    'TrustPolicy',
  ],
};

/** Custom::SnowflakeTrustLinkRevocation, as handler/trust-link/properties.ts parses it. */
const SNOWFLAKE_TRUST_LINK_REVOCATION: CustomType = {
  properties: { RoleName: text, RoleArn: text, StatementSid: text, CurrentExternalId: requiredText },
  requiredOneOf: [['RoleName', 'RoleArn']],
  attributes: ['CurrentExternalId'],
};

// PropertyReader.connection(): the secret (Connection); 0.1's Authentication (workload identity) is refused.
const CONNECTION: Readonly<Record<string, Property>> = Object.fromEntries(
  CONNECTION_PROPERTIES.map((name) => [name, text]),
);
const CONNECTION_GIVEN: readonly (readonly string[])[] = [['Connection']];

/** The Data of integration.ts's outcome(), for API and storage integrations alike. */
const INTEGRATION_ATTRIBUTES = ['IntegrationName', 'IamUserArn', 'ExternalId', 'TrustedExternalIds'];

/** Custom::SnowflakeApiIntegration, as handler/snowflake/resources/api-integration.ts parses it. */
const SNOWFLAKE_API_INTEGRATION: CustomType = {
  properties: {
    ...CONNECTION,
    IntegrationName: requiredText,
    ApiProvider: requiredText,
    RoleArn: requiredText,
    AllowedPrefixes: requiredTextOrList,
    BlockedPrefixes: textOrList,
    Enabled: flag,
    Comment: text,
    Rotation: text,
    Adopt: flag,
  },
  requiredOneOf: CONNECTION_GIVEN,
  attributes: INTEGRATION_ATTRIBUTES,
};

/** Custom::SnowflakeStorageIntegration, as handler/snowflake/resources/storage-integration.ts parses it. */
const SNOWFLAKE_STORAGE_INTEGRATION: CustomType = {
  properties: {
    ...CONNECTION,
    IntegrationName: requiredText,
    RoleArn: requiredText,
    AllowedLocations: requiredTextOrList,
    BlockedLocations: textOrList,
    Enabled: flag,
    Comment: text,
    Rotation: text,
    Adopt: flag,
  },
  requiredOneOf: CONNECTION_GIVEN,
  attributes: INTEGRATION_ATTRIBUTES,
};

/** Custom::SnowflakeExternalFunction, as handler/snowflake/resources/function-spec.ts parses it. */
const SNOWFLAKE_EXTERNAL_FUNCTION: CustomType = {
  properties: {
    ...CONNECTION,
    Database: requiredText,
    Schema: requiredText,
    FunctionName: requiredText,
    Arguments: text,
    Returns: text,
    IntegrationName: requiredText,
    Url: requiredText,
    // SQL literals as one string ('hello', NULL), or a list of values.
    Verify: textOrList,
    TrustedRoleArn: text,
    TrustedExternalIds: textOrList,
  },
  requiredOneOf: CONNECTION_GIVEN,
  // VerifyResult only when Verify is given.
  attributes: ['FunctionName', 'VerifyResult'],
};

/** Custom::SnowflakeStage, as handler/snowflake/resources/stage.ts parses it. */
const SNOWFLAKE_STAGE: CustomType = {
  properties: {
    ...CONNECTION,
    Database: requiredText,
    Schema: requiredText,
    StageName: requiredText,
    IntegrationName: requiredText,
    Url: requiredText,
    Validate: flag,
  },
  requiredOneOf: CONNECTION_GIVEN,
  attributes: ['StageName', 'Validation'],
};

export const CUSTOM_TYPES: Readonly<Record<string, CustomType>> = {
  'Custom::SnowflakeTrustLink': SNOWFLAKE_TRUST_LINK,
  'Custom::SnowflakeTrustLinkRevocation': SNOWFLAKE_TRUST_LINK_REVOCATION,
  'Custom::SnowflakeApiIntegration': SNOWFLAKE_API_INTEGRATION,
  'Custom::SnowflakeStorageIntegration': SNOWFLAKE_STORAGE_INTEGRATION,
  'Custom::SnowflakeExternalFunction': SNOWFLAKE_EXTERNAL_FUNCTION,
  'Custom::SnowflakeStage': SNOWFLAKE_STAGE,
};
