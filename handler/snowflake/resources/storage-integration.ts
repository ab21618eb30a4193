// Custom::SnowflakeStorageIntegration: its properties and its statements. The lifecycle is integration.ts's.
// https://docs.snowflake.com/en/sql-reference/sql/create-storage-integration: TYPE = EXTERNAL_STAGE,
//   STORAGE_PROVIDER = 'S3' | 'S3CHINA' | 'S3GOV' (a quoted value), STORAGE_AWS_ROLE_ARN,
//   STORAGE_ALLOWED_LOCATIONS, [STORAGE_BLOCKED_LOCATIONS = ('<loc>' [, …])] (optional, one or more), ENABLED,
//   COMMENT. https://docs.snowflake.com/en/sql-reference/sql/alter-storage-integration: ALTER … SET changes
//   them and keeps the external id; ALTER … UNSET STORAGE_BLOCKED_LOCATIONS removes the blocked list.

import { booleanLiteral, type SqlText, sql, stringList, stringLiteral } from '../client/sql';
import type { IntegrationKind, IntegrationSpec } from './integration';
import { rotatedName, storedIdentifier } from './names';
import { PropertyReader } from './properties';

/** A storage integration as the properties declare it. */
export interface StorageIntegrationSpec extends IntegrationSpec {
  roleArn: string;
  allowedLocations: string[];
  blockedLocations: string[];
  enabled: boolean;
}

const PROPERTIES = [
  'IntegrationName',
  'RoleArn',
  'AllowedLocations',
  'BlockedLocations',
  'Enabled',
  'Comment',
  'Rotation',
  'Adopt',
];
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
// s3:// for the public regions, s3china:// for China, s3gov:// for GovCloud, as Snowflake names them.
const LOCATION = /^s3(gov|china)?:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;

function parse(properties: unknown): StorageIntegrationSpec {
  const read = new PropertyReader(properties, 'Custom::SnowflakeStorageIntegration', PROPERTIES);
  const connection = read.connection();
  const base = read.name('IntegrationName', 'the name of the storage integration in Snowflake');
  const rotation = read.text('Rotation');
  const roleArn = read.required('RoleArn', 'the ARN of the IAM role Snowflake assumes');
  if (roleArn && !ROLE_ARN.test(roleArn))
    read.problems.push(`RoleArn "${roleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).`);
  const allowedLocations = read.list('AllowedLocations', { required: true });
  const blockedLocations = read.list('BlockedLocations', { required: false });
  for (const location of [...allowedLocations, ...blockedLocations]) {
    if (!LOCATION.test(location))
      read.problems.push(`The location "${location}" must be an S3 URL: s3://<bucket>/<path>/.`);
  }
  const comment = read.text('Comment');
  const spec: StorageIntegrationSpec = {
    connection,
    name: base ? rotatedName(base, rotation) : '',
    adopt: read.boolean('Adopt', false),
    ...(comment ? { comment } : {}),
    identity: rotation ? [rotation] : [],
    roleArn,
    allowedLocations,
    blockedLocations,
    enabled: read.boolean('Enabled', true),
  };
  if (spec.name) read.attempt(() => storedIdentifier(spec.name, 'IntegrationName'), undefined);
  if (comment) read.attempt(() => stringLiteral(comment, 'Comment'), undefined);
  read.done();
  return spec;
}

// Nothing blocked: no STORAGE_BLOCKED_LOCATIONS at all, as the grammar has no empty list.
function settable(spec: StorageIntegrationSpec, comment: string | undefined): SqlText {
  const blocked =
    spec.blockedLocations.length === 0
      ? sql``
      : sql` STORAGE_BLOCKED_LOCATIONS = ${stringList(spec.blockedLocations, 'BlockedLocations')}`;
  return sql`STORAGE_AWS_ROLE_ARN = ${stringLiteral(spec.roleArn, 'RoleArn')} STORAGE_ALLOWED_LOCATIONS = ${stringList(spec.allowedLocations, 'AllowedLocations')}${blocked} ENABLED = ${booleanLiteral(spec.enabled)}${comment === undefined ? sql`` : sql` COMMENT = ${stringLiteral(comment, 'Comment')}`}`;
}

export const storageIntegration: IntegrationKind<StorageIntegrationSpec> = {
  resourceType: 'Custom::SnowflakeStorageIntegration',
  label: 'storage integration',
  idPrefix: 'SnowflakeStorageIntegration',
  described: 'STORAGE',
  parse,
  createSql: (spec, comment, replace) =>
    sql`CREATE ${replace ? sql`OR REPLACE ` : sql``}STORAGE INTEGRATION ${storedIdentifier(spec.name)} TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = ${stringLiteral(providerOf(spec))} ${settable(spec, comment)}`,
  alterSql: (spec, comment) => [
    sql`ALTER STORAGE INTEGRATION ${storedIdentifier(spec.name)} SET ${settable(spec, comment)}`,
    // A list blocked before and empty now is removed: SET cannot empty it, UNSET does.
    ...(spec.blockedLocations.length === 0
      ? [sql`ALTER STORAGE INTEGRATION ${storedIdentifier(spec.name)} UNSET STORAGE_BLOCKED_LOCATIONS`]
      : []),
  ],
};

// The provider follows the locations' protocol: s3gov:// is S3GOV, s3china:// is S3CHINA, s3:// is S3.
function providerOf(spec: StorageIntegrationSpec): 'S3' | 'S3GOV' | 'S3CHINA' {
  const protocol = /^(s3gov|s3china|s3):/.exec(spec.allowedLocations[0] ?? '')?.[1];
  return protocol === 's3gov' ? 'S3GOV' : protocol === 's3china' ? 'S3CHINA' : 'S3';
}
