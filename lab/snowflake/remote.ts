// What Snowflake does in AWS for an external function or a storage integration: assume the
// integration's role as the account's IAM user with the integration's external id (the trust the
// link writes), then, for a function, POST the batch to the proxy URL and read the rows back
// (external functions' data format: {"data": [[row, value...], ...]} both ways).
import { randomUUID } from 'node:crypto';
import type { FunctionRecord, IntegrationRecord } from './catalog';
import { ASSUME_ROLE_ERROR, externalFunctionFailed } from './errors';
import type { Workspace } from './session';

/** Whether Snowflake can assume the integration's role now. */
export function canAssumeRole(integration: IntegrationRecord, space: Workspace): boolean {
  const prefix = integration.category === 'API' ? 'API' : 'STORAGE';
  const roleArn = integration.values.get(`${prefix}_AWS_ROLE_ARN`);
  if (typeof roleArn !== 'string') return false;
  return space.remote.assumeRole?.(roleArn, integration.externalId) ?? true;
}

/** Calls an external function with one batch of rows (each the call's arguments); returns one value per row. */
export async function callExternalFunction(
  fn: FunctionRecord,
  integration: IntegrationRecord,
  rows: unknown[][],
  space: Workspace,
): Promise<unknown[]> {
  checkUrlAllowed(fn, integration);
  if (integration.values.get('ENABLED') !== 'true') {
    throw externalFunctionFailed(`API integration ${integration.name} is disabled.`);
  }
  if (!canAssumeRole(integration, space)) throw externalFunctionFailed(ASSUME_ROLE_ERROR);
  const batchId = randomUUID();
  const response = await post(fn, rows, batchId, space.remote.remoteTimeoutMs);
  const text = await response.text();
  if (!response.ok) {
    throw externalFunctionFailed(
      `Request failed for external function ${fn.name} with remote service error: ${response.status} '${text}'; requests batch-id: ${batchId}`,
    );
  }
  return valuesOf(fn, text, rows.length);
}

async function post(
  fn: FunctionRecord,
  rows: unknown[][],
  batchId: string,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await fetch(fn.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'sf-external-function-format': 'json',
        'sf-external-function-format-version': '1.0',
        'sf-external-function-query-batch-id': batchId,
        'sf-external-function-name': fn.name,
      },
      body: JSON.stringify({ data: rows.map((args, index) => [index, ...args]) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw externalFunctionFailed(
      `Request failed for external function ${fn.name}. Error: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function valuesOf(fn: FunctionRecord, text: string, count: number): unknown[] {
  const invalid = () =>
    externalFunctionFailed(
      `Error parsing JSON response for external function ${fn.name}: ${text.slice(0, 200)}`,
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalid();
  }
  const data = (body as { data?: unknown }).data;
  if (!Array.isArray(data) || data.length !== count) throw invalid();
  const values = new Array<unknown>(count);
  for (const row of data) {
    if (!Array.isArray(row) || typeof row[0] !== 'number' || row[0] < 0 || row[0] >= count) throw invalid();
    values[row[0]] = row[1];
  }
  return values;
}

function checkUrlAllowed(fn: FunctionRecord, integration: IntegrationRecord): void {
  const allowed = listOf(integration, 'API_ALLOWED_PREFIXES').some((prefix) => fn.url.startsWith(prefix));
  const blocked = listOf(integration, 'API_BLOCKED_PREFIXES').some((prefix) => fn.url.startsWith(prefix));
  if (!allowed || blocked) {
    throw externalFunctionFailed(
      `Request failed for external function ${fn.name}. Error: URL '${fn.url}' is not allowed by API integration ${integration.name}.`,
    );
  }
}

/** A list property of an integration. */
export function listOf(integration: IntegrationRecord, property: string): string[] {
  const value = integration.values.get(property);
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
