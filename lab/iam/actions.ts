// The IAM actions the stand-in serves, from Query parameters to the XML of the answer.
import { IamError, validationError } from './errors';
import type { RoleStore } from './store';
import { type RoleTag, roleXml, successXml } from './xml';

/** The actions the stand-in knows. */
export const ACTIONS = [
  'GetRole',
  'UpdateAssumeRolePolicy',
  'TagRole',
  'UntagRole',
  'CreateRole',
  'DeleteRole',
] as const;

/**
 * Runs one action on the store and returns the success XML; throws the IamError IAM would answer.
 * `staleMs` makes GetRole read as an eventually consistent IAM may: up to that much behind the writes.
 */
export function runAction(store: RoleStore, params: URLSearchParams, requestId: string, staleMs = 0): string {
  const action = params.get('Action') ?? '';
  switch (action) {
    case 'GetRole':
      return successXml(action, requestId, roleXml(store.getRole(required(params, 'RoleName'), staleMs)));
    case 'UpdateAssumeRolePolicy':
      store.updateTrustPolicy(required(params, 'RoleName'), required(params, 'PolicyDocument'));
      return successXml(action, requestId);
    case 'TagRole':
      store.tagRole(required(params, 'RoleName'), tagsOf(params));
      return successXml(action, requestId);
    case 'UntagRole':
      store.untagRole(required(params, 'RoleName'), membersOf(params, 'TagKeys'));
      return successXml(action, requestId);
    case 'CreateRole': {
      const role = store.createRole({
        roleName: required(params, 'RoleName'),
        trustPolicy: required(params, 'AssumeRolePolicyDocument'),
        path: params.get('Path') ?? '/',
        ...optional(params, 'Description', 'description'),
      });
      return successXml(action, requestId, roleXml(role));
    }
    case 'DeleteRole':
      store.deleteRole(required(params, 'RoleName'));
      return successXml(action, requestId);
    default:
      throw new IamError('InvalidAction', 400, `Could not find operation ${action} for version 2010-05-08`);
  }
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null) {
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    throw validationError(
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function optional(params: URLSearchParams, name: string, key: string): Record<string, string> {
  const value = params.get(name);
  return value === null ? {} : { [key]: value };
}

// A Query-protocol list: Name.member.1, Name.member.2, ... in order.
function membersOf(params: URLSearchParams, name: string): string[] {
  const values: string[] = [];
  for (let n = 1; params.has(`${name}.member.${n}`); n++)
    values.push(params.get(`${name}.member.${n}`) ?? '');
  return values;
}

function tagsOf(params: URLSearchParams): RoleTag[] {
  const tags: RoleTag[] = [];
  for (let n = 1; params.has(`Tags.member.${n}.Key`); n++) {
    tags.push({
      key: params.get(`Tags.member.${n}.Key`) ?? '',
      value: params.get(`Tags.member.${n}.Value`) ?? '',
    });
  }
  if (tags.length === 0)
    throw validationError(
      "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
    );
  return tags;
}
