// An in-memory role store behind a mocked IAMClient, answering as IAM does: GetRole returns the
// trust policy URL-encoded and the role's tags, a missing role is NoSuchEntity.

import {
  GetRoleCommand,
  IAMClient,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';

export const ACCOUNT = '123456789012';
export const ACCOUNT_ROOT = `arn:aws:iam::${ACCOUNT}:root`;
export const iamMock = mockClient(IAMClient);

export interface FakeIam {
  roles: Map<string, string>;
  /** Each role's tags, key to value. */
  tags: Map<string, Map<string, string>>;
  /** ARNs of roles with a path; others are arn:aws:iam::<account>:role/<name>. */
  arns: Map<string, string>;
  /** Sees each write and returns what the store keeps, as a concurrent writer that lands after it would. */
  interceptWrite?: (roleName: string, document: string) => string;
}

export function roleArn(roleName: string): string {
  return `arn:aws:iam::${ACCOUNT}:role/${roleName}`;
}

/** Resets the mock and serves GetRole and UpdateAssumeRolePolicy from the returned store. */
export function fakeIam(roles: Record<string, unknown> = {}): FakeIam {
  iamMock.reset();
  const fake: FakeIam = {
    roles: new Map(Object.entries(roles).map(([name, policy]) => [name, JSON.stringify(policy)])),
    tags: new Map(Object.keys(roles).map((name) => [name, new Map()])),
    arns: new Map(),
  };
  const tagsOf = (roleName: string) => {
    const tags = fake.tags.get(roleName);
    if (!fake.roles.has(roleName) || !tags) throw noSuchRole(roleName);
    return tags;
  };
  iamMock.on(GetRoleCommand).callsFake(({ RoleName }: { RoleName: string }) => getRoleAnswer(fake, RoleName));
  iamMock.on(TagRoleCommand).callsFake(({ RoleName, Tags }: { RoleName: string; Tags: TagList }) => {
    const tags = tagsOf(RoleName);
    for (const { Key, Value } of Tags) tags.set(Key, Value);
    return {};
  });
  iamMock.on(UntagRoleCommand).callsFake(({ RoleName, TagKeys }: { RoleName: string; TagKeys: string[] }) => {
    const tags = tagsOf(RoleName);
    for (const key of TagKeys) tags.delete(key);
    return {};
  });
  iamMock
    .on(UpdateAssumeRolePolicyCommand)
    .callsFake(({ RoleName, PolicyDocument }: { RoleName: string; PolicyDocument: string }) => {
      if (!fake.roles.has(RoleName)) throw noSuchRole(RoleName);
      if (PolicyDocument.includes(':user/unknown')) {
        throw new MalformedPolicyDocumentException({
          message: 'Invalid principal in policy: "AWS":"arn:aws:iam::123456789001:user/unknown"',
          $metadata: { httpStatusCode: 400 },
        });
      }
      fake.roles.set(RoleName, fake.interceptWrite?.(RoleName, PolicyDocument) ?? PolicyDocument);
      return {};
    });
  return fake;
}

/** GetRole's answer from the store, for tests that serve GetRole themselves. */
export function getRoleAnswer(fake: FakeIam, roleName: string) {
  const document = fake.roles.get(roleName);
  const tags = fake.tags.get(roleName);
  if (document === undefined || tags === undefined) throw noSuchRole(roleName);
  const tagList = [...tags].map(([Key, Value]) => ({ Key, Value }));
  return {
    Role: {
      RoleName: roleName,
      Arn: fake.arns.get(roleName) ?? roleArn(roleName),
      AssumeRolePolicyDocument: encodeURIComponent(document),
      ...(tagList.length > 0 ? { Tags: tagList } : {}),
    },
  };
}

export function policyOf(fake: FakeIam, roleName: string): Record<string, unknown> {
  return JSON.parse(fake.roles.get(roleName) ?? 'null');
}

type TagList = Array<{ Key: string; Value: string }>;

function noSuchRole(roleName: string): NoSuchEntityException {
  return new NoSuchEntityException({
    message: `The role with name ${roleName} cannot be found.`,
    $metadata: { httpStatusCode: 404 },
  });
}
