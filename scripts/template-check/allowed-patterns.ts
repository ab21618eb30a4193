// The AllowedPattern of the template parameters that carry a link's values, derived from the handler's
// rules so that a value `sam deploy` lets through is one the handler accepts. CloudFormation matches
// AllowedPattern (a Java regular expression) against the whole value; these use only syntax that Java
// and JavaScript read alike: classes, \w, \x escapes, counted repeats and non-capturing groups.
import { EXTERNAL_ID_PATTERN, USER_ARN_PATTERN } from '../../handler/trust-link/rules';

/** The pattern without its ^ and $ anchors. */
function unanchored(pattern: string): string {
  if (!pattern.startsWith('^') || !pattern.endsWith('$'))
    throw new Error(`${pattern} is not anchored at both ends`);
  return pattern.slice(1, -1);
}

/** A whole value that matches the pattern, or is empty (the first deploy, before the integration exists). */
export function emptyOr(pattern: string): string {
  return `^(?:${unanchored(pattern)})?$`;
}

/** One or more values that each match the pattern, separated by commas without spaces; or empty. */
export function emptyOrCommaList(pattern: string): string {
  const one = unanchored(pattern);
  return `^(?:${one}(?:,${one})*)?$`;
}

/** AllowedPattern of SnowflakeIamUserArn. */
export const USER_ARN_PARAMETER_PATTERN = emptyOr(USER_ARN_PATTERN);

/** AllowedPattern of SnowflakeExternalId. */
export const EXTERNAL_IDS_PARAMETER_PATTERN = emptyOrCommaList(EXTERNAL_ID_PATTERN);
