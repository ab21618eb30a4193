// How the Snowflake-side function signs in to Snowflake, and what its role is granted for that: one secret's
// read, or a web identity token for its own role. Nothing else.
import { Aws, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { SnowflakeProvider } from './providers';

/** Workload identity: the Snowflake service user whose WORKLOAD_IDENTITY is the provider function's role. */
export interface WorkloadIdentityOptions {
  /** The Snowflake account identifier, e.g. MYORG-MYACCOUNT. Required. */
  readonly account: string;
  /** The service user whose WORKLOAD_IDENTITY names the provider role's ARN. Required. */
  readonly user: string;
  /** The Snowflake role the statements run as. @default - the user's default role */
  readonly role?: string;
  /** The warehouse the verifying call runs in. @default - the user's default warehouse */
  readonly warehouse?: string;
  /**
   * The name of the Snowflake provider's IAM role, which the user's WORKLOAD_IDENTITY names before the first
   * deploy (a generated name is known only after it, and changes with every rollback).
   * @default `<stack name>-snowflake-<region>`, as template.yaml names it
   */
  readonly roleName?: string;
}

/** Where the Snowflake-side custom resources get their Snowflake sign-in from. */
export abstract class SnowflakeConnection {
  /**
   * A Secrets Manager secret holding the service user's connection (JSON: account, user, privateKey or
   * token; see docs/snowflake-setup.md). The provider is granted secretsmanager:GetSecretValue on it only.
   */
  static fromSecret(secret: secretsmanager.ISecret): SnowflakeConnection {
    return new SecretConnection(secret);
  }

  /** Sign in as the provider function's own IAM role (Snowflake workload identity federation); no secret. */
  static workloadIdentity(options: WorkloadIdentityOptions): SnowflakeConnection {
    return new WorkloadIdentityConnection(options);
  }

  /** The custom resource properties that say how to reach Snowflake. @internal */
  abstract _properties(): Record<string, string>;

  /** The stack's Snowflake provider, granted this connection. @internal */
  abstract _provider(scope: IConstruct): SnowflakeProvider;
}

class SecretConnection extends SnowflakeConnection {
  constructor(private readonly secret: secretsmanager.ISecret) {
    super();
  }

  _properties(): Record<string, string> {
    return { Connection: this.secret.secretArn };
  }

  _provider(scope: IConstruct): SnowflakeProvider {
    const provider = SnowflakeProvider.of(scope);
    provider.grantConnection(`secret:${this.secret.node.path}`, (role) => {
      // A secret imported by name or partial ARN: its full ARN ends in -<6 random characters>.
      // https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html
      const full = this.secret.secretFullArn;
      const resources = full ? [full] : [this.secret.secretArn, `${this.secret.secretArn}-??????`];
      provider.allowSecretRead(resources);
      // A customer managed key: decrypt through Secrets Manager only. The key policy must let the account's
      // IAM policies grant it (a key made by CDK does).
      // https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
      const key = this.secret.encryptionKey;
      if (key) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['kms:Decrypt'],
            resources: [key.keyArn],
            conditions: {
              StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.${Aws.URL_SUFFIX}` },
            },
          }),
        );
      }
    });
    return provider;
  }
}

class WorkloadIdentityConnection extends SnowflakeConnection {
  constructor(private readonly options: WorkloadIdentityOptions) {
    super();
    for (const [name, value] of Object.entries({ account: options.account, user: options.user })) {
      if (!Token.isUnresolved(value) && value.trim() === '')
        throw new Error(`SnowflakeConnection.workloadIdentity: ${name} is required.`);
    }
  }

  _properties(): Record<string, string> {
    const { account, user, role, warehouse } = this.options;
    return {
      Authentication: 'WORKLOAD_IDENTITY',
      SnowflakeAccount: account,
      SnowflakeUser: user,
      ...(role ? { SnowflakeRole: role } : {}),
      ...(warehouse ? { SnowflakeWarehouse: warehouse } : {}),
    };
  }

  _provider(scope: IConstruct): SnowflakeProvider {
    const roleName = this.options.roleName ?? `${Aws.STACK_NAME}-snowflake-${Aws.REGION}`;
    const provider = SnowflakeProvider.of(scope, roleName);
    provider.grantConnection('workload-identity', (role) => {
      // https://docs.snowflake.com/en/user-guide/workload-identity-federation: the AWS workload presents a
      // token from STS GetWebIdentityToken; the action takes no resource ARN.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'SignInWithWorkloadIdentity',
          actions: ['sts:GetWebIdentityToken'],
          resources: ['*'],
        }),
      );
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'sts:GetWebIdentityToken issues a token for the caller itself; IAM scopes it by condition keys, not resources (docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_policies.html), as template.yaml grants it.',
      });
    });
    return provider;
  }
}
