import {
  CreateRoleCommand,
  DeleteRoleCommand,
  GetRoleCommand,
  IAMClient,
  type IAMServiceException,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IamStandIn, type TrustPolicy, type TrustStatement } from '../../lab/iam';

const SNOWFLAKE_USER = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const placeholder = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'SnowflakeTrustLink',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 'sts:AssumeRole',
    },
  ],
};
const linked = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'SnowflakeTrustLink',
      Effect: 'Allow',
      Principal: { AWS: SNOWFLAKE_USER },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
    },
  ],
};

let iam: IamStandIn;

function statementsOfPolicy(policy: TrustPolicy | undefined): TrustStatement[] {
  if (policy === undefined) return [];
  return Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
}
let client: IAMClient;

function clientOf(
  standIn: IamStandIn,
  options: { maxAttempts?: number; requestTimeout?: number } = {},
): IAMClient {
  return new IAMClient({
    endpoint: standIn.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLAB', secretAccessKey: 'secret' },
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.requestTimeout === undefined
      ? {}
      : { requestHandler: { requestTimeout: options.requestTimeout } }),
  });
}

async function failureOf(promise: Promise<unknown>): Promise<IAMServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as IAMServiceException;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  iam = await IamStandIn.start({ knownPrincipals: [SNOWFLAKE_USER] });
  client = clientOf(iam);
});

afterEach(() => {
  iam.faults.clear();
  iam.release();
  for (const name of ['linked', 'made-by-sdk', 'service']) if (iam.role(name)) iam.deleteRole(name);
});

afterAll(async () => {
  client.destroy();
  await iam.close();
});

describe('IAM stand-in, through the real @aws-sdk/client-iam', () => {
  it('answers GetRole with the document URL-encoded, as IAM does', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });

    const { Role: role } = await client.send(new GetRoleCommand({ RoleName: 'linked' }));

    expect(role?.AssumeRolePolicyDocument).toMatch(/^%7B%22Version%22%3A/);
    expect(JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ''))).toEqual(linked);
    expect(role).toMatchObject({
      RoleName: 'linked',
      Path: '/',
      Arn: 'arn:aws:iam::123456789012:role/linked',
    });
    expect(role?.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(role?.CreateDate).toBeInstanceOf(Date);
  });

  it('gives the SDK the request id from the x-amzn-RequestId header', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });

    const { $metadata } = await client.send(new GetRoleCommand({ RoleName: 'linked' }));

    expect($metadata.requestId).toBe(iam.calls.at(-1)?.requestId);
  });

  it('creates, updates and deletes a role over the wire', async () => {
    const created = await client.send(
      new CreateRoleCommand({
        RoleName: 'made-by-sdk',
        AssumeRolePolicyDocument: JSON.stringify(placeholder),
        Path: '/snowflake/',
      }),
    );
    await client.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'made-by-sdk', PolicyDocument: JSON.stringify(linked) }),
    );
    const linkedNow = iam.trustPolicy('made-by-sdk');
    await client.send(new DeleteRoleCommand({ RoleName: 'made-by-sdk' }));

    expect(created.Role?.Arn).toBe('arn:aws:iam::123456789012:role/snowflake/made-by-sdk');
    expect(linkedNow).toEqual(linked);
    expect(iam.role('made-by-sdk')).toBeUndefined();
  });

  it('logs each call with its action, role and outcome', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });
    const before = iam.calls.length;

    await client.send(new GetRoleCommand({ RoleName: 'linked' }));
    await failureOf(client.send(new GetRoleCommand({ RoleName: 'absent' })));

    expect(iam.calls.slice(before)).toEqual([
      expect.objectContaining({ action: 'GetRole', roleName: 'linked', status: 200 }),
      expect.objectContaining({
        action: 'GetRole',
        roleName: 'absent',
        status: 404,
        errorCode: 'NoSuchEntity',
      }),
    ]);
  });

  it.each([
    [
      'a role that does not exist',
      () => client.send(new GetRoleCommand({ RoleName: 'absent' })),
      'NoSuchEntityException',
      404,
      'The role with name absent cannot be found.',
    ],
    [
      'an unknown principal',
      () =>
        client.send(
          new UpdateAssumeRolePolicyCommand({
            RoleName: 'linked',
            PolicyDocument: JSON.stringify({
              ...linked,
              Statement: [{ ...linked.Statement[0], Principal: { AWS: 'arn:aws:iam::999999999999:user/x' } }],
            }),
          }),
        ),
      'MalformedPolicyDocumentException',
      400,
      'Invalid principal in policy: "AWS":"arn:aws:iam::999999999999:user/x"',
    ],
    [
      'a policy over the quota',
      () =>
        client.send(
          new UpdateAssumeRolePolicyCommand({
            RoleName: 'linked',
            PolicyDocument: JSON.stringify({
              ...linked,
              Statement: Array.from({ length: 20 }, (_, i) => ({ ...linked.Statement[0], Sid: `S${i}` })),
            }),
          }),
        ),
      'LimitExceededException',
      409,
      'Cannot exceed quota for ACLSizePerRole: 2048',
    ],
    [
      'a role that exists already',
      () =>
        client.send(
          new CreateRoleCommand({
            RoleName: 'linked',
            AssumeRolePolicyDocument: JSON.stringify(placeholder),
          }),
        ),
      'EntityAlreadyExistsException',
      409,
      'Role with name linked already exists.',
    ],
    [
      'a role name IAM does not allow',
      () => client.send(new GetRoleCommand({ RoleName: 'no spaces' })),
      'ValidationError',
      400,
      "Value 'no spaces' at 'roleName'",
    ],
  ])('refuses %s with IAM error code and status', async (_case, command, name, status, message) => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });

    const error = await failureOf(command());

    expect(error.name).toBe(name);
    expect(error.$metadata.httpStatusCode).toBe(status);
    expect(error.message).toContain(message);
    expect(iam.trustPolicy('linked')).toEqual(linked);
  });

  it('refuses to change the trust of a service-linked role', async () => {
    iam.createRole({ roleName: 'service', path: '/aws-service-role/', trustPolicy: placeholder });

    const error = await failureOf(
      client.send(
        new UpdateAssumeRolePolicyCommand({ RoleName: 'service', PolicyDocument: JSON.stringify(linked) }),
      ),
    );

    expect(error.name).toBe('UnmodifiableEntityException');
  });

  it('shows a deleted user by its unique id, and refuses the policy sent back with it', async () => {
    const person = 'arn:aws:iam::123456789012:user/leaving-soon';
    iam.addKnownPrincipal(person);
    iam.createRole({
      roleName: 'linked',
      trustPolicy: { ...linked, Statement: [{ ...linked.Statement[0], Principal: { AWS: person } }] },
    });
    iam.removeKnownPrincipal(person);

    const { Role: role } = await client.send(new GetRoleCommand({ RoleName: 'linked' }));
    const document = decodeURIComponent(role?.AssumeRolePolicyDocument ?? '');
    const error = await failureOf(
      client.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'linked', PolicyDocument: document })),
    );

    const shown = JSON.parse(document).Statement[0].Principal.AWS;
    expect(shown).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(error.message).toBe(`Invalid principal in policy: "AWS":"${shown}"`);
  });

  it('treats a user re-created under the same name as another principal', async () => {
    const person = 'arn:aws:iam::123456789012:user/comes-back';
    iam.addKnownPrincipal(person);
    iam.createRole({
      roleName: 'linked',
      trustPolicy: { ...linked, Statement: [{ ...linked.Statement[0], Principal: { AWS: person } }] },
    });
    iam.removeKnownPrincipal(person);
    iam.addKnownPrincipal(person);

    const shown = statementsOfPolicy(iam.trustPolicy('linked'))[0]?.Principal;

    expect(shown).toEqual({ AWS: expect.stringMatching(/^AIDA/) });
  });

  it('refuses a request that is not signed', async () => {
    const response = await fetch(iam.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetRole&Version=2010-05-08&RoleName=linked',
    });

    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it("keeps a number in a condition exactly as written, as IAM keeps the document's text", async () => {
    const text =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":98765432109876543210}}}]}';
    iam.createRole({ roleName: 'linked', trustPolicy: linked });

    await client.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'linked', PolicyDocument: text }));
    const { Role: role } = await client.send(new GetRoleCommand({ RoleName: 'linked' }));

    expect(decodeURIComponent(role?.AssumeRolePolicyDocument ?? '')).toBe(text);
  });

  it('tags and untags a role, and lists its tags in GetRole', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });

    await client.send(
      new TagRoleCommand({
        RoleName: 'linked',
        Tags: [
          { Key: 'owner:a', Value: 'stack/A x' },
          { Key: 'owner:b', Value: '' },
        ],
      }),
    );
    await client.send(new TagRoleCommand({ RoleName: 'linked', Tags: [{ Key: 'owner:a', Value: 'again' }] }));
    const tagged = (await client.send(new GetRoleCommand({ RoleName: 'linked' }))).Role?.Tags;
    await client.send(new UntagRoleCommand({ RoleName: 'linked', TagKeys: ['owner:b', 'absent'] }));
    const untagged = (await client.send(new GetRoleCommand({ RoleName: 'linked' }))).Role?.Tags;

    expect(tagged).toEqual([
      { Key: 'owner:b', Value: '' },
      { Key: 'owner:a', Value: 'again' },
    ]);
    expect(untagged).toEqual([{ Key: 'owner:a', Value: 'again' }]);
    expect(iam.trustPolicy('linked')).toEqual(linked);
  });

  it.each([
    ['a key with a character IAM refuses', [{ Key: 'owner#1', Value: 'x' }], 'ValidationError'],
    ['a key starting with aws:', [{ Key: 'aws:owner', Value: 'x' }], 'InvalidInputException'],
    ['a value over 256 characters', [{ Key: 'owner', Value: 'v'.repeat(257) }], 'ValidationError'],
  ])('refuses %s, and keeps the tags as they were', async (_case, tags, code) => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });

    const error = await failureOf(client.send(new TagRoleCommand({ RoleName: 'linked', Tags: tags })));

    expect(error.name).toBe(code);
    expect(iam.tags('linked')).toEqual([]);
  });

  it('refuses a 51st tag with LimitExceeded', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });
    iam.tagRole(
      'linked',
      Array.from({ length: 50 }, (_, n) => ({ key: `k${n}`, value: '' })),
    );

    const error = await failureOf(
      client.send(new TagRoleCommand({ RoleName: 'linked', Tags: [{ Key: 'one-more', Value: '' }] })),
    );

    expect(error.name).toBe('LimitExceededException');
    expect(iam.tags('linked')).toHaveLength(50);
  });

  it('stores a bare account id principal as its root ARN', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });
    const withAccountId = {
      ...linked,
      Statement: [{ ...linked.Statement[0], Principal: { AWS: '123456789012' } }],
    };

    await client.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'linked',
        PolicyDocument: JSON.stringify(withAccountId),
      }),
    );

    expect(iam.trustPolicyText('linked')).toContain('"AWS":"arn:aws:iam::123456789012:root"');
  });
});

describe('IAM stand-in faults', () => {
  it.each([
    ['throttle', 'Throttling', 400, 'Rate exceeded'],
    ['serviceFailure', 'ServiceFailureException', 500, 'Request processing has failed'],
    ['concurrentModification', 'ConcurrentModificationException', 409, 'submitted simultaneously'],
  ] as const)('%s answers the next call with %s', async (fault, name, status, message) => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });
    iam.faults[fault]({ action: 'UpdateAssumeRolePolicy' });

    const error = await failureOf(
      client.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'linked',
          PolicyDocument: JSON.stringify(placeholder),
        }),
      ),
    );
    const next = await client.send(new GetRoleCommand({ RoleName: 'linked' }));

    expect(error.name).toBe(name);
    expect(error.$metadata.httpStatusCode).toBe(status);
    expect(error.message).toContain(message);
    expect(iam.trustPolicy('linked')).toEqual(linked);
    expect(next.$metadata.httpStatusCode).toBe(200);
  });

  it('lets the SDK retry through throttling and counts the faults injected', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });
    const retrying = clientOf(iam, { maxAttempts: 3 });
    const injected = iam.faults.injected;
    iam.faults.serviceFailure({ times: 2 });

    const { $metadata } = await retrying.send(new GetRoleCommand({ RoleName: 'linked' }));

    expect($metadata.attempts).toBe(3);
    expect(iam.faults.injected - injected).toBe(2);
    retrying.destroy();
  });

  it('applies a fault only to the action it names', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });
    iam.faults.throttle({ action: 'UpdateAssumeRolePolicy' });

    const read = await client.send(new GetRoleCommand({ RoleName: 'linked' }));

    expect(read.$metadata.httpStatusCode).toBe(200);
    expect(iam.faults.take('UpdateAssumeRolePolicy')).toBe('Throttling');
  });

  it('leaves a hung call unanswered until released', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });
    iam.faults.hang({ times: 1 });
    let answered = false;

    const call = client.send(new GetRoleCommand({ RoleName: 'linked' })).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answeredBeforeRelease = answered;
    iam.release();
    const result = await call;

    expect(answeredBeforeRelease).toBe(false);
    expect(result.Role?.RoleName).toBe('linked');
    expect(iam.calls.at(-1)?.fault).toBe('Hang');
  });

  it('cuts hung calls off when it closes', async () => {
    const doomed = await IamStandIn.start();
    const doomedClient = clientOf(doomed);
    doomed.faults.hang();

    const call = failureOf(doomedClient.send(new GetRoleCommand({ RoleName: 'any' })));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await doomed.close();
    const error = await call;

    expect(error).toBeInstanceOf(Error);
    doomedClient.destroy();
  });

  it('drops hung calls without acting on them', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });
    iam.faults.hang({ action: 'UpdateAssumeRolePolicy', times: 1 });

    const call = failureOf(
      client.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'linked',
          PolicyDocument: JSON.stringify(placeholder),
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    iam.dropHung();
    const error = await call;

    expect(error).toBeInstanceOf(Error);
    expect(iam.trustPolicy('linked')).toEqual(linked);
  });

  it('acts on a released call even after its caller gave up, as a write that lands late', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });
    iam.faults.hang({ action: 'UpdateAssumeRolePolicy', times: 1 });

    const error = await failureOf(
      client.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'linked',
          PolicyDocument: JSON.stringify(placeholder),
        }),
        { abortSignal: AbortSignal.timeout(100) },
      ),
    );
    const beforeRelease = iam.trustPolicy('linked');
    iam.release();
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(error.name).toBe('AbortError');
    expect(beforeRelease).toEqual(linked);
    expect(iam.trustPolicy('linked')).toEqual(placeholder);
  });

  it('reads behind the writes when asked to, as eventually consistent IAM may', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });
    await new Promise((resolve) => setTimeout(resolve, 120));
    iam.faults.staleReads(100);
    const read = async () =>
      JSON.parse(
        decodeURIComponent(
          (await client.send(new GetRoleCommand({ RoleName: 'linked' }))).Role?.AssumeRolePolicyDocument ??
            '',
        ),
      );

    await client.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'linked', PolicyDocument: JSON.stringify(placeholder) }),
    );
    const rightAfter = await read();
    await new Promise((resolve) => setTimeout(resolve, 120));
    const later = await read();

    expect(rightAfter).toEqual(linked);
    expect(later).toEqual(placeholder);
    expect(iam.trustPolicy('linked')).toEqual(placeholder);
  });

  it('reads tags behind the writes too', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });
    await new Promise((resolve) => setTimeout(resolve, 120));
    iam.faults.staleReads(100);
    const tags = async () => (await client.send(new GetRoleCommand({ RoleName: 'linked' }))).Role?.Tags;

    await client.send(new TagRoleCommand({ RoleName: 'linked', Tags: [{ Key: 'owner', Value: 'a' }] }));
    const rightAfter = await tags();
    await new Promise((resolve) => setTimeout(resolve, 120));
    const later = await tags();

    expect(rightAfter).toBeUndefined();
    expect(later).toEqual([{ Key: 'owner', Value: 'a' }]);
  });

  it('delays each answer by the time asked', async () => {
    iam.createRole({ roleName: 'linked', trustPolicy: linked });
    iam.faults.delayEachAnswer(150);

    const started = Date.now();
    await client.send(new GetRoleCommand({ RoleName: 'linked' }));

    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
