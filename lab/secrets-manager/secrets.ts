// The Secrets Manager stand-in's state: secrets by name and ARN, and which of them a caller may not read.
import { randomBytes, randomUUID } from 'node:crypto';

/** One stored secret as GetSecretValue describes it. */
export interface SecretRecord {
  name: string;
  arn: string;
  versionId: string;
  secretString: string;
  createdDate: Date;
  /** Set by `markForDeletion`: Secrets Manager refuses to read such a secret. */
  deletedDate?: Date;
}

/** Secrets Manager's error as JSON 1.1 carries it: `__type` and `Message`, with an HTTP status. */
export class SecretsManagerError extends Error {
  override readonly name = 'SecretsManagerError';

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const ARN_SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Secrets by name; a secret is found by its name, its full ARN or its ARN without the random suffix. */
export class SecretStore {
  private readonly secrets = new Map<string, SecretRecord>();
  private readonly denied = new Set<string>();

  constructor(
    readonly accountId: string,
    readonly region: string,
  ) {}

  /** Creates or replaces a secret; a replaced secret keeps its ARN and gets a new version. */
  put(name: string, value: string | object): SecretRecord {
    const secretString = typeof value === 'string' ? value : JSON.stringify(value);
    const existing = this.secrets.get(name);
    const record: SecretRecord = {
      name,
      arn: existing?.arn ?? this.newArn(name),
      versionId: randomUUID(),
      secretString,
      createdDate: existing?.createdDate ?? new Date(),
    };
    this.secrets.set(name, record);
    return record;
  }

  /** Removes a secret at once, as `ForceDeleteWithoutRecovery` does. */
  remove(secretId: string): void {
    const record = this.find(secretId);
    if (record !== undefined) this.secrets.delete(record.name);
  }

  /** Schedules a secret for deletion: it stays, but reading it is refused. */
  markForDeletion(secretId: string): void {
    const record = this.find(secretId);
    if (record !== undefined) record.deletedDate = new Date();
  }

  /** Makes every read of the secret fail with AccessDeniedException, as a missing IAM permission does. */
  deny(secretId: string): void {
    this.denied.add(secretId);
  }

  /** Lets the secret be read again. */
  allow(secretId: string): void {
    this.denied.delete(secretId);
  }

  /** The secret as GetSecretValue returns it; throws Secrets Manager's error otherwise. */
  read(secretId: string, callerArn: string): SecretRecord {
    const record = this.find(secretId);
    // IAM decides before Secrets Manager looks: a denied caller cannot learn whether the secret exists.
    if (this.denied.has(secretId) || (record !== undefined && this.denied.has(record.name))) {
      throw accessDenied(callerArn, record?.arn ?? secretId);
    }
    if (record === undefined) {
      throw new SecretsManagerError(
        'ResourceNotFoundException',
        400,
        "Secrets Manager can't find the specified secret.",
      );
    }
    if (record.deletedDate !== undefined) {
      throw new SecretsManagerError(
        'InvalidRequestException',
        400,
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return record;
  }

  /** The secret named by a name, full ARN or partial ARN, or undefined. */
  find(secretId: string): SecretRecord | undefined {
    const byName = this.secrets.get(secretId);
    if (byName !== undefined) return byName;
    return [...this.secrets.values()].find(
      (record) => record.arn === secretId || record.arn.slice(0, -7) === secretId,
    );
  }

  // Secrets Manager appends a hyphen and six random characters to the name in the ARN.
  private newArn(name: string): string {
    const suffix = [...randomBytes(6)]
      .map((b) => ARN_SUFFIX_ALPHABET[b % ARN_SUFFIX_ALPHABET.length])
      .join('');
    return `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${suffix}`;
  }
}

function accessDenied(callerArn: string, resource: string): SecretsManagerError {
  return new SecretsManagerError(
    'AccessDeniedException',
    400,
    `User: ${callerArn} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${resource} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
  );
}
