// The IAM stand-in: see server.ts for the running service and policy.ts for IAM's trust-policy checks.
export {
  type AssumeRoleDecision,
  type AssumeRoleOptions,
  type AssumeRoleRequest,
  mayAssumeRole,
  trustAllows,
} from './assume';
export { type ErrorFault, IamError } from './errors';
export { type FaultKind, FaultPlan, type FaultScope } from './faults';
export { acceptTrustPolicy, DEFAULT_TRUST_POLICY_QUOTA, type PrincipalDirectory } from './policy';
export {
  DEFAULT_ACCOUNT_ID,
  type IamCall,
  IamStandIn,
  type IamStandInOptions,
  type TrustPolicy,
  type TrustStatement,
} from './server';
export type { NewRole } from './store';
export { encodeRfc3986, type RoleRecord, type RoleTag } from './xml';
