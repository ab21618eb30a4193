// The Snowflake account's people and powers: users (their public keys and programmatic access tokens), roles
// with their account privileges, and warehouses. What authentication and
// access control read; the catalog of objects is in catalog.ts.
import { createHash, createPublicKey, randomBytes } from 'node:crypto';

/** A service user as a test arranges it (CREATE USER ... TYPE = SERVICE). */
export interface NewUser {
  name: string;
  /** PEM of the public key in RSA_PUBLIC_KEY. */
  rsaPublicKey?: string;
  /** PEM of the public key in RSA_PUBLIC_KEY_2, the rotation slot. */
  rsaPublicKey2?: string;
  /** Roles granted besides PUBLIC. */
  roles?: readonly string[];
  defaultRole?: string;
  defaultWarehouse?: string;
}

/** A user as stored: names upper case, keys by their fingerprints. */
export interface UserRecord {
  name: string;
  /** `SHA256:<base64>` of each registered key, by slot. */
  keys: { RSA_PUBLIC_KEY?: string; RSA_PUBLIC_KEY_2?: string };
  publicKeys: Map<string, string>;
  roles: Set<string>;
  defaultRole: string;
  defaultWarehouse?: string;
}

/** Snowflake's account-level privileges that the stand-in checks. */
export type AccountPrivilege = 'CREATE INTEGRATION';

const ALL_PRIVILEGES: readonly AccountPrivilege[] = ['CREATE INTEGRATION'];
export const ACCOUNTADMIN = 'ACCOUNTADMIN';
export const PUBLIC_ROLE = 'PUBLIC';

/** `SHA256:` and the base64 SHA-256 of the key's DER SubjectPublicKeyInfo, as DESC USER shows RSA_PUBLIC_KEY_FP. */
export function fingerprintOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

/** Users, roles, tokens and warehouses of one account. */
export class Account {
  private readonly users = new Map<string, UserRecord>();
  private readonly roles = new Map<string, Set<AccountPrivilege>>([
    [ACCOUNTADMIN, new Set(ALL_PRIVILEGES)],
    [PUBLIC_ROLE, new Set()],
  ]);
  private readonly tokens = new Map<string, { user: string; expiresAt: number }>();
  private readonly warehouses = new Set<string>(['COMPUTE_WH']);

  /** Creates or replaces a user. */
  createUser(spec: NewUser): UserRecord {
    const user: UserRecord = {
      name: spec.name.toUpperCase(),
      keys: {},
      publicKeys: new Map(),
      roles: new Set([PUBLIC_ROLE, ...(spec.roles ?? [])]),
      defaultRole: spec.defaultRole ?? spec.roles?.[0] ?? PUBLIC_ROLE,
      ...(spec.defaultWarehouse === undefined ? {} : { defaultWarehouse: spec.defaultWarehouse }),
    };
    for (const role of user.roles) if (!this.roles.has(role)) this.roles.set(role, new Set());
    this.users.set(user.name, user);
    if (spec.rsaPublicKey !== undefined) this.setPublicKey(user.name, 'RSA_PUBLIC_KEY', spec.rsaPublicKey);
    if (spec.rsaPublicKey2 !== undefined)
      this.setPublicKey(user.name, 'RSA_PUBLIC_KEY_2', spec.rsaPublicKey2);
    return user;
  }

  /** ALTER USER ... SET RSA_PUBLIC_KEY[_2] = '...'; undefined unsets the slot. */
  setPublicKey(userName: string, slot: 'RSA_PUBLIC_KEY' | 'RSA_PUBLIC_KEY_2', pem: string | undefined): void {
    const user = this.requireUser(userName);
    const old = user.keys[slot];
    if (old !== undefined) user.publicKeys.delete(old);
    if (pem === undefined) {
      delete user.keys[slot];
      return;
    }
    const fingerprint = fingerprintOf(pem);
    user.keys[slot] = fingerprint;
    user.publicKeys.set(fingerprint, pem);
  }

  /** The user by name (case-insensitive, as an unquoted name), or undefined. */
  user(name: string): UserRecord | undefined {
    return this.users.get(name.toUpperCase());
  }

  /** Issues a programmatic access token for a user; returns its secret. */
  addProgrammaticAccessToken(userName: string, expiresInMs = 15 * 24 * 3600 * 1000): string {
    const user = this.requireUser(userName);
    const secret = randomBytes(48).toString('base64url');
    this.tokens.set(secret, { user: user.name, expiresAt: Date.now() + expiresInMs });
    return secret;
  }

  /** Revokes a programmatic access token. */
  revokeProgrammaticAccessToken(secret: string): void {
    this.tokens.delete(secret);
  }

  /** The user a programmatic access token is valid for now, or undefined. */
  userOfToken(secret: string): UserRecord | undefined {
    const token = this.tokens.get(secret);
    if (token === undefined || token.expiresAt <= Date.now()) return undefined;
    return this.user(token.user);
  }

  /** Creates a role (or gives an existing one) the account privileges listed. */
  createRole(name: string, privileges: readonly AccountPrivilege[] = []): void {
    const granted = this.roles.get(name) ?? new Set<AccountPrivilege>();
    for (const privilege of privileges) granted.add(privilege);
    this.roles.set(name, granted);
  }

  /** GRANT <privilege> ON ACCOUNT TO ROLE / REVOKE: changes what the role may do. */
  setPrivilege(role: string, privilege: AccountPrivilege, granted: boolean): void {
    const privileges = this.roles.get(role) ?? new Set<AccountPrivilege>();
    if (granted) privileges.add(privilege);
    else privileges.delete(privilege);
    this.roles.set(role, privileges);
  }

  /** Whether a role of this name exists. */
  hasRole(name: string): boolean {
    return this.roles.has(name);
  }

  /** Whether the role holds the account privilege. */
  may(role: string, privilege: AccountPrivilege): boolean {
    return this.roles.get(role)?.has(privilege) ?? false;
  }

  /** Creates a warehouse, so that queries may run in it. */
  createWarehouse(name: string): void {
    this.warehouses.add(name);
  }

  /** Whether a warehouse exists. */
  hasWarehouse(name: string): boolean {
    return this.warehouses.has(name);
  }

  private requireUser(name: string): UserRecord {
    const user = this.user(name);
    if (user === undefined) throw new Error(`No user ${name} in the Snowflake stand-in`);
    return user;
  }
}
