// Custom resource types this project defines. CloudFormation sends any properties to a custom resource's
// function; declaring the ones it accepts lets the checker catch a misspelt one before a deploy does.
import type { Property } from '@aws-cdk/service-spec-types';

/** What the checker knows of a custom resource type beyond AWS::CloudFormation::CustomResource. */
export interface CustomType {
  readonly properties: Readonly<Record<string, Property>>;
  /** Sets of properties of which at least one must be given. */
  readonly requiredOneOf: readonly (readonly string[])[];
  /** The keys of the Data the function answers with: what Fn::GetAtt may read. */
  readonly attributes: readonly string[];
}

const text: Property = { type: { type: 'string' } };

/** Custom::SnowflakeTrustLink, as handler/trust-link/properties.ts parses it. */
const SNOWFLAKE_TRUST_LINK: CustomType = {
  properties: {
    RoleName: text,
    RoleArn: text,
    SnowflakeIamUserArn: { ...text, required: true },
    SnowflakeExternalId: {
      type: { type: 'union', types: [{ type: 'string' }, { type: 'array', element: { type: 'string' } }] },
      required: true,
    },
    StatementSid: text,
  },
  requiredOneOf: [['RoleName', 'RoleArn']],
  attributes: ['RoleArn', 'RoleName', 'StatementSid', 'ExternalIds', 'TrustPolicy'],
};

export const CUSTOM_TYPES: Readonly<Record<string, CustomType>> = {
  'Custom::SnowflakeTrustLink': SNOWFLAKE_TRUST_LINK,
};
