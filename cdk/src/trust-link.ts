// SnowflakeTrustLink: Custom::SnowflakeTrustLink as a construct. It puts a Snowflake integration's IAM user
// and external id(s) into the trust policy of the role Snowflake assumes, under one statement it owns
// (docs/ownership.md), through the stack's one link function.
import { CustomResource, Token } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SERVICE_TIMEOUT, TrustLinkProvider } from './providers';

/** What a SnowflakeTrustLink links. */
export interface SnowflakeTrustLinkProps {
  /** The IAM role Snowflake assumes (API_AWS_ROLE_ARN / STORAGE_AWS_ROLE_ARN of the integration). Required. */
  readonly role: iam.IRole;
  /** API_AWS_IAM_USER_ARN (or STORAGE_AWS_IAM_USER_ARN) from DESCRIBE INTEGRATION. Required. */
  readonly iamUserArn: string;
  /** API_AWS_EXTERNAL_ID (or STORAGE_…): one id, or several while a rotation moves over. Required. */
  readonly externalIds: string[];
  /** The Sid of the one statement this link owns; give each link on a shared role its own. @default 'SnowflakeTrustLink' */
  readonly statementSid?: string;
  /**
   * The external id in use now, one of `externalIds`: the others are a rotation's old ones, trusted until a
   * revocation removes them (SnowflakeApiIntegration and SnowflakeStorageIntegration add one).
   * @default - none: every id of `externalIds` is trusted alike, until the next deploy changes them
   */
  readonly currentExternalId?: string;
}

/** Links a Snowflake integration to the IAM role it assumes: the trust step of Snowflake's guide, in the stack. */
export class SnowflakeTrustLink extends Construct {
  /** The ARN of the linked role, as IAM returns it (Fn::GetAtt RoleArn): a dependency on the link in force. */
  readonly roleArn: string;
  /** The linked role's name. */
  readonly roleName: string;
  /** The Sid of the statement the link owns. */
  readonly statementSid: string;
  /** The external ids the statement trusts now, comma-joined. */
  readonly externalIds: string;
  /** The trust policy in force, as JSON (left out when it would push the answer past 4096 bytes). */
  readonly trustPolicy: string;
  /** The external id in use now (only with `currentExternalId`). */
  readonly currentExternalId: string;
  /** The old ids still trusted until this deploy's cleanup revokes them, comma-joined, or 'none' (only with `currentExternalId`). */
  readonly retiringExternalIds: string;

  constructor(scope: Construct, id: string, props: SnowflakeTrustLinkProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.externalIds) && props.externalIds.length === 0) {
      throw new Error(`SnowflakeTrustLink ${this.node.path}: externalIds needs at least one external id.`);
    }
    const provider = TrustLinkProvider.of(this);
    provider.allowRole(props.role);
    const resource = new CustomResource(this, 'Resource', {
      resourceType: 'Custom::SnowflakeTrustLink',
      serviceToken: provider.serviceToken,
      serviceTimeout: SERVICE_TIMEOUT,
      properties: {
        RoleArn: props.role.roleArn,
        SnowflakeIamUserArn: props.iamUserArn,
        SnowflakeExternalId: props.externalIds,
        ...(props.statementSid === undefined ? {} : { StatementSid: props.statementSid }),
        ...(props.currentExternalId === undefined ? {} : { CurrentExternalId: props.currentExternalId }),
      },
    });
    // The grants exist before the first link and outlive the last.
    resource.node.addDependency(...provider.dependables);
    this.roleArn = resource.getAttString('RoleArn');
    this.roleName = resource.getAttString('RoleName');
    this.statementSid = resource.getAttString('StatementSid');
    this.externalIds = resource.getAttString('ExternalIds');
    this.trustPolicy = resource.getAttString('TrustPolicy');
    this.currentExternalId = resource.getAttString('CurrentExternalId');
    this.retiringExternalIds = resource.getAttString('RetiringExternalIds');
  }
}
