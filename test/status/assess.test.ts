import { describe, expect, it } from 'vitest';
import { ownerRecord, recordTag } from '../../handler/trust-link/ownership';
import { linkPhysicalId } from '../../handler/trust-link/physical-id';
import { allInForce, assessLinks, type LiveState, type RoleView } from '../../scripts/status/assess';
import { parseStatusOptions } from '../../scripts/status/cli-options';
import { linkedStatement, SID, SNOWFLAKE_USER } from '../helpers/trust';

const STACK_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/gateway/00000000-0000-4000-8000-000000000001';
const OTHER_STACK_ID =
  'arn:aws:cloudformation:eu-west-1:210987654321:stack/gateway/00000000-0000-4000-8000-000000000002';
const ROLE = 'gateway-SnowflakeRole-ABC';
const ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const LINK = {
  logicalId: 'SnowflakeTrustLink',
  physicalId: linkPhysicalId(ROLE, SID),
  status: 'CREATE_COMPLETE',
};

function roleWith(statements: unknown[], owners: string[] = [STACK_ID]): RoleView {
  const [first] = statements as Record<string, unknown>[];
  const tags = owners.map((stackId) =>
    recordTag(ownerRecord({ stackId, logicalId: LINK.logicalId }, SID, first ?? {})),
  );
  return {
    roleName: ROLE,
    missing: false,
    document: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    tags,
  };
}

function state(role: RoleView, extra: Partial<LiveState> = {}): LiveState {
  return {
    stack: { name: 'gateway', id: STACK_ID, status: 'UPDATE_COMPLETE' },
    links: [LINK],
    flow: 'two-step',
    roles: new Map([[ROLE.toLowerCase(), role]]),
    ...extra,
  };
}

describe('assessLinks', () => {
  it('finds a recorded, unchanged statement in force with no problem', () => {
    const [finding] = assessLinks(state(roleWith([linkedStatement(ID)])));

    expect(finding).toMatchObject({
      inForce: true,
      problems: [],
      externalIds: [ID],
      owners: ['gateway/SnowflakeTrustLink'],
    });
  });

  it('names another stack that claims the same statement, with the command that clears a dead one', () => {
    const [finding] = assessLinks(state(roleWith([linkedStatement(ID)], [STACK_ID, OTHER_STACK_ID])));

    expect(finding?.inForce).toBe(true);
    expect(finding?.problems).toEqual([
      expect.objectContaining({ what: expect.stringContaining("Another stack's record"), breaksLink: false }),
    ]);
    expect(finding?.problems[0]?.repair).toMatch(
      /^If that stack no longer exists: aws iam untag-role --role-name /,
    );
  });

  it('says a placeholder under the Sid is not a link', () => {
    const placeholder = {
      Sid: SID,
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 'sts:AssumeRole',
    };

    const findings = assessLinks(state(roleWith([placeholder])));

    expect(allInForce(findings)).toBe(false);
    expect(findings[0]?.problems[0]?.what).toContain('is the placeholder');
  });

  it('says a failed Create links nothing', () => {
    const failed = { ...LINK, physicalId: 'SnowflakeTrustLink-CreateFailed:1234' };

    const [finding] = assessLinks(state(roleWith([linkedStatement(ID)]), { links: [failed] }));

    expect(finding).toMatchObject({
      inForce: false,
      problems: [expect.objectContaining({ breaksLink: true })],
    });
    expect(finding?.problems[0]?.what).toContain('its Create failed');
  });

  it('says a role that is gone cannot be linked', () => {
    const [finding] = assessLinks(state({ roleName: ROLE, missing: true }));

    expect(finding?.inForce).toBe(false);
    expect(finding?.problems[0]?.what).toBe(
      `The role ${ROLE} does not exist in this account: nothing can be linked.`,
    );
  });

  it('finds the link broken when Snowflake presents another IAM user, and repairs the one-deploy flow by a rotation', () => {
    const snowflake = {
      kind: 'api' as const,
      userArn: 'arn:aws:iam::123456789002:user/other',
      externalId: ID,
      roleArn: `arn:aws:iam::123456789012:role/${ROLE}`,
    };

    const [finding] = assessLinks(state(roleWith([linkedStatement(ID)]), { snowflake, flow: 'one-deploy' }));

    expect(finding?.inForce).toBe(false);
    expect(finding?.problems).toEqual([
      expect.objectContaining({
        what: expect.stringContaining(`does not trust API_AWS_IAM_USER_ARN ${snowflake.userArn}`),
        repair: expect.stringContaining('SnowflakeRotation='),
      }),
    ]);
  });

  it('leaves a role that the DESCRIBE output does not name out of the comparison', () => {
    const snowflake = {
      kind: 'storage' as const,
      userArn: SNOWFLAKE_USER,
      externalId: 'OTHER_ID_1234',
      roleArn: 'arn:aws:iam::123456789012:role/another-role',
    };

    const [finding] = assessLinks(state(roleWith([linkedStatement(ID)]), { snowflake }));

    expect(finding).toMatchObject({ inForce: true, problems: [] });
  });

  it('finds no link in force when the stack holds none', () => {
    expect(allInForce(assessLinks(state(roleWith([]), { links: [] })))).toBe(false);
  });
});

describe('parseStatusOptions', () => {
  it.each([
    [['--from', 'a.json', '--integration', 'x'], 'Give either --from or --integration, not both.'],
    [['--connection', 'c'], '--connection is for --integration: give the integration to describe too.'],
    [['--type', 'azure'], '--type must be api or storage, not "azure".'],
    [['--stack'], "Unknown option '--stack'. Run npm run status -- --help for the options."],
  ])('refuses %j', (argv, message) => {
    expect(() => parseStatusOptions(argv)).toThrow(message);
  });

  it('reads DESCRIBE output from standard input for --from -', () => {
    expect(parseStatusOptions(['--from', '-', '--stack-name', 's'])).toEqual({
      help: false,
      options: expect.objectContaining({ stackName: 's', source: { kind: 'stdin' } }),
    });
  });
});

describe('assessLinks after a rotation', () => {
  const NEW_ID = 'MYACCOUNT_SFCRole=2_b765432/t1bCDEFgHIJklmNoPqR=';

  it('reports an id the link retired that the role still trusts, from the record alone', () => {
    const statement = linkedStatement([NEW_ID, ID]);
    const record = recordTag(
      ownerRecord({ stackId: STACK_ID, logicalId: LINK.logicalId }, SID, { ...statement }, NEW_ID),
    );
    const role: RoleView = {
      roleName: ROLE,
      missing: false,
      document: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
      tags: [record],
    };

    const [finding] = assessLinks(state(role));

    expect(finding?.inForce).toBe(true);
    expect(finding?.problems).toEqual([
      expect.objectContaining({
        what: expect.stringContaining(`still trusts external id(s) its link retired in a rotation: ${ID}`),
        repair: expect.stringContaining('SnowflakeRotation='),
        breaksLink: false,
      }),
    ]);
  });

  it('finds nothing to retire once the statement trusts the current id alone', () => {
    const statement = linkedStatement(NEW_ID);
    const record = recordTag(
      ownerRecord({ stackId: STACK_ID, logicalId: LINK.logicalId }, SID, { ...statement }, NEW_ID),
    );
    const role: RoleView = {
      roleName: ROLE,
      missing: false,
      document: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
      tags: [record],
    };

    expect(assessLinks(state(role))[0]?.problems).toEqual([]);
  });
});
