// SYSTEM$VALIDATE_STORAGE_INTEGRATION('<integration>', '<path>', '<test file>', '<action>'): Snowflake
// assumes the integration's role and reports each action as JSON (sql-reference/functions/
// system_validate_storage_integration). The lab has no S3, so an action succeeds once the role is assumed.
// "Storage integration names are case-sensitive" (same page): the name is looked up exactly as given.
import { ASSUME_ROLE_ERROR, doesNotExist } from './errors';
import { visibleTo } from './integrations';
import { canAssumeRole, listOf } from './remote';
import type { ResultSet } from './results';
import type { Session, Workspace } from './session';

const ALL_ACTIONS = ['READ', 'DELETE', 'LIST', 'WRITE'];

/** The function's one-row answer: `{"status": "success"|"failure", "actions": {...}}` as text. */
export function validateStorageIntegration(
  args: readonly unknown[],
  column: string,
  session: Session,
  space: Workspace,
): ResultSet {
  const [integrationName, path, , action] = args.map((arg) => (typeof arg === 'string' ? arg : ''));
  const name = integrationName ?? '';
  const integration = space.catalog.integration(name);
  if (!visibleTo(integration, session) || integration?.category !== 'STORAGE') {
    throw doesNotExist('Integration', name);
  }
  const actions = (action ?? '').toUpperCase() === 'ALL' ? ALL_ACTIONS : [(action ?? '').toUpperCase()];
  const failure =
    failureOf(
      path ?? '',
      listOf(integration, 'STORAGE_ALLOWED_LOCATIONS'),
      listOf(integration, 'STORAGE_BLOCKED_LOCATIONS'),
    ) ?? (canAssumeRole(integration, space) ? undefined : ASSUME_ROLE_ERROR);
  const report = {
    status: failure === undefined ? 'success' : 'failure',
    actions: Object.fromEntries(
      actions.map((a) => [
        a,
        failure === undefined ? { status: 'success' } : { status: 'failure', message: failure },
      ]),
    ),
  };
  return { columns: [{ name: column, type: 'text' }], rows: [[JSON.stringify(report, null, 2)]] };
}

function failureOf(path: string, allowed: readonly string[], blocked: readonly string[]): string | undefined {
  const inside = allowed.some((location) => location === '*' || path.startsWith(location));
  if (inside && !blocked.some((location) => path.startsWith(location))) return undefined;
  return `Location '${path}' is not allowed by the integration.`;
}
