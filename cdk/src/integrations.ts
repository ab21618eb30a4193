// SnowflakeApiIntegration and SnowflakeStorageIntegration: the integration made in Snowflake by the stack's
// Snowflake provider, and the link of its role made from what Snowflake answers (DESCRIBE INTEGRATION's IAM
// user and external id), in one deploy. A rotation or a new name makes a new integration beside the old;
// the link trusts both external ids while the stack moves over, and a revocation replaced on each rotation
// removes the old id in CloudFormation's cleanup (as template.yaml's SnowflakeLinkRevocation does).
import { CustomResource, Fn } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { SnowflakeConnection } from './connection';
import { SERVICE_TIMEOUT, TrustLinkProvider } from './providers';
import { SnowflakeTrustLink } from './trust-link';

/** What both kinds of integration take. */
export interface SnowflakeIntegrationProps {
  /** How the Snowflake provider signs in to Snowflake. Required. */
  readonly connection: SnowflakeConnection;
  /** The integration's name in Snowflake (upper case unless written in double quotes). Required. */
  readonly integrationName: string;
  /** The IAM role Snowflake assumes; the integration links it itself. Required. */
  readonly role: iam.IRole;
  /** Change it to give the integration a new external id (a new integration <name>_<rotation>). @default - none */
  readonly rotation?: string;
  /** Whether the integration is enabled. @default true */
  readonly enabled?: boolean;
  /** The integration's COMMENT. @default - none */
  readonly comment?: string;
  /** Manage an integration that exists already (altered, and left in place on delete). @default false */
  readonly adopt?: boolean;
  /** The Sid of the statement the link owns in the role's trust policy. @default 'SnowflakeTrustLink' */
  readonly statementSid?: string;
}

/** Snowflake's API_PROVIDER values. */
export type ApiProvider =
  | 'aws_api_gateway'
  | 'aws_private_api_gateway'
  | 'aws_gov_api_gateway'
  | 'aws_gov_private_api_gateway';

/** A Snowflake API integration for external functions on API Gateway. */
export interface SnowflakeApiIntegrationProps extends SnowflakeIntegrationProps {
  /** The https:// URL prefixes the integration may call (API_ALLOWED_PREFIXES), e.g. the API's URL. Required. */
  readonly allowedPrefixes: string[];
  /** The URL prefixes it may not call (API_BLOCKED_PREFIXES). @default - none */
  readonly blockedPrefixes?: string[];
  /** API_PROVIDER: private or GovCloud gateways name theirs. @default 'aws_api_gateway' */
  readonly apiProvider?: ApiProvider;
}

/** A Snowflake storage integration for S3 stages. */
export interface SnowflakeStorageIntegrationProps extends SnowflakeIntegrationProps {
  /** The s3:// locations the integration may read (STORAGE_ALLOWED_LOCATIONS). Required. */
  readonly allowedLocations: string[];
  /** The locations it may not read (STORAGE_BLOCKED_LOCATIONS). @default - none */
  readonly blockedLocations?: string[];
}

/** What both integrations offer: the values of DESCRIBE INTEGRATION, and the link made from them. */
export abstract class SnowflakeIntegration extends Construct {
  /** The integration's name in Snowflake, as stored (rotation suffix included). */
  readonly integrationName: string;
  /** API_AWS_IAM_USER_ARN / STORAGE_AWS_IAM_USER_ARN: Snowflake's IAM user. */
  readonly iamUserArn: string;
  /** API_AWS_EXTERNAL_ID / STORAGE_AWS_EXTERNAL_ID of the integration now in use. */
  readonly externalId: string;
  /** The external ids the role must trust now, comma-joined: the new one, and the old one during a rotation. */
  readonly trustedExternalIds: string;
  /** The link of `role`, made from the integration's IAM user and trusted external ids. */
  readonly link: SnowflakeTrustLink;
  /**
   * The old external ids the last rotation replaced, comma-joined, or 'none': revoked at that deploy's
   * cleanup. If its events show the revocation DELETE_FAILED, they stay trusted until the next deploy that
   * updates the link (docs/troubleshooting.md).
   */
  readonly retiredExternalIds: string;

  protected constructor(
    scope: Construct,
    id: string,
    props: SnowflakeIntegrationProps,
    resourceType: string,
    own: Record<string, unknown>,
  ) {
    super(scope, id);
    const provider = props.connection._provider(this);
    const resource = new CustomResource(this, 'Resource', {
      resourceType,
      serviceToken: provider.serviceToken,
      serviceTimeout: SERVICE_TIMEOUT,
      properties: {
        ...props.connection._properties(),
        IntegrationName: props.integrationName,
        RoleArn: props.role.roleArn,
        ...own,
        ...(props.rotation === undefined ? {} : { Rotation: props.rotation }),
        ...(props.enabled === undefined ? {} : { Enabled: String(props.enabled) }),
        ...(props.comment === undefined ? {} : { Comment: props.comment }),
        ...(props.adopt === undefined ? {} : { Adopt: String(props.adopt) }),
      },
    });
    // The grants exist before the first call and outlive the last.
    resource.node.addDependency(...provider.dependables);
    this.integrationName = resource.getAttString('IntegrationName');
    this.iamUserArn = resource.getAttString('IamUserArn');
    this.externalId = resource.getAttString('ExternalId');
    this.trustedExternalIds = resource.getAttString('TrustedExternalIds');
    this.link = new SnowflakeTrustLink(this, 'Link', {
      role: props.role,
      iamUserArn: this.iamUserArn,
      externalIds: Fn.split(',', this.trustedExternalIds),
      currentExternalId: this.externalId,
      ...(props.statementSid === undefined ? {} : { statementSid: props.statementSid }),
    });
    this.retiredExternalIds = this.link.retiringExternalIds;
    // Replaced on every rotation (its physical id names the current id): CloudFormation's cleanup then
    // deletes the old one, and that Delete revokes the ids the rotation replaced. It owns nothing on the role.
    const revocation = new CustomResource(this, 'Revocation', {
      resourceType: 'Custom::SnowflakeTrustLinkRevocation',
      serviceToken: TrustLinkProvider.of(this).serviceToken,
      serviceTimeout: SERVICE_TIMEOUT,
      properties: {
        RoleArn: this.link.roleArn,
        CurrentExternalId: this.link.currentExternalId,
        ...(props.statementSid === undefined ? {} : { StatementSid: props.statementSid }),
      },
    });
    revocation.node.addDependency(...TrustLinkProvider.of(this).dependables);
  }
}

/** Creates an API integration in Snowflake and links its role, in one deploy. */
export class SnowflakeApiIntegration extends SnowflakeIntegration {
  constructor(scope: Construct, id: string, props: SnowflakeApiIntegrationProps) {
    super(scope, id, props, 'Custom::SnowflakeApiIntegration', {
      ApiProvider: props.apiProvider ?? 'aws_api_gateway',
      AllowedPrefixes: props.allowedPrefixes,
      ...(props.blockedPrefixes === undefined ? {} : { BlockedPrefixes: props.blockedPrefixes }),
    });
  }
}

/** Creates a storage integration in Snowflake and links its role, in one deploy. */
export class SnowflakeStorageIntegration extends SnowflakeIntegration {
  constructor(scope: Construct, id: string, props: SnowflakeStorageIntegrationProps) {
    super(scope, id, props, 'Custom::SnowflakeStorageIntegration', {
      AllowedLocations: props.allowedLocations,
      ...(props.blockedLocations === undefined ? {} : { BlockedLocations: props.blockedLocations }),
    });
  }
}
