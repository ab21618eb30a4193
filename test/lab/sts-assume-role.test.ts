import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AssumeRoleRequest, IamStandIn, mayAssumeRole, trustAllows } from '../../lab/iam';

const SNOWFLAKE_USER = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const request: AssumeRoleRequest = {
  principalArn: SNOWFLAKE_USER,
  roleArn: 'arn:aws:iam::123456789012:role/snowflake',
  externalId: EXTERNAL_ID,
};

function trust(statement: object): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
}

const linked = {
  Effect: 'Allow',
  Principal: { AWS: SNOWFLAKE_USER },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
};

let iam: IamStandIn;

beforeAll(async () => {
  iam = await IamStandIn.start({ knownPrincipals: [SNOWFLAKE_USER] });
});

afterAll(async () => {
  await iam.close();
});

describe('trustAllows, the evaluation of one trust policy', () => {
  it.each([
    ['the linked statement', linked, true],
    [
      'an external id among several',
      { ...linked, Condition: { StringEquals: { 'sts:ExternalId': ['x', EXTERNAL_ID] } } },
      true,
    ],
    [
      'a StringLike pattern',
      { ...linked, Condition: { StringLike: { 'sts:externalid': 'MYACCOUNT_SFCRole=2_*' } } },
      true,
    ],
    [
      'the account root without condition',
      { ...linked, Principal: { AWS: 'arn:aws:iam::123456789001:root' }, Condition: undefined },
      true,
    ],
    ['another external id', { ...linked, Condition: { StringEquals: { 'sts:ExternalId': 'old' } } }, false],
    ['another principal', { ...linked, Principal: { AWS: 'arn:aws:iam::123456789001:user/other' } }, false],
    ['another action', { ...linked, Action: 'sts:TagSession' }, false],
    [
      'a condition operator the lab does not evaluate',
      { ...linked, Condition: { ArnLike: { 'aws:SourceArn': '*' } } },
      false,
    ],
  ])('decides %s', (_case, statement, allowed) => {
    expect(trustAllows(trust(statement), request).allowed).toBe(allowed);
  });

  it('refuses when a Deny matches, even beside an Allow', () => {
    const policy = JSON.stringify({ Statement: [linked, { ...linked, Effect: 'Deny' }] });

    expect(trustAllows(policy, request)).toEqual({ allowed: false, reason: 'a Deny statement matches' });
  });

  it('refuses a caller that sends no external id to a statement that requires one', () => {
    const { externalId: _none, ...withoutId } = request;

    expect(trustAllows(trust(linked), withoutId).allowed).toBe(false);
  });
});

describe('mayAssumeRole, against the IAM stand-in', () => {
  it('counts a new link only once it has been in force for the propagation delay', async () => {
    const placeholder = {
      ...linked,
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Condition: undefined,
    };
    iam.createRole({ roleName: 'snowflake', trustPolicy: trust(placeholder) });
    await sleep(150);
    iam.setTrustPolicy('snowflake', trust(linked));
    try {
      const early = mayAssumeRole(iam, request, { propagationMs: 100 });
      await sleep(150);
      const late = mayAssumeRole(iam, request, { propagationMs: 100 });

      expect(early.allowed).toBe(false);
      expect(late.allowed).toBe(true);
    } finally {
      iam.deleteRole('snowflake');
    }
  });

  it('keeps answering with the old trust until a change has propagated', async () => {
    iam.createRole({ roleName: 'snowflake', trustPolicy: trust(linked) });
    await sleep(150);
    iam.setTrustPolicy(
      'snowflake',
      trust({ ...linked, Condition: { StringEquals: { 'sts:ExternalId': 'new' } } }),
    );
    try {
      const early = mayAssumeRole(iam, request, { propagationMs: 100 });
      await sleep(150);
      const late = mayAssumeRole(iam, request, { propagationMs: 100 });

      expect(early.allowed).toBe(true);
      expect(late.allowed).toBe(false);
    } finally {
      iam.deleteRole('snowflake');
    }
  });

  it('refuses a role created less than the propagation delay ago', () => {
    iam.createRole({ roleName: 'snowflake', trustPolicy: trust(linked) });
    try {
      const decision = mayAssumeRole(iam, request, { propagationMs: 60_000 });

      expect(decision).toEqual({ allowed: false, reason: 'the role has not propagated yet' });
      expect(mayAssumeRole(iam, request).allowed).toBe(true);
    } finally {
      iam.deleteRole('snowflake');
    }
  });

  it("refuses a role that does not exist, or another account's", () => {
    expect(mayAssumeRole(iam, request).allowed).toBe(false);
    expect(
      mayAssumeRole(iam, { ...request, roleArn: 'arn:aws:iam::999999999999:role/snowflake' }).allowed,
    ).toBe(false);
  });
});
