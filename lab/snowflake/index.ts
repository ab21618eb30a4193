// The Snowflake stand-in: see server.ts for the running SQL API, auth.ts for how callers are
// authenticated, sql/ for the statements it understands and integrations.ts / functions.ts / stages.ts for
// their rules.
export type { AccountPrivilege, NewUser } from './account';
export { fingerprintOf } from './account';
export type { AuthenticationMethod } from './auth';
export type { FunctionGrant, FunctionRecord, IntegrationRecord, PipeRecord, StageRecord } from './catalog';
export { ASSUME_ROLE_ERROR, SnowflakeError } from './errors';
export { type SnowflakeFault, SnowflakeFaultPlan, type SnowflakeFaultScope } from './faults';
export type { Execution } from './runner';
export {
  type AssumeAttempt,
  type SnowflakeCall,
  SnowflakeStandIn,
  type SnowflakeStandInOptions,
} from './server';
export type { Grammar } from './sql/cursor';
