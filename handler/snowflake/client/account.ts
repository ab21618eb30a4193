// Snowflake's rules for writing an account identifier: one form in the host name, another in a JWT.
// https://docs.snowflake.com/en/developer-guide/sql-api/authenticating ("Using key-pair authentication"):
// the JWT's account is upper case, an account locator without its region, an organization-account name
// with its hyphen; periods in the account identifier must become hyphens or the JWT is invalid.
// https://docs.snowflake.com/en/user-guide/admin-account-identifier: the host name forms.

import { ConnectionSettingsError } from './errors';

/** An account identifier in the two forms Snowflake wants. */
export interface AccountIdentifier {
  /** As the JWT's iss and sub want it: `MYORG-MYACCOUNT` or `XY12345`. */
  forJwt: string;
  /** The host of the SQL API: `myorg-myaccount.snowflakecomputing.com`, `xy12345.us-east-1.snowflakecomputing.com`. */
  host: string;
}

const HOST_SUFFIX = /\.snowflakecomputing\.(com|cn)$/i;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const CLOUDS = new Set(['aws', 'azure', 'gcp']);
// AWS regions may be written without the cloud (xy12345.us-east-1); Azure and GCP ones never are.
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const REGION = /^[a-z]+(-[a-z0-9]+)+$/;

const FORMS =
  'Write it as the organization-account name (MYORG-MYACCOUNT, from SELECT CURRENT_ORGANIZATION_NAME() || ' +
  "'-' || CURRENT_ACCOUNT_NAME()) or as the account locator with its region as in its URL (xy12345.us-east-1).";

/** Reads an account identifier in any of the forms people copy (URL, host, locator with region, org.account). */
export function parseAccountIdentifier(input: string): AccountIdentifier {
  const text = input
    .trim()
    .replace(/^https:\/\//i, '')
    .replace(/\/+$/, '')
    .replace(HOST_SUFFIX, '');
  const segments = text.split('.');
  if (text === '' || !segments.every((segment) => SEGMENT.test(segment))) {
    throw new ConnectionSettingsError(
      `The Snowflake account "${input}" is not an account identifier. ${FORMS}`,
    );
  }
  const last = segments.at(-1)?.toLowerCase();
  if (last === 'global' || segments.length > 4) {
    throw new ConnectionSettingsError(
      `The Snowflake account "${input}" is not in a form the SQL API accepts. ${FORMS}`,
    );
  }
  if (last === 'privatelink') {
    throw new ConnectionSettingsError(
      `The Snowflake account "${input}" includes ".privatelink": give the account identifier alone in ` +
        '"account" and the PrivateLink host name in "host".',
    );
  }
  return isLocatorWithRegion(segments) ? locatorForm(segments) : organizationForm(segments, input);
}

function isLocatorWithRegion(segments: string[]): boolean {
  const [, region, cloud, ...rest] = segments.map((segment) => segment.toLowerCase());
  if (region === undefined || rest.length > 0) return false;
  if (cloud === undefined) return AWS_REGION.test(region);
  return CLOUDS.has(cloud) && REGION.test(region);
}

// The locator keeps its region in the host name but loses it in the JWT.
function locatorForm(segments: string[]): AccountIdentifier {
  const [locator = ''] = segments;
  return {
    forJwt: locator.toUpperCase(),
    host: `${segments.join('.').toLowerCase()}.snowflakecomputing.com`,
  };
}

// MYORG-MYACCOUNT, or myorg.myaccount as some tools write it: the period becomes the hyphen.
function organizationForm(segments: string[], input: string): AccountIdentifier {
  if (segments.length > 2) {
    throw new ConnectionSettingsError(
      `The Snowflake account "${input}" has a region or cloud that is not one Snowflake names. ${FORMS}`,
    );
  }
  const name = segments.join('-');
  // Host names cannot hold underscores; Snowflake accepts the account name's underscores as hyphens there.
  return {
    forJwt: name.toUpperCase(),
    host: `${name.toLowerCase().replaceAll('_', '-')}.snowflakecomputing.com`,
  };
}

/** The user's name as the JWT wants it: upper case (the name Snowflake stores for an unquoted user). */
export function userForJwt(user: string): string {
  return user.toUpperCase();
}
