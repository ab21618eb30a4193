// Custom::SnowflakeApiIntegration: its properties and its statements. The lifecycle is integration.ts's.
// https://docs.snowflake.com/en/sql-reference/sql/create-api-integration: API_PROVIDER, API_AWS_ROLE_ARN,
//   API_ALLOWED_PREFIXES, [API_BLOCKED_PREFIXES = ('<url>' [, …])] (optional, one URL or more), ENABLED,
//   COMMENT. https://docs.snowflake.com/en/sql-reference/sql/alter-api-integration: ALTER … SET changes all but
//   API_PROVIDER and keeps the external id; ALTER … UNSET API_BLOCKED_PREFIXES removes the blocked list.

import type { ConnectionSource } from '../client/connection';
import { booleanLiteral, keyword, type SqlText, sql, stringList, stringLiteral } from '../client/sql';
import type { IntegrationKind, IntegrationSpec } from './integration';
import { rotatedName, storedIdentifier } from './names';
import { PropertyReader } from './properties';

export const API_PROVIDERS = [
  'aws_api_gateway',
  'aws_private_api_gateway',
  'aws_gov_api_gateway',
  'aws_gov_private_api_gateway',
] as const;

/** An API integration as the properties declare it. */
export interface ApiIntegrationSpec extends IntegrationSpec {
  provider: string;
  roleArn: string;
  allowedPrefixes: string[];
  blockedPrefixes: string[];
  enabled: boolean;
}

const PROPERTIES = [
  'IntegrationName',
  'ApiProvider',
  'RoleArn',
  'AllowedPrefixes',
  'BlockedPrefixes',
  'Enabled',
  'Comment',
  'Rotation',
  'Adopt',
];
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

function parse(properties: unknown): ApiIntegrationSpec {
  const read = new PropertyReader(properties, 'Custom::SnowflakeApiIntegration', PROPERTIES);
  const connection: ConnectionSource = read.connection();
  const base = read.name('IntegrationName', 'the name of the API integration in Snowflake');
  const rotation = read.text('Rotation');
  const provider = read.required('ApiProvider', `one of ${API_PROVIDERS.join(', ')}`);
  if (provider && !API_PROVIDERS.includes(provider.toLowerCase() as (typeof API_PROVIDERS)[number]))
    read.problems.push(`ApiProvider "${provider}" is not one of ${API_PROVIDERS.join(', ')}.`);
  const roleArn = read.required('RoleArn', 'the ARN of the IAM role Snowflake assumes');
  if (roleArn && !ROLE_ARN.test(roleArn))
    read.problems.push(`RoleArn "${roleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).`);
  const allowedPrefixes = read.list('AllowedPrefixes', { required: true });
  const blockedPrefixes = read.list('BlockedPrefixes', { required: false });
  for (const prefix of [...allowedPrefixes, ...blockedPrefixes]) {
    if (!/^https:\/\//.test(prefix)) read.problems.push(`The prefix "${prefix}" must be an https:// URL.`);
  }
  const comment = read.text('Comment');
  const spec: ApiIntegrationSpec = {
    connection,
    name: base ? rotatedName(base, rotation) : '',
    adopt: read.boolean('Adopt', false),
    ...(comment ? { comment } : {}),
    identity: [provider.toLowerCase(), ...(rotation ? [rotation] : [])],
    provider: provider.toLowerCase(),
    roleArn,
    allowedPrefixes,
    blockedPrefixes,
    enabled: read.boolean('Enabled', true),
  };
  if (spec.name) read.attempt(() => storedIdentifier(spec.name, 'IntegrationName'), undefined);
  if (comment) read.attempt(() => stringLiteral(comment, 'Comment'), undefined);
  read.done();
  return spec;
}

// Nothing blocked: no API_BLOCKED_PREFIXES at all, as the grammar has no empty list.
function settable(spec: ApiIntegrationSpec, comment: string | undefined): SqlText {
  const blocked =
    spec.blockedPrefixes.length === 0
      ? sql``
      : sql` API_BLOCKED_PREFIXES = ${stringList(spec.blockedPrefixes, 'BlockedPrefixes')}`;
  return sql`API_AWS_ROLE_ARN = ${stringLiteral(spec.roleArn, 'RoleArn')} API_ALLOWED_PREFIXES = ${stringList(spec.allowedPrefixes, 'AllowedPrefixes')}${blocked} ENABLED = ${booleanLiteral(spec.enabled)}${comment === undefined ? sql`` : sql` COMMENT = ${stringLiteral(comment, 'Comment')}`}`;
}

export const apiIntegration: IntegrationKind<ApiIntegrationSpec> = {
  resourceType: 'Custom::SnowflakeApiIntegration',
  label: 'API integration',
  idPrefix: 'SnowflakeApiIntegration',
  described: 'API',
  parse,
  createSql: (spec, comment, replace) =>
    sql`CREATE ${replace ? sql`OR REPLACE ` : sql``}API INTEGRATION ${storedIdentifier(spec.name)} API_PROVIDER = ${keyword(spec.provider, API_PROVIDERS, 'ApiProvider')} ${settable(spec, comment)}`,
  alterSql: (spec, comment) => [
    sql`ALTER API INTEGRATION ${storedIdentifier(spec.name)} SET ${settable(spec, comment)}`,
    // A list blocked before and empty now is removed: SET cannot empty it, UNSET does.
    ...(spec.blockedPrefixes.length === 0
      ? [sql`ALTER API INTEGRATION ${storedIdentifier(spec.name)} UNSET API_BLOCKED_PREFIXES`]
      : []),
  ],
};
