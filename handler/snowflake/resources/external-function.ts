// The lifecycle of Custom::SnowflakeExternalFunction. The physical id names the function (database, schema,
// name, argument types) and its maker (user, role): a Create makes it with a plain CREATE, so it never
// replaces a function someone else made; Delete drops it, and reads "does not exist or not authorized" as
// gone only for its maker. An Update of the same function changes it in place where Snowflake can (ALTER
// FUNCTION … SET API_INTEGRATION), sends no DDL when nothing about the function changed (a new
// TrustedExternalIds after a rotation only re-runs Verify), and re-creates it only for what ALTER FUNCTION
// cannot change (URL, return type, argument names), giving back the grants other roles held: CREATE OR
// REPLACE EXTERNAL FUNCTION has no COPY GRANTS and drops them. When an update moves the function to another
// integration or URL, a probe under another name proves the new path before the function switches, so calls
// never meet a trust IAM has not propagated yet.
// Why ALTER FUNCTION and not CREATE OR ALTER EXTERNAL FUNCTION: both change API_INTEGRATION in place
// (https://docs.snowflake.com/en/sql-reference/sql/create-external-function, "CREATE OR ALTER EXTERNAL
// FUNCTION": "has the same limitations as an ALTER FUNCTION statement"), and ALTER names the one property it
// changes, so an update can say exactly what it did.

import { CustomResourceError } from '../../framework/errors';
import type { Outcome } from '../../framework/framework';
import { log } from '../../framework/log';
import { NotAuthorizedError, StatementFailedError } from '../client/errors';
import { rowsByName } from '../client/results';
import { keyword, type SqlText, sql } from '../client/sql';
import type { SqlApiClient } from '../client/sql-api';
import {
  alterFunctionIntegrationSql,
  createFunctionSql,
  DATA_TYPES,
  dropFunctionSql,
  type FunctionSpec,
  functionName,
  grantSql,
  parseFunctionProperties,
  type RoleGrant,
  showGrantsSql,
} from './function-spec';
import {
  type Creator,
  checkServedStack,
  creatorPart,
  type Identity,
  type IdPart,
  isDigested,
  jsonPhysicalId,
  parseCreatorPart,
  partHolds,
} from './ownership';
import { PropertyReader } from './properties';
import { confirmGone, type SnowflakeInvocation, sessionIdentity } from './session';
import { type VerifyBudget, verifyCall } from './verify';

/** The function exists already and this resource did not create it. */
export class FunctionExistsError extends CustomResourceError {}

/** Re-creating the function would drop grants this resource cannot give back, or giving them back failed. */
export class FunctionGrantsError extends CustomResourceError {}

/** The id keeps a digest of the function's name, and the Delete's properties name another function. */
export class FunctionIdMismatchError extends CustomResourceError {}

interface FunctionTarget {
  database: string;
  schema: string;
  name: string;
  types: string[];
}

const PREFIX = 'SnowflakeExternalFunction:';
const PRIVILEGE = 'USAGE on the database and the API integration, and CREATE FUNCTION on the schema';
// Verify stops this long before the function's deadline, so that the answer still goes out.
const VERIFY_MARGIN_MS = 15_000;

/** Creates the function, then calls it (Verify). A failure leaves an id whose Delete drops it. */
export async function createFunction(properties: unknown, invocation: SnowflakeInvocation): Promise<Outcome> {
  const spec = parseFunctionProperties(properties);
  checkServedStack(invocation.servedStackId, invocation.owner);
  const client = await invocation.connect(spec.connection, invocation.signal);
  const marker = invocation.failedPhysicalId;
  const physicalId = await createOwn(client, spec, invocation, (id) => {
    invocation.failedPhysicalId = id ?? marker;
  });
  return { physicalResourceId: physicalId, data: await verified(client, spec, invocation) };
}

/**
 * Changes its own function in place as far as Snowflake allows, or creates a new one for a new name or new
 * argument types (a new id: CloudFormation drops the old one at cleanup), with the old one's grants.
 */
export async function updateFunction(
  properties: unknown,
  oldProperties: unknown,
  physicalId: string,
  invocation: SnowflakeInvocation,
): Promise<Outcome> {
  const spec = parseFunctionProperties(properties);
  const client = await invocation.connect(spec.connection, invocation.signal);
  if (!namesFunction(physicalId, spec))
    return replaceFunction(client, spec, physicalId, oldProperties, invocation);
  const old = parsedOrUndefined(oldProperties);
  const change = changeOf(old, spec);
  const grants = change === 'recreate' ? await grantsOn(client, targetOf(spec), invocation.signal, true) : [];
  if (spec.verify && (!old || old.integration !== spec.integration || old.url !== spec.url)) {
    await probe(client, { ...spec, verify: spec.verify }, invocation);
  }
  if (change === 'alter') {
    await client.execute(alterFunctionIntegrationSql(targetOf(spec), spec.integration), {
      signal: invocation.signal,
      privilege: 'OWNERSHIP of the function, and USAGE on the API integration',
    });
  } else if (change === 'recreate') {
    await client.execute(createFunctionSql(spec, true), { signal: invocation.signal, privilege: PRIVILEGE });
    await giveBack(client, targetOf(spec), grants, invocation.signal);
  } else {
    log('info', 'Nothing about the function changed: no DDL', { function: spec.name });
  }
  return { physicalResourceId: physicalId, data: await verified(client, spec, invocation) };
}

/** What an update does to a function that keeps its id. Pure. */
export function changeOf(old: FunctionSpec | undefined, spec: FunctionSpec): 'none' | 'alter' | 'recreate' {
  if (!old) return 'recreate';
  const sameShape =
    old.url === spec.url &&
    old.returns === spec.returns &&
    JSON.stringify(old.parameters) === JSON.stringify(spec.parameters);
  if (!sameShape) return 'recreate';
  return old.integration === spec.integration ? 'none' : 'alter';
}

// A new signature is a new function: made beside the old one, with the grants the old one has.
async function replaceFunction(
  client: SqlApiClient,
  spec: FunctionSpec,
  physicalId: string,
  oldProperties: unknown,
  invocation: SnowflakeInvocation,
): Promise<Outcome> {
  checkServedStack(invocation.servedStackId, invocation.owner);
  const old = oldTargetOf(physicalId, oldProperties);
  const grants = old ? await grantsOn(client, old, invocation.signal, false) : [];
  // CloudFormation never learns of a replacement that failed: undo it then.
  const newId = await createOwn(client, spec, invocation, (id) => {
    invocation.undo = id ? (signal) => dropTarget(client, targetOf(spec), signal) : undefined;
  });
  await giveBack(client, targetOf(spec), grants, invocation.signal);
  const data = await verified(client, spec, invocation);
  invocation.undo = undefined;
  return { physicalResourceId: newId, data };
}

// The function the old id names, when its names can be known (a digested id needs the old properties).
function oldTargetOf(physicalId: string, oldProperties: unknown): FunctionTarget | undefined {
  const claim = parseFunctionPhysicalId(physicalId);
  try {
    return claim ? functionOf(claim, oldProperties) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The privileges other roles hold on the function, from SHOW GRANTS (OWNERSHIP is the creator's own). When
 * `strict`, a grant that GRANT USAGE … TO ROLE cannot give back fails the update before anything changes.
 */
async function grantsOn(
  client: SqlApiClient,
  target: FunctionTarget,
  signal: AbortSignal,
  strict: boolean,
): Promise<RoleGrant[]> {
  let rows: Record<string, string | null>[];
  try {
    rows = rowsByName(await client.execute(showGrantsSql(target), { signal }));
  } catch (error) {
    if (error instanceof NotAuthorizedError) return [];
    throw error;
  }
  const held = rows.filter((row) => row.privilege !== 'OWNERSHIP');
  const kept = held.filter(
    (row) => row.privilege === 'USAGE' && row.granted_to === 'ROLE' && row.grantee_name,
  );
  const lost = held.filter((row) => !kept.includes(row));
  const lostText = lost.map((row) => `${row.privilege} to ${row.granted_to} ${row.grantee_name}`).join(', ');
  if (lost.length > 0 && strict) {
    throw new FunctionGrantsError(
      `Changing the URL, Returns or argument names re-creates ${target.name}, which drops its grants, and this resource can give back only USAGE to roles, not: ${lostText}. Revoke those grants, update, then grant them again.`,
    );
  }
  if (lost.length > 0) log('warn', 'Grants the new function does not get', { grants: lostText });
  return kept.map((row) => ({
    privilege: 'USAGE',
    role: row.grantee_name ?? '',
    grantOption: row.grant_option === 'true',
  }));
}

// Gives each grant back; one that fails leaves the rest named in the Reason, for a person to run.
async function giveBack(
  client: SqlApiClient,
  target: FunctionTarget,
  grants: RoleGrant[],
  signal: AbortSignal,
): Promise<void> {
  for (const [index, grant] of grants.entries()) {
    try {
      await client.execute(grantSql(target, grant), { signal, privilege: 'OWNERSHIP of the function' });
    } catch (error) {
      const pending = grants.slice(index).map((g) => `${grantSql(target, g).text};`);
      throw new FunctionGrantsError(
        `Giving ${target.name} back the grants it had failed (${error instanceof Error ? error.message : String(error)}). Run as its owner: ${pending.join(' ')}`,
        { cause: error },
      );
    }
  }
}

/** Drops the function the id names; a failed Create's marker names none. 002003 is "gone" only for its maker. */
export async function deleteFunction(
  properties: unknown,
  physicalId: string,
  invocation: SnowflakeInvocation,
): Promise<Outcome> {
  const claim = parseFunctionPhysicalId(physicalId);
  if (!claim) {
    log('info', 'Nothing to drop: the physical id names no function', { physicalId });
    return { physicalResourceId: physicalId };
  }
  const reader = new PropertyReader(properties, 'Custom::SnowflakeExternalFunction', 'any');
  const connection = reader.connection();
  reader.done();
  const target = functionOf(claim, properties);
  const client = await invocation.connect(connection, invocation.signal);
  const what = `external function ${target.database}.${target.schema}.${target.name}(${target.types.join(', ')})`;
  try {
    await client.execute(dropOwnedSql(target), {
      signal: invocation.signal,
      privilege: 'OWNERSHIP of the function',
    });
  } catch (error) {
    if (!(error instanceof NotAuthorizedError)) throw error;
    await confirmGone(client, { what, creator: claim.creator, owner: invocation.owner }, invocation.signal);
  }
  return { physicalResourceId: physicalId };
}

/** What a function's physical id holds: database, schema, name and argument types (each itself or a digest), and its maker. */
export interface FunctionClaim {
  parts: [IdPart<string>, IdPart<string>, IdPart<string>, IdPart<string[]>];
  /** Undefined for ids made by 0.1. */
  creator?: Creator;
}

/**
 * The id naming a function: `["<database>","<schema>","<name>",["<TYPE>",…],["<user>","<role>"]]` after the
 * prefix, the longest parts digested until it fits CloudFormation's 1,024 bytes.
 */
export function functionPhysicalId(
  spec: Pick<FunctionSpec, 'database' | 'schema' | 'name' | 'parameters'>,
  creator: Identity,
): string {
  const types = spec.parameters.map((p) => p.type);
  return jsonPhysicalId(PREFIX, [spec.database, spec.schema, spec.name, types, creatorPart(creator)]);
}

/** The function an id names, or undefined for any other id. 0.1's ids hold no maker. */
export function parseFunctionPhysicalId(physicalId: string): FunctionClaim | undefined {
  if (!physicalId.startsWith(PREFIX)) return undefined;
  try {
    const parts = JSON.parse(physicalId.slice(PREFIX.length)) as unknown[];
    if (!Array.isArray(parts) || (parts.length !== 4 && parts.length !== 5)) return undefined;
    const [database, schema, name, types] = parts;
    const isText = (value: unknown) => (typeof value === 'string' && value !== '') || isDigested(value);
    const known = (type: unknown) => DATA_TYPES.some((t) => t === type);
    const typesOk = isDigested(types) || (Array.isArray(types) && types.every(known));
    if (!isText(database) || !isText(schema) || !isText(name) || !typesOk) return undefined;
    const creator = parts.length === 5 ? parseCreatorPart(parts[4]) : undefined;
    if (parts.length === 5 && !creator) return undefined;
    return {
      parts: [database, schema, name, types] as FunctionClaim['parts'],
      ...(creator ? { creator } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Whether the id names the function these properties declare, in either format. */
export function namesFunction(physicalId: string, spec: FunctionSpec): boolean {
  const claim = parseFunctionPhysicalId(physicalId);
  const wanted = [spec.database, spec.schema, spec.name, spec.parameters.map((p) => p.type)];
  return claim?.parts.every((part, i) => partHolds(part, wanted[i])) ?? false;
}

// The names the id keeps as digests come from the properties, which must match them.
function functionOf(claim: FunctionClaim, properties: unknown): FunctionTarget {
  const [database, schema, name, types] = claim.parts;
  if (!claim.parts.some(isDigested)) {
    return { database, schema, name, types } as FunctionTarget;
  }
  let spec: FunctionSpec | undefined;
  try {
    spec = parseFunctionProperties(properties);
  } catch {
    spec = undefined;
  }
  if (spec && namesFunction(`${PREFIX}${JSON.stringify(claim.parts)}`, spec)) return targetOf(spec);
  throw new FunctionIdMismatchError(
    "The physical id keeps a digest of the function's long name, and the properties do not match it: delete with the properties the function was made with.",
  );
}

// A plain CREATE: a function of that signature that exists already is someone else's, never replaced.
// Reports the id whose Delete drops it once the function may exist (undefined when nothing was written).
async function createOwn(
  client: SqlApiClient,
  spec: FunctionSpec,
  invocation: SnowflakeInvocation,
  mayHaveWritten: (physicalId: string | undefined) => void,
): Promise<string> {
  const physicalId = functionPhysicalId(spec, await sessionIdentity(client, invocation.signal));
  mayHaveWritten(physicalId);
  try {
    await client.execute(createFunctionSql(spec, false), { signal: invocation.signal, privilege: PRIVILEGE });
  } catch (error) {
    if (!(error instanceof StatementFailedError && error.failure.code === '002002')) throw error;
    mayHaveWritten(undefined);
    throw new FunctionExistsError(
      `The function ${spec.database}.${spec.schema}.${spec.name}(${spec.parameters.map((p) => p.type).join(', ')}) exists already, and this stack did not create it. Choose another FunctionName, Schema or Database, or drop it.`,
      { cause: error },
    );
  }
  return physicalId;
}

// The new integration or URL is proven by a probe function before the real one switches to it.
async function probe(
  client: SqlApiClient,
  spec: FunctionSpec & { verify: Array<string | null> },
  invocation: SnowflakeInvocation,
): Promise<void> {
  const probeName = `${spec.name}_CFN_PROBE`;
  const { signal } = invocation;
  await client.execute(createFunctionSql(spec, true, probeName), { signal, privilege: PRIVILEGE });
  try {
    await verifyCall(client, spec, budgetOf(invocation), probeName);
  } finally {
    await client.execute(dropFunctionSql(targetOf(spec), probeName), { signal });
  }
}

async function verified(
  client: SqlApiClient,
  spec: FunctionSpec,
  invocation: SnowflakeInvocation,
): Promise<Record<string, string>> {
  const data = { FunctionName: `${spec.database}.${spec.schema}.${spec.name}` };
  if (!spec.verify) return data;
  const answer = await verifyCall(client, { ...spec, verify: spec.verify }, budgetOf(invocation));
  return { ...data, VerifyResult: answer ?? 'NULL' };
}

function budgetOf(invocation: SnowflakeInvocation): VerifyBudget {
  return {
    signal: invocation.signal,
    until: Math.min(Date.now() + invocation.verifyMs, invocation.deadline - VERIFY_MARGIN_MS),
  };
}

// No IF EXISTS: it answers success for a function the role cannot see as for one that is gone.
function dropOwnedSql(target: FunctionTarget): SqlText {
  const types = target.types.map((type) => keyword(type, DATA_TYPES));
  const list = types.reduce((all, type, i) => (i === 0 ? type : sql`${all}, ${type}`), sql``);
  return sql`DROP FUNCTION ${functionName(target)}(${list})`;
}

async function dropTarget(client: SqlApiClient, target: FunctionTarget, signal: AbortSignal): Promise<void> {
  await client.execute(dropFunctionSql(target), { signal, privilege: 'OWNERSHIP of the function' });
}

function targetOf(spec: FunctionSpec): FunctionTarget {
  return {
    database: spec.database,
    schema: spec.schema,
    name: spec.name,
    types: spec.parameters.map((p) => p.type),
  };
}

function parsedOrUndefined(properties: unknown): FunctionSpec | undefined {
  try {
    return parseFunctionProperties(properties);
  } catch {
    return undefined;
  }
}
