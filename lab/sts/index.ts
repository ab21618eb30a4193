// The STS stand-in: see server.ts for the running service and token.ts for the tokens it signs.
export { type StsCall, StsStandIn, type StsStandInOptions } from './server';
export { issueToken, newIssuer, type TokenIssuer, type WebIdentityClaims } from './token';
