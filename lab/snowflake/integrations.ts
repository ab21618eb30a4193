// The integration statements on the catalog, with Snowflake's rules: CREATE needs the CREATE
// INTEGRATION privilege; CREATE OR REPLACE gives a new external id; ALTER keeps it; an integration is
// visible only to its owner role and ACCOUNTADMIN, and "does not exist or not authorized" otherwise.
import { ACCOUNTADMIN } from './account';
import type { IntegrationRecord } from './catalog';
import { alreadyExists, doesNotExist, insufficientPrivileges } from './errors';
import { type ResultSet, statusResult, timestampText } from './results';
import type { Session, Workspace } from './session';
import type { PropertyValue } from './sql/cursor';
import type { IntegrationCategory, Statement } from './sql/statements';

type Of<T extends Statement['type']> = Extract<Statement, { type: T }>;

type PropertyType = 'String' | 'List' | 'Boolean';

// What DESCRIBE INTEGRATION lists, in order, with each property's type and default.
const DESCRIBED: Record<IntegrationCategory, ReadonlyArray<[string, PropertyType, string]>> = {
  API: [
    ['ENABLED', 'Boolean', 'false'],
    ['API_KEY', 'String', ''],
    ['API_ALLOWED_PREFIXES', 'List', '[]'],
    ['API_BLOCKED_PREFIXES', 'List', '[]'],
    ['API_PROVIDER', 'String', ''],
    ['API_AWS_IAM_USER_ARN', 'String', ''],
    ['API_AWS_ROLE_ARN', 'String', ''],
    ['API_AWS_EXTERNAL_ID', 'String', ''],
    ['COMMENT', 'String', ''],
  ],
  STORAGE: [
    ['ENABLED', 'Boolean', 'false'],
    ['STORAGE_PROVIDER', 'String', ''],
    ['STORAGE_ALLOWED_LOCATIONS', 'List', '[]'],
    ['STORAGE_BLOCKED_LOCATIONS', 'List', '[]'],
    ['STORAGE_AWS_IAM_USER_ARN', 'String', ''],
    ['STORAGE_AWS_ROLE_ARN', 'String', ''],
    ['STORAGE_AWS_EXTERNAL_ID', 'String', ''],
    ['STORAGE_AWS_OBJECT_ACL', 'String', ''],
    ['COMMENT', 'String', ''],
  ],
};

/** Whether the session's role may see (and so alter, drop, use) the integration. */
export function visibleTo(integration: IntegrationRecord | undefined, session: Session): boolean {
  return integration !== undefined && (session.role === ACCOUNTADMIN || integration.owner === session.role);
}

/** CREATE [OR REPLACE] ... INTEGRATION [IF NOT EXISTS]. */
export function createIntegration(
  statement: Of<'createIntegration'>,
  session: Session,
  space: Workspace,
): ResultSet {
  if (!space.account.may(session.role, 'CREATE INTEGRATION')) throw insufficientPrivileges(space.accountName);
  const existing = space.catalog.integration(statement.name);
  if (existing !== undefined && statement.ifNotExists) {
    return statusResult(`${statement.name} already exists, statement succeeded.`);
  }
  if (existing !== undefined && !statement.orReplace) throw alreadyExists(statement.name);
  if (existing !== undefined && !visibleTo(existing, session))
    throw insufficientPrivileges(space.accountName);
  const values = new Map<string, string | string[]>();
  setValues(values, statement.properties);
  const externalId = values.get('STORAGE_AWS_EXTERNAL_ID');
  space.catalog.putIntegration({
    // A new hidden id even under an old name: stages linked to the old one lose it (tables-external-ts, 003139).
    id: space.catalog.newId(),
    name: statement.name,
    category: statement.category,
    owner: session.role,
    createdOn: new Date(),
    externalId: typeof externalId === 'string' ? externalId : space.catalog.newExternalId(),
    values,
  });
  return statusResult(`Integration ${statement.name} successfully created.`);
}

/** ALTER [API|STORAGE] INTEGRATION [IF EXISTS] ... SET / UNSET: the external id stays. */
export function alterIntegration(
  statement: Of<'alterIntegration'>,
  session: Session,
  space: Workspace,
): ResultSet {
  const integration = find(statement, session, space);
  if (integration === undefined) return statusResult('Statement executed successfully.');
  setValues(integration.values, statement.set);
  for (const property of statement.unset) integration.values.delete(property);
  const externalId = integration.values.get('STORAGE_AWS_EXTERNAL_ID');
  if (typeof externalId === 'string') integration.externalId = externalId;
  return statusResult('Statement executed successfully.');
}

/** DESCRIBE INTEGRATION: property | property_type | property_value | property_default. */
export function describeIntegration(
  statement: Of<'describeIntegration'>,
  session: Session,
  space: Workspace,
): ResultSet {
  const integration = find({ ...statement, ifExists: false }, session, space) as IntegrationRecord;
  const prefix = integration.category === 'API' ? 'API' : 'STORAGE';
  const shown = new Map(integration.values);
  shown.set(`${prefix}_AWS_IAM_USER_ARN`, space.catalog.iamUserArn);
  shown.set(`${prefix}_AWS_EXTERNAL_ID`, integration.externalId);
  if (shown.has('API_KEY')) shown.set('API_KEY', '********');
  return {
    columns: ['property', 'property_type', 'property_value', 'property_default'].map((name) => ({
      name,
      type: 'text',
    })),
    rows: DESCRIBED[integration.category].map(([property, type, fallback]) => [
      property,
      type,
      display(shown.get(property)),
      fallback,
    ]),
  };
}

/** SHOW [API|STORAGE] INTEGRATIONS [LIKE '...']: the ones the role may see. */
export function showIntegrations(
  statement: Of<'showIntegrations'>,
  session: Session,
  space: Workspace,
): ResultSet {
  const like = statement.like === undefined ? undefined : likePattern(statement.like);
  const shown = space.catalog
    .integrations()
    .filter((i) => visibleTo(i, session))
    .filter((i) => statement.category === undefined || i.category === statement.category)
    .filter((i) => like === undefined || like.test(i.name));
  return {
    columns: [
      { name: 'name', type: 'text' },
      { name: 'type', type: 'text' },
      { name: 'category', type: 'text' },
      { name: 'enabled', type: 'boolean' },
      { name: 'comment', type: 'text' },
      { name: 'created_on', type: 'timestamp_ltz' },
    ],
    rows: shown.map((i) => [
      i.name,
      i.category === 'API' ? 'EXTERNAL_API' : 'EXTERNAL_STAGE',
      i.category,
      display(i.values.get('ENABLED')),
      typeof i.values.get('COMMENT') === 'string' ? display(i.values.get('COMMENT')) : null,
      timestampText(i.createdOn),
    ]),
  };
}

/** DROP [API|STORAGE] INTEGRATION [IF EXISTS]. */
export function dropIntegration(
  statement: Of<'dropIntegration'>,
  session: Session,
  space: Workspace,
): ResultSet {
  const integration = find(statement, session, space);
  if (integration === undefined) {
    return statusResult(`Drop statement executed successfully (${statement.name} already dropped).`);
  }
  space.catalog.removeIntegration(integration.name);
  return statusResult(`${integration.name} successfully dropped.`);
}

// The integration the statement names, if the role may see it and its kind matches; IF EXISTS makes absence no error.
function find(
  statement: { name: string; category: IntegrationCategory | undefined; ifExists: boolean },
  session: Session,
  space: Workspace,
): IntegrationRecord | undefined {
  const integration = space.catalog.integration(statement.name);
  const matches =
    visibleTo(integration, session) &&
    (statement.category === undefined || integration?.category === statement.category);
  if (matches) return integration;
  if (statement.ifExists) return undefined;
  throw doesNotExist('Integration', statement.name);
}

function setValues(values: Map<string, string | string[]>, properties: Record<string, PropertyValue>): void {
  for (const [property, value] of Object.entries(properties))
    values.set(property, storedValue(property, value));
}

function storedValue(property: string, value: PropertyValue): string | string[] {
  if (value.kind === 'list') return value.items;
  if (property === 'ENABLED') return value.text.toLowerCase() === 'true' ? 'true' : 'false';
  if (property.endsWith('_PREFIXES') || property.endsWith('_LOCATIONS')) return [value.text];
  return value.text;
}

function display(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(',') : value;
}

function likePattern(pattern: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'is');
}
