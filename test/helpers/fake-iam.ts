// An in-memory role store behind a mocked IAMClient, answering as IAM does: GetRole returns the
// trust policy URL-encoded, a missing role is NoSuchEntity.

import {
  GetRoleCommand,
  IAMClient,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';

export const ACCOUNT = '123456789012';
export const ACCOUNT_ROOT = `arn:aws:iam::${ACCOUNT}:root`;
export const iamMock = mockClient(IAMClient);

export interface FakeIam {
  roles: Map<string, string>;
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
  };
  iamMock.on(GetRoleCommand).callsFake(({ RoleName }: { RoleName: string }) => {
    const document = fake.roles.get(RoleName);
    if (document === undefined) throw noSuchRole(RoleName);
    return {
      Role: { RoleName, Arn: roleArn(RoleName), AssumeRolePolicyDocument: encodeURIComponent(document) },
    };
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

export function policyOf(fake: FakeIam, roleName: string): Record<string, unknown> {
  return JSON.parse(fake.roles.get(roleName) ?? 'null');
}

function noSuchRole(roleName: string): NoSuchEntityException {
  return new NoSuchEntityException({
    message: `The role with name ${roleName} cannot be found.`,
    $metadata: { httpStatusCode: 404 },
  });
}
