import {
  ConcurrentModificationException,
  GetRoleCommand,
  IAMServiceException,
  LimitExceededException,
  NoSuchEntityException,
  TagRoleCommand,
  UnmodifiableEntityException,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { beforeEach, describe, expect, it } from 'vitest';
import { IamRefusedError } from '../../handler/trust-link/errors';
import { isRetryable, readRoleTrust, tagRole, untagRole, writeRoleTrust } from '../../handler/trust-link/iam';
import { iamMock, roleArn } from '../helpers/fake-iam';

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const serviceError = (name: string, status: number, message = name) =>
  new IAMServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    message,
    ...metadata(status),
  });
const document = '{"Version":"2012-10-17","Statement":[]}';
const role = {
  Role: {
    RoleName: 'snowflake',
    Arn: roleArn('snowflake'),
    Path: '/',
    RoleId: 'AROA',
    CreateDate: new Date(),
    AssumeRolePolicyDocument: encodeURIComponent(document),
  },
};

beforeEach(() => iamMock.reset());

describe('readRoleTrust', () => {
  it('decodes the URL-encoded trust policy', async () => {
    iamMock.on(GetRoleCommand).resolves(role);

    expect(await readRoleTrust('snowflake')).toEqual({
      roleName: 'snowflake',
      roleArn: roleArn('snowflake'),
      document,
      tags: [],
    });
  });

  it("reads the role's tags", async () => {
    iamMock.on(GetRoleCommand).resolves({
      Role: { ...role.Role, Tags: [{ Key: 'SnowflakeTrustLink:abc', Value: 'x y' }] },
    } as typeof role);

    expect((await readRoleTrust('snowflake'))?.tags).toEqual([
      { key: 'SnowflakeTrustLink:abc', value: 'x y' },
    ]);
  });

  it('answers false when the role to tag no longer exists', async () => {
    iamMock.on(TagRoleCommand).rejects(new NoSuchEntityException({ message: 'gone', ...metadata(404) }));

    expect(await tagRole('snowflake', [{ key: 'k', value: 'v' }])).toBe(false);
  });

  it('answers false when the role to untag no longer exists', async () => {
    iamMock.on(UntagRoleCommand).rejects(new NoSuchEntityException({ message: 'gone', ...metadata(404) }));

    expect(await untagRole('snowflake', ['k'])).toBe(false);
  });

  it('says how to make room when the role has 50 tags', async () => {
    iamMock
      .on(TagRoleCommand)
      .rejects(serviceError('LimitExceeded', 409, 'Cannot exceed quota for TagsPerRole: 50'));

    await expect(tagRole('snowflake', [{ key: 'k', value: 'v' }])).rejects.toThrow(
      /remove a tag the role no longer needs/,
    );
  });

  it('answers undefined for a role that does not exist', async () => {
    iamMock.on(GetRoleCommand).rejects(
      new NoSuchEntityException({
        message: 'The role with name snowflake cannot be found.',
        ...metadata(404),
      }),
    );

    expect(await readRoleTrust('snowflake')).toBeUndefined();
  });

  it.each([
    ['Throttling', serviceError('Throttling', 400, 'Rate exceeded')],
    ['ServiceFailure', serviceError('ServiceFailure', 500)],
    ['a 503', serviceError('ServiceUnavailable', 503)],
    ['ConcurrentModification', new ConcurrentModificationException({ message: 'busy', ...metadata(409) })],
    ['a reset socket', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('retries %s and succeeds', async (_, error) => {
    iamMock.on(GetRoleCommand).rejectsOnce(error).resolves(role);

    expect(await readRoleTrust('snowflake')).toBeDefined();
    expect(iamMock).toHaveReceivedCommandTimes(GetRoleCommand, 2);
  });

  it('stops retrying after five attempts and says what IAM said', async () => {
    iamMock.on(GetRoleCommand).rejects(serviceError('Throttling', 400, 'Rate exceeded'));

    await expect(readRoleTrust('snowflake')).rejects.toThrow(
      'iam:GetRole on role "snowflake" failed: IAM said Throttling: Rate exceeded.',
    );
    expect(iamMock).toHaveReceivedCommandTimes(GetRoleCommand, 5);
  }, 20_000);

  it('refuses a role answer without an ARN', async () => {
    iamMock.on(GetRoleCommand).resolves({ Role: { ...role.Role, Arn: undefined } as never });

    await expect(readRoleTrust('snowflake')).rejects.toBeInstanceOf(IamRefusedError);
  });

  it('retries a denial, since a new grant takes seconds to reach IAM, then explains it', async () => {
    iamMock
      .on(GetRoleCommand)
      .rejects(serviceError('AccessDenied', 403, 'User is not authorized to perform: iam:GetRole'));

    await expect(readRoleTrust('snowflake')).rejects.toThrow(
      "The link function's own role needs iam:GetRole on this role's ARN.",
    );
    expect(iamMock).toHaveReceivedCommandTimes(GetRoleCommand, 5);
  }, 20_000);
});

describe('writeRoleTrust', () => {
  it('sends the document to the role', async () => {
    iamMock.on(UpdateAssumeRolePolicyCommand).resolves({});

    expect(await writeRoleTrust('snowflake', document)).toBe(true);
    expect(iamMock).toHaveReceivedCommandWith(UpdateAssumeRolePolicyCommand, {
      RoleName: 'snowflake',
      PolicyDocument: document,
    });
  });

  it('answers false when the role is gone', async () => {
    iamMock
      .on(UpdateAssumeRolePolicyCommand)
      .rejects(new NoSuchEntityException({ message: 'gone', ...metadata(404) }));

    expect(await writeRoleTrust('snowflake', document)).toBe(false);
  });

  it('does not retry the quota and says how to get under it', async () => {
    iamMock.on(UpdateAssumeRolePolicyCommand).rejects(
      new LimitExceededException({
        message: 'Cannot exceed quota for ACLSizePerRole: 2048',
        ...metadata(409),
      }),
    );

    await expect(writeRoleTrust('snowflake', document)).rejects.toThrow(
      /LimitExceeded: Cannot exceed quota for ACLSizePerRole: 2048\. The trust policy would exceed/,
    );
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAssumeRolePolicyCommand, 1);
  });

  it('explains a protected role', async () => {
    iamMock.on(UpdateAssumeRolePolicyCommand).rejects(
      new UnmodifiableEntityException({
        message: 'Cannot perform the operation on the protected role',
        ...metadata(400),
      }),
    );

    await expect(writeRoleTrust('snowflake', document)).rejects.toThrow('This role is protected');
  });
});

describe('isRetryable', () => {
  it.each([
    [serviceError('MalformedPolicyDocument', 400), false],
    [serviceError('SomethingNew', 502), true],
    [new Error('plain'), false],
    ['a string', false],
  ])('classifies %s', (error, retryable) => {
    expect(isRetryable(error)).toBe(retryable);
  });
});
