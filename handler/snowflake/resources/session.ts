// The Snowflake resources' one way to Snowflake: a client for a resource's connection. Tests give their own.

import type { Invocation } from '../../framework/framework';
import { type ConnectionSource, connectSnowflake } from '../connection';
import type { SqlApiClient } from '../sql-api';

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
  const endpointOverride = env.SNOWFLAKE_ENDPOINT_OVERRIDE || undefined;
  const seconds = Number(env.SNOWFLAKE_VERIFY_SECONDS);
  return {
    connect: (source, signal) =>
      connectSnowflake(source, { signal, ...(endpointOverride ? { endpointOverride } : {}) }),
    verifyMs: (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_VERIFY_SECONDS) * 1000,
  };
}
