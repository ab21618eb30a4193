// The Snowflake resources' one way to Snowflake: a client for a resource's connection. Tests give their own.

import type { Invocation } from '../../framework/framework';
import { type ConnectionSource, connectSnowflake } from '../client/connection';
import type { SqlApiClient, SqlApiOptions } from '../client/sql-api';

/** Opens a client for the resource's connection. */
export type Connect = (source: ConnectionSource, signal: AbortSignal) => Promise<SqlApiClient>;

/** An invocation of the framework, with the Snowflake side's seams and settings. */
export interface SnowflakeInvocation extends Invocation {
  connect: Connect;
  /** How long Verify keeps calling through IAM's propagation, in ms. */
  verifyMs: number;
}

const DEFAULT_VERIFY_SECONDS = 120;

/**
 * The settings from the function's environment. SNOWFLAKE_ENDPOINT_OVERRIDE is set by the lab only: it is
 * the one way to reach an http:// SQL API, and never comes from a template's properties or a secret.
 */
export function snowflakeSettings(
  env: NodeJS.ProcessEnv = process.env,
): Pick<SnowflakeInvocation, 'connect' | 'verifyMs'> {
  const options = sqlApiOptions(env);
  return {
    connect: (source, signal) => connectSnowflake(source, { signal, ...options }),
    verifyMs: (positiveNumber(env.SNOWFLAKE_VERIFY_SECONDS) ?? DEFAULT_VERIFY_SECONDS) * 1000,
  };
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
