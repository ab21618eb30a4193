// The Secrets Manager stand-in: see server.ts for the running service and secrets.ts for its state.
export { type SecretsFault, SecretsFaultPlan } from './faults';
export { type SecretRecord, SecretsManagerError } from './secrets';
export {
  type SecretsManagerCall,
  SecretsManagerStandIn,
  type SecretsManagerStandInOptions,
} from './server';
