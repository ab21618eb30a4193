// Custom::SnowflakeStorageIntegration: its properties and its statements. The lifecycle is integration.ts's.
// https://docs.snowflake.com/en/sql-reference/sql/create-storage-integration: TYPE = EXTERNAL_STAGE,
//   STORAGE_PROVIDER = 'S3' (or S3GOV), STORAGE_AWS_ROLE_ARN, STORAGE_ALLOWED_LOCATIONS, STORAGE_BLOCKED_LOCATIONS,
//   ENABLED, COMMENT; ALTER … SET changes them and keeps the external id.

import { booleanLiteral, keyword, type SqlText, sql, stringList, stringLiteral } from '../client/sql';
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
// s3:// for the commercial partitions, s3gov:// for GovCloud, as Snowflake names them.
const LOCATION = /^s3(gov)?:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;

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

function settable(spec: StorageIntegrationSpec, comment: string | undefined): SqlText {
  return sql`STORAGE_AWS_ROLE_ARN = ${stringLiteral(spec.roleArn, 'RoleArn')} STORAGE_ALLOWED_LOCATIONS = ${stringList(spec.allowedLocations, 'AllowedLocations')} STORAGE_BLOCKED_LOCATIONS = ${stringList(spec.blockedLocations, 'BlockedLocations')} ENABLED = ${booleanLiteral(spec.enabled)}${comment === undefined ? sql`` : sql` COMMENT = ${stringLiteral(comment, 'Comment')}`}`;
}

export const storageIntegration: IntegrationKind<StorageIntegrationSpec> = {
  resourceType: 'Custom::SnowflakeStorageIntegration',
  label: 'storage integration',
  idPrefix: 'SnowflakeStorageIntegration',
  described: 'STORAGE',
  parse,
  createSql: (spec, comment, replace) =>
    sql`CREATE ${replace ? sql`OR REPLACE ` : sql``}STORAGE INTEGRATION ${storedIdentifier(spec.name)} TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = ${keyword(providerOf(spec), ['S3', 'S3GOV'])} ${settable(spec, comment)}`,
  alterSql: (spec, comment) =>
    sql`ALTER STORAGE INTEGRATION ${storedIdentifier(spec.name)} SET ${settable(spec, comment)}`,
};

// GovCloud buckets are s3gov:// locations, and Snowflake's provider for them is S3GOV.
function providerOf(spec: StorageIntegrationSpec): string {
  return spec.allowedLocations[0]?.startsWith('s3gov://') ? 'S3GOV' : 'S3';
}
