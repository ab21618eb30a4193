// The lifecycle of Custom::SnowflakeExternalFunction. The physical id names the function (database, schema,
// name, argument types) and its maker (user, role): a Create makes it with a plain CREATE, so it never
// replaces a function someone else made; an Update of the same function replaces only its own (OR REPLACE);
// Delete drops it, and reads "does not exist or not authorized" as gone only for its maker. When an
// update moves the function to another integration or URL, a probe under another name proves the new path
// before the function switches, so calls never meet a trust IAM has not propagated yet.

import { CustomResourceError } from '../../framework/errors';
import type { Outcome } from '../../framework/framework';
import { log } from '../../framework/log';
import { NotAuthorizedError, StatementFailedError } from '../client/errors';
import { keyword, type SqlText, sql } from '../client/sql';
import type { SqlApiClient } from '../client/sql-api';
import {
  createFunctionSql,
  DATA_TYPES,
  dropFunctionSql,
  type FunctionSpec,
  functionName,
  parseFunctionProperties,
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

/** Replaces its own function in place, or creates a new one (a new id: CloudFormation drops the old one). */
export async function updateFunction(
  properties: unknown,
  oldProperties: unknown,
  physicalId: string,
  invocation: SnowflakeInvocation,
): Promise<Outcome> {
  const spec = parseFunctionProperties(properties);
  const client = await invocation.connect(spec.connection, invocation.signal);
  if (!namesFunction(physicalId, spec)) {
    checkServedStack(invocation.servedStackId, invocation.owner);
    // CloudFormation never learns of a replacement that failed: undo it then.
    const newId = await createOwn(client, spec, invocation, (id) => {
      invocation.undo = id ? (signal) => dropTarget(client, targetOf(spec), signal) : undefined;
    });
    const data = await verified(client, spec, invocation);
    invocation.undo = undefined;
    return { physicalResourceId: newId, data };
  }
  if (spec.verify && movesPath(oldProperties, spec)) {
    await probe(client, { ...spec, verify: spec.verify }, invocation);
  }
  await client.execute(createFunctionSql(spec, true), { signal: invocation.signal, privilege: PRIVILEGE });
  return { physicalResourceId: physicalId, data: await verified(client, spec, invocation) };
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

function movesPath(oldProperties: unknown, spec: FunctionSpec): boolean {
  try {
    const old = parseFunctionProperties(oldProperties);
    return old.integration !== spec.integration || old.url !== spec.url;
  } catch {
    return true;
  }
}
