// snowflake-trust-link-cdk: the project's custom resources as CDK constructs.
export { SnowflakeConnection } from './connection';
export { SnowflakeExternalFunction, type SnowflakeExternalFunctionProps } from './external-function';
export {
  type ApiProvider,
  SnowflakeApiIntegration,
  type SnowflakeApiIntegrationProps,
  SnowflakeIntegration,
  type SnowflakeIntegrationProps,
  SnowflakeStorageIntegration,
  type SnowflakeStorageIntegrationProps,
} from './integrations';
export { SnowflakeTrustLink, type SnowflakeTrustLinkProps } from './trust-link';
