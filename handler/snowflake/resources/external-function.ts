// The lifecycle of Custom::SnowflakeExternalFunction. The physical id names the function (database, schema,
// name, argument types): a Create makes it with a plain CREATE, so it never replaces a function someone
// else made; an Update of the same function replaces only its own (OR REPLACE); Delete drops it. When an
// update moves the function to another integration or URL, a probe under another name proves the new path
// before the function switches, so calls never meet a trust IAM has not propagated yet.

import { CustomResourceError } from '../../framework/errors';
import type { Outcome } from '../../framework/framework';
import { log } from '../../framework/log';
import { StatementFailedError } from '../client/errors';
import type { SqlApiClient } from '../client/sql-api';
import {
  createFunctionSql,
  DATA_TYPES,
  dropFunctionSql,
  type FunctionSpec,
  parseFunctionProperties,
} from './function-spec';
import { PropertyReader } from './properties';
import type { SnowflakeInvocation } from './session';
import { type VerifyBudget, verifyCall } from './verify';

/** The function exists already and this resource did not create it. */
export class FunctionExistsError extends CustomResourceError {}

interface FunctionTarget {
  database: string;
  schema: string;
  name: string;
  types: string[];
}

const PREFIX = 'SnowflakeExternalFunction:';
const PRIVILEGE =
  'USAGE on the database, USAGE and CREATE FUNCTION on the schema, and USAGE on the API integration';
// Verify stops this long before the function's deadline, so that the answer still goes out.
const VERIFY_MARGIN_MS = 15_000;

/** Creates the function, then calls it (Verify). A failure leaves an id whose Delete drops it. */
export async function createFunction(properties: unknown, invocation: SnowflakeInvocation): Promise<Outcome> {
  const spec = parseFunctionProperties(properties);
  const client = await invocation.connect(spec.connection, invocation.signal);
  const physicalId = functionPhysicalId(spec);
  const marker = invocation.failedPhysicalId;
  invocation.failedPhysicalId = physicalId;
  await createOwn(client, spec, invocation, () => {
    invocation.failedPhysicalId = marker;
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
  const newId = functionPhysicalId(spec);
  if (newId !== physicalId) {
    // CloudFormation never learns of a replacement that failed: undo it then.
    invocation.undo = (signal) => dropTarget(client, targetOf(spec), signal);
    await createOwn(client, spec, invocation, () => {
      invocation.undo = undefined;
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

/** Drops the function the id names; a failed Create's marker names none. */
export async function deleteFunction(
  properties: unknown,
  physicalId: string,
  invocation: SnowflakeInvocation,
): Promise<Outcome> {
  const target = parseFunctionPhysicalId(physicalId);
  if (!target) {
    log('info', 'Nothing to drop: the physical id names no function', { physicalId });
    return { physicalResourceId: physicalId };
  }
  const reader = new PropertyReader(properties, 'Custom::SnowflakeExternalFunction', 'any');
  const connection = reader.connection();
  reader.done();
  const client = await invocation.connect(connection, invocation.signal);
  await dropTarget(client, target, invocation.signal);
  return { physicalResourceId: physicalId };
}

/** The id naming a function: its database, schema, name and argument types, as JSON after the prefix. */
export function functionPhysicalId(
  spec: Pick<FunctionSpec, 'database' | 'schema' | 'name' | 'parameters'>,
): string {
  return `${PREFIX}${JSON.stringify([spec.database, spec.schema, spec.name, spec.parameters.map((p) => p.type)])}`;
}

/** The function an id names, or undefined for any other id. */
export function parseFunctionPhysicalId(physicalId: string): FunctionTarget | undefined {
  if (!physicalId.startsWith(PREFIX)) return undefined;
  try {
    const [database, schema, name, types] = JSON.parse(physicalId.slice(PREFIX.length)) as unknown[];
    const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
    const known = (type: unknown) => DATA_TYPES.some((t) => t === type);
    if (!isText(database) || !isText(schema) || !isText(name) || !Array.isArray(types) || !types.every(known))
      return undefined;
    return { database, schema, name, types: types as string[] };
  } catch {
    return undefined;
  }
}

// A plain CREATE: a function of that signature that exists already is someone else's, never replaced.
async function createOwn(
  client: SqlApiClient,
  spec: FunctionSpec,
  invocation: SnowflakeInvocation,
  nothingWritten: () => void,
): Promise<void> {
  try {
    await client.execute(createFunctionSql(spec, false), { signal: invocation.signal, privilege: PRIVILEGE });
  } catch (error) {
    if (!(error instanceof StatementFailedError && error.failure.code === '002002')) throw error;
    nothingWritten();
    throw new FunctionExistsError(
      `The function ${spec.database}.${spec.schema}.${spec.name}(${spec.parameters.map((p) => p.type).join(', ')}) exists already, and this stack did not create it. Choose another FunctionName, Schema or Database, or drop it.`,
      { cause: error },
    );
  }
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

async function dropTarget(client: SqlApiClient, target: FunctionTarget, signal: AbortSignal): Promise<void> {
  await client.execute(dropFunctionSql(target), {
    signal,
    privilege: 'OWNERSHIP of the function, and USAGE on its database and schema',
  });
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
