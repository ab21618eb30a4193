// Finds the pair to link in DESCRIBE INTEGRATION rows: API_AWS_IAM_USER_ARN and API_AWS_EXTERNAL_ID for an
// API integration, the STORAGE_AWS_ pair for a storage integration, and the role Snowflake assumes
// (API_AWS_ROLE_ARN or STORAGE_AWS_ROLE_ARN), which tells which stack they belong to. Values are
// unwrapped from the spaces and quotes a copy picks up, then checked with the handler's own rules.

import { externalIdProblem, roleArnProblem, userArnProblem } from '../../handler/trust-link/rules';
import type { IntegrationKind } from './cli-options';
import type { DescribeRow } from './describe-row';
import { DescribeOutputError } from './errors';

/** The two values the stack needs, and the role they are for, checked. */
export interface IntegrationValues {
  readonly kind: IntegrationKind;
  readonly userArn: string;
  readonly externalId: string;
  /** The role Snowflake will assume: the stack linked must be the one that links this role. */
  readonly roleArn: string;
}

const PREFIX: Record<IntegrationKind, string> = { api: 'API', storage: 'STORAGE' };
const KIND_NAME: Record<IntegrationKind, string> = {
  api: 'an API integration',
  storage: 'a storage integration',
};
const QUOTE_PAIRS = ['""', "''", '``', '\u201C\u201D', '\u2018\u2019'];
const TRUNCATED = /(?:\.\.\.|\u2026)$/;

/** The checked pair; throws DescribeOutputError saying everything that is missing or malformed. */
export function integrationValues(
  rows: readonly DescribeRow[],
  expected?: IntegrationKind,
): IntegrationValues {
  const properties = propertyMap(rows);
  const kind = integrationKind(properties);
  if (expected !== undefined && expected !== kind) {
    throw new DescribeOutputError(
      `--type ${expected} was given, but this is ${KIND_NAME[kind]}'s DESCRIBE output (it has ${PREFIX[kind]}_ properties).`,
    );
  }
  const userArnProperty = `${PREFIX[kind]}_AWS_IAM_USER_ARN`;
  const externalIdProperty = `${PREFIX[kind]}_AWS_EXTERNAL_ID`;
  const roleArnProperty = roleArnPropertyOf(kind);
  const userArn = requiredValue(properties, kind, userArnProperty);
  const externalId = requiredValue(properties, kind, externalIdProperty);
  const roleArn = requiredValue(properties, kind, roleArnProperty);
  const problems = [
    valueProblem(userArnProperty, userArn, userArnProblem),
    valueProblem(externalIdProperty, externalId, externalIdProblem),
    valueProblem(roleArnProperty, roleArn, roleArnProblem),
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new DescribeOutputError(problems.join('\n'));
  return { kind, userArn, externalId, roleArn };
}

/** The DESCRIBE property naming the role Snowflake assumes: API_AWS_ROLE_ARN or STORAGE_AWS_ROLE_ARN. */
export function roleArnPropertyOf(kind: IntegrationKind): string {
  return `${PREFIX[kind]}_AWS_ROLE_ARN`;
}

/** A value without the spaces and quotes around it (as "x", 'x', `x`, or typographic quotes). */
export function unwrapValue(raw: string): string {
  let value = raw.trim();
  while (value.length >= 2 && QUOTE_PAIRS.includes(`${value[0]}${value.at(-1)}`)) {
    value = value.slice(1, -1).trim();
  }
  return value;
}

function propertyMap(rows: readonly DescribeRow[]): Map<string, string> {
  const properties = new Map<string, string>();
  for (const row of rows) {
    const property = unwrapValue(row.property).toUpperCase();
    const seen = properties.get(property);
    if (seen !== undefined && seen !== row.value) {
      throw new DescribeOutputError(
        `${property} appears twice with different values: the output mixes two integrations. Describe one at a time.`,
      );
    }
    properties.set(property, row.value);
  }
  return properties;
}

function integrationKind(properties: ReadonlyMap<string, string>): IntegrationKind {
  const names = [...properties.keys()];
  const isApi = names.some((name) => name.startsWith('API_'));
  const isStorage = names.some((name) => name.startsWith('STORAGE_'));
  if (isApi && isStorage) {
    throw new DescribeOutputError(
      'The output has both API_ and STORAGE_ properties: it mixes two integrations. Describe one at a time.',
    );
  }
  if (isApi) return 'api';
  if (isStorage) return 'storage';
  const shown = names.slice(0, 6).join(', ') || 'none';
  throw new DescribeOutputError(
    `This is neither an API nor a storage integration (no API_ or STORAGE_ properties; it has ${shown}). ` +
      'Describe the integration whose role the stack links.',
  );
}

function requiredValue(
  properties: ReadonlyMap<string, string>,
  kind: IntegrationKind,
  property: string,
): string {
  const raw = properties.get(property);
  if (raw === undefined) {
    const provider = unwrapValue(properties.get(`${PREFIX[kind]}_PROVIDER`) ?? '');
    const notAws = provider !== '' && !/aws|s3/i.test(provider);
    throw new DescribeOutputError(
      notAws
        ? `This ${kind} integration's provider is ${provider}, not AWS: it has no ${property} to link.`
        : `${property} is missing from the output: was it cut off? Copy the whole DESCRIBE INTEGRATION result.`,
    );
  }
  const value = unwrapValue(raw);
  if (value === '') throw new DescribeOutputError(`${property} is empty in the output: nothing to link.`);
  return value;
}

function valueProblem(
  property: string,
  value: string,
  problem: (value: string) => string | undefined,
): string | undefined {
  if (TRUNCATED.test(value)) {
    return `${property} "${value}" ends in an ellipsis: the value was cut short. Copy it whole, or use snow --format json.`;
  }
  const found = problem(value);
  return found === undefined ? undefined : `${property}: ${found}`;
}
