// The IAM stand-in's state: roles with their trust policies, and the principals that exist.
import { IamError, noSuchRole, validationError } from './errors';
import { acceptTrustPolicy, DEFAULT_TRUST_POLICY_QUOTA, type PrincipalDirectory } from './policy';
import { mapAwsPrincipals, uniqueId } from './principals';
import type { RoleRecord, RoleTag } from './xml';

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_PATH = /^\/(?:[\x21-\x7E]*\/)?$/;
const SERVICE_ROLE_PATH = '/aws-service-role/';
// IAM's tag rules (Tag in the IAM API reference): these characters, keys 1-128 long, values up to 256, 50 a role.
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const MAX_TAGS_PER_ROLE = 50;

/** One version of a role's mutable state, with when it was written: what an eventually consistent read may see. */
interface RoleVersion {
  at: number;
  document: string;
  tags: readonly RoleTag[];
}

/** What a new role is made of. */
export interface NewRole {
  roleName: string;
  /** The trust policy, as JSON text or as an object. */
  trustPolicy: string | object;
  path?: string;
  description?: string;
}

/** Roles by name, and the directory of principals IAM would recognise. */
export class RoleStore implements PrincipalDirectory {
  private readonly roles = new Map<string, RoleRecord>();
  // Every trust policy and tag set a role has had, with when it was written.
  private readonly history = new Map<string, RoleVersion[]>();
  // Users and roles outside the store that exist, with their unique ids.
  private readonly knownArns = new Map<string, string>();
  private readonly knownAccounts = new Set<string>();

  constructor(
    readonly accountId: string,
    readonly trustPolicyQuota = DEFAULT_TRUST_POLICY_QUOTA,
  ) {
    this.knownAccounts.add(accountId);
  }

  /** Makes a principal exist: an IAM user or role ARN (with a new unique id), or a 12-digit account id. */
  addKnownPrincipal(principal: string): void {
    const account = /^[0-9]{12}$/.test(principal) ? principal : principal.split(':')[4];
    if (account !== undefined) this.knownAccounts.add(account);
    if (principal !== account && !this.knownArns.has(principal)) {
      this.knownArns.set(principal, uniqueId(principal.includes(':role/') ? 'role' : 'user'));
    }
  }

  /** Makes a principal stop existing, as when an IAM user is deleted: policies naming it show its unique id. */
  removeKnownPrincipal(principal: string): void {
    this.knownArns.delete(principal);
  }

  isKnown(arn: string): boolean {
    const rootOf = /^arn:[\w-]+:iam::([0-9]{12}):root$/.exec(arn);
    if (rootOf?.[1] !== undefined) return this.knownAccounts.has(rootOf[1]);
    return this.idOf(arn) !== undefined;
  }

  createRole({ roleName, trustPolicy, path = '/', description }: NewRole): RoleRecord {
    checkRoleName(roleName);
    if (!ROLE_PATH.test(path)) {
      throw validationError(
        `1 validation error detected: Value '${path}' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)`,
      );
    }
    if (this.roles.has(roleName)) {
      throw new IamError('EntityAlreadyExists', 409, `Role with name ${roleName} already exists.`);
    }
    const text = typeof trustPolicy === 'string' ? trustPolicy : JSON.stringify(trustPolicy);
    const role: RoleRecord = {
      roleName,
      roleId: uniqueId('role'),
      arn: `arn:aws:iam::${this.accountId}:role${path}${roleName}`,
      path,
      createDate: new Date(),
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: this.stored(acceptTrustPolicy(text, this, this.trustPolicyQuota)),
      tags: [],
      ...(description === undefined ? {} : { description }),
    };
    this.roles.set(roleName, role);
    this.history.set(roleName, [{ at: Date.now(), document: role.assumeRolePolicyDocument, tags: [] }]);
    return this.shown(role);
  }

  /**
   * The role; with `staleMs`, its trust policy and tags as an eventually consistent read may see them: the
   * newest version written at least `staleMs` ago (or the first one).
   */
  getRole(roleName: string, staleMs = 0): RoleRecord {
    checkRoleName(roleName);
    const role = this.roles.get(roleName);
    if (role === undefined) throw noSuchRole(roleName);
    if (staleMs <= 0) return this.shown(role);
    const versions = this.history.get(roleName) ?? [];
    const seen = versions.filter((v) => v.at <= Date.now() - staleMs).at(-1) ?? versions[0];
    return this.shown({
      ...role,
      assumeRolePolicyDocument: seen?.document ?? role.assumeRolePolicyDocument,
      tags: seen?.tags ?? role.tags,
    });
  }

  updateTrustPolicy(roleName: string, document: string): void {
    const role = this.getRole(roleName);
    if (role.path.startsWith(SERVICE_ROLE_PATH)) {
      throw new IamError(
        'UnmodifiableEntity',
        400,
        `Cannot perform the operation on the protected role '${roleName}' - this role is only modifiable by AWS`,
      );
    }
    const stored = this.stored(acceptTrustPolicy(document, this, this.trustPolicyQuota));
    this.record({ ...this.current(roleName), assumeRolePolicyDocument: stored });
  }

  /** Adds tags, overwriting the value of a key already there, as TagRole does. */
  tagRole(roleName: string, tags: readonly RoleTag[]): void {
    const role = this.current(roleName);
    tags.forEach(checkTag);
    const kept = role.tags.filter((tag) => !tags.some((added) => added.key === tag.key));
    const next = [...kept, ...tags];
    if (next.length > MAX_TAGS_PER_ROLE) {
      throw new IamError('LimitExceeded', 409, `Cannot exceed quota for TagsPerRole: ${MAX_TAGS_PER_ROLE}`);
    }
    this.record({ ...role, tags: next });
  }

  /** Removes the tags with these keys; a key the role does not have is ignored, as UntagRole does. */
  untagRole(roleName: string, keys: readonly string[]): void {
    const role = this.current(roleName);
    this.record({ ...role, tags: role.tags.filter((tag) => !keys.includes(tag.key)) });
  }

  // The role as stored now, not as shown: principals by unique id.
  private current(roleName: string): RoleRecord {
    this.getRole(roleName);
    return this.roles.get(roleName) as RoleRecord;
  }

  private record(role: RoleRecord): void {
    this.roles.set(role.roleName, role);
    this.history
      .get(role.roleName)
      ?.push({ at: Date.now(), document: role.assumeRolePolicyDocument, tags: role.tags });
  }

  deleteRole(roleName: string): void {
    this.getRole(roleName);
    this.roles.delete(roleName);
    this.history.delete(roleName);
  }

  /** The trust policy in force at `at` (ms since the epoch), principals shown; undefined if the role did not exist then. */
  trustPolicyAt(roleName: string, at: number): string | undefined {
    const role = this.roles.get(roleName);
    const version = (this.history.get(roleName) ?? []).filter((v) => v.at <= at).at(-1);
    if (role === undefined || version === undefined) return undefined;
    return this.shown({ ...role, assumeRolePolicyDocument: version.document }).assumeRolePolicyDocument;
  }

  roleNames(): string[] {
    return [...this.roles.keys()];
  }

  // IAM keeps a user or role principal by its unique id...
  private stored(document: string): string {
    return mapAwsPrincipals(document, (principal) => this.idOf(principal) ?? principal);
  }

  // ...and shows it as an ARN only while that principal still exists.
  private shown(role: RoleRecord): RoleRecord {
    const document = mapAwsPrincipals(
      role.assumeRolePolicyDocument,
      (principal) => this.arnOf(principal) ?? principal,
    );
    return { ...role, assumeRolePolicyDocument: document };
  }

  private idOf(arn: string): string | undefined {
    return this.knownArns.get(arn) ?? [...this.roles.values()].find((role) => role.arn === arn)?.roleId;
  }

  private arnOf(id: string): string | undefined {
    const known = [...this.knownArns].find(([, knownId]) => knownId === id)?.[0];
    return known ?? [...this.roles.values()].find((role) => role.roleId === id)?.arn;
  }
}

// Lengths and characters are the API's constraints (ValidationError); the reserved prefix is IAM's own rule.
function checkTag({ key, value }: RoleTag): void {
  const fits = (text: string, min: number, max: number) =>
    TAG_TEXT.test(text) && text.length >= min && text.length <= max;
  if (!fits(key, 1, 128) || !fits(value, 0, 256)) {
    throw validationError(
      `1 validation error detected: Value at 'tags' failed to satisfy constraint: a key is 1 to 128 and a value 0 to 256 characters of [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`,
    );
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw new IamError('InvalidInput', 400, `Tag keys starting with 'aws:' are reserved for use by AWS.`);
  }
}

function checkRoleName(roleName: string): void {
  if (!ROLE_NAME.test(roleName)) {
    throw validationError(
      `1 validation error detected: Value '${roleName}' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
    );
  }
}
