// The Snowflake resources' one way to Snowflake: a client for a resource's connection. Tests give their own.

import { CustomResourceError } from '../../framework/errors';
import { type Invocation, type Owner, stackNameOf } from '../../framework/framework';
import { log } from '../../framework/log';
import { type ConnectionSource, connectSnowflake } from '../client/connection';
import { sql } from '../client/sql';
import type { SqlApiClient, SqlApiOptions } from '../client/sql-api';
import { type Creator, type Identity, identityInWords, isCreator } from './ownership';

/** Opens a client for the resource's connection. */
export type Connect = (source: ConnectionSource, signal: AbortSignal) => Promise<SqlApiClient>;

/** An invocation of the framework, with the Snowflake side's seams and settings. */
export interface SnowflakeInvocation extends Invocation {
  connect: Connect;
  /** How long Verify keeps calling through IAM's propagation, in ms. */
  verifyMs: number;
  /** The stack whose function this is (SNOWFLAKE_STACK_ID): new objects are made for it only. */
  servedStackId?: string;
}

const DEFAULT_VERIFY_SECONDS = 120;

/**
 * The settings from the function's environment. SNOWFLAKE_ENDPOINT_OVERRIDE is set by the lab only: it is
 * the one way to reach an http:// SQL API, and never comes from a template's properties or a secret.
 */
export function snowflakeSettings(
  env: NodeJS.ProcessEnv = process.env,
): Pick<SnowflakeInvocation, 'connect' | 'verifyMs' | 'servedStackId'> {
  const options = sqlApiOptions(env);
  return {
    connect: (source, signal) => connectSnowflake(source, { signal, ...options }),
    verifyMs: (positiveNumber(env.SNOWFLAKE_VERIFY_SECONDS) ?? DEFAULT_VERIFY_SECONDS) * 1000,
    ...(env.SNOWFLAKE_STACK_ID ? { servedStackId: env.SNOWFLAKE_STACK_ID } : {}),
  };
}

/**
 * Who the connection signs in as: CURRENT_USER() and CURRENT_ROLE()
 * (https://docs.snowflake.com/en/sql-reference/functions/current_user,
 * https://docs.snowflake.com/en/sql-reference/functions/current_role; NULL for a database role reads as '').
 */
export async function sessionIdentity(client: SqlApiClient, signal: AbortSignal): Promise<Identity> {
  const result = await client.execute(sql`SELECT CURRENT_USER(), CURRENT_ROLE()`, { signal });
  const [user, role] = result.rows[0] ?? [];
  return { user: user ?? '', role: role ?? '' };
}

/**
 * The client's options from the environment: SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS is the statement timeout
 * (the client's 120 s by default) that a timed-out statement's Reason tells a person to raise.
 */
export function sqlApiOptions(env: NodeJS.ProcessEnv): SqlApiOptions {
  const endpointOverride = env.SNOWFLAKE_ENDPOINT_OVERRIDE || undefined;
  const statementTimeoutSeconds = positiveNumber(env.SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS);
  return {
    ...(endpointOverride ? { endpointOverride } : {}),
    ...(statementTimeoutSeconds ? { statementTimeoutSeconds } : {}),
  };
}

function positiveNumber(text: string | undefined): number | undefined {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Snowflake answers 002003 for an object this resource made, and the connection is no longer its maker. */
export class ObjectHiddenError extends CustomResourceError {}

/** What a Delete that met 002003 knows: the object in words, who made it (if recorded), and who asks. */
export interface HiddenObject {
  /** e.g. `API integration ECHO_API_INTEGRATION`. */
  what: string;
  /** Undefined for objects made by 0.1, which recorded no maker. */
  creator: Creator | undefined;
  owner: Owner;
}

/**
 * After 002003 "does not exist or not authorized": the object is gone when the connection is its maker (a
 * role sees what it owns, https://docs.snowflake.com/en/user-guide/security-access-control-overview);
 * otherwise it may still exist, hidden from this role, and the Delete fails saying so and how to go on.
 */
export async function confirmGone(
  client: SqlApiClient,
  hidden: HiddenObject,
  signal: AbortSignal,
): Promise<void> {
  const current = await sessionIdentity(client, signal);
  if (hidden.creator && isCreator(hidden.creator, current)) {
    log('info', 'Gone already: its maker no longer sees it', { object: hidden.what });
    return;
  }
  const stack = stackNameOf(hidden.owner.stackId);
  const made = hidden.creator
    ? `was made by ${identityInWords(hidden.creator)}`
    : 'was made by an earlier version of this function, which did not record its user and role, so this answer cannot tell a dropped object from a hidden one';
  throw new ObjectHiddenError(
    `Snowflake answers that the ${hidden.what} does not exist or is not authorized (002003). This connection signs in as ${identityInWords(current)}, and the ${hidden.what} ${made}: it may still exist, out of this role's sight, so it was not reported gone. Restore the connection's user and role (its secret or properties) and delete again; or, if the object is gone or is to stay, keep this resource out of the delete: aws cloudformation delete-stack --stack-name ${stack} --retain-resources ${hidden.owner.logicalId}`,
  );
}
