// How the Snowflake-side function signs in to Snowflake, and what its role is granted for that: one secret's
// read, nothing else. No workload identity: Snowflake's SQL API documents no token form for it
// (docs/snowflake-setup.md#why-there-is-no-workload-identity-sign-in).
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { SnowflakeProvider } from './providers';

/** Where the Snowflake-side custom resources get their Snowflake sign-in from. */
export abstract class SnowflakeConnection {
  /**
   * A Secrets Manager secret holding the service user's connection (JSON: account, user, privateKey or
   * token; see docs/snowflake-setup.md). The provider is granted secretsmanager:GetSecretValue on it only.
   */
  static fromSecret(secret: secretsmanager.ISecret): SnowflakeConnection {
    return new SecretConnection(secret);
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
