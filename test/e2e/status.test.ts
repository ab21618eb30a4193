// npm run status against the lab: template.yaml's stack linked by the bundle in the lab's CloudFormation, read
// back through CloudFormation's and IAM's APIs as an operator's credentials would read them, after each kind of
// drift a person can cause; the repair the report prints is applied and the status read again.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplate, type Stack } from '../../lab';
import { runStatus } from '../../scripts/status/main';
import { EXTERNAL_ID, type Harness, NEW_EXTERNAL_ID, SNOWFLAKE_USER, startHarness } from './harness';

let harness: Harness;
let stackCount = 0;
const scratch = mkdtempSync(join(tmpdir(), 'status-'));
const saved = { ...process.env };

beforeAll(async () => {
  harness = await startHarness();
  const api = await harness.lab.cfn.api();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_CLOUDFORMATION: api.endpoint,
    AWS_ENDPOINT_URL_IAM: harness.lab.iam.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIALABLABLABLABLAB1',
    AWS_SECRET_ACCESS_KEY: 'lab-secret-access-key',
    AWS_REGION: 'us-east-1',
  });
});
afterAll(async () => {
  process.env = saved;
  await harness.close();
});

interface StatusRun {
  code: number;
  out: string;
  err: string;
}

async function status(...argv: string[]): Promise<StatusRun> {
  let out = '';
  let err = '';
  const code = await runStatus(argv, {
    cwd: scratch,
    userDir: scratch,
    stdinIsTty: true,
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
  });
  return { code, out, err };
}

async function linkedStack(externalIds = EXTERNAL_ID): Promise<{ stack: Stack; roleName: string }> {
  const stack = harness.lab.cfn.stack(`status${++stackCount}`);
  await stack.create(loadTemplate('template.yaml'), {
    SnowflakeIamUserArn: SNOWFLAKE_USER,
    SnowflakeExternalId: externalIds,
  });
  return { stack, roleName: stack.resource('SnowflakeRole')?.physicalId ?? '' };
}

function describeFile(externalId: string, roleName: string): string {
  const path = join(scratch, `describe-${externalId.length}-${roleName}.json`);
  const rows = [
    ['API_AWS_IAM_USER_ARN', SNOWFLAKE_USER],
    ['API_AWS_EXTERNAL_ID', externalId],
    ['API_AWS_ROLE_ARN', `arn:aws:iam::123456789012:role/${roleName}`],
    ['API_PROVIDER', 'AWS_API_GATEWAY'],
  ].map(([property, value]) => ({
    property,
    property_type: 'String',
    property_value: value,
    property_default: '',
  }));
  writeFileSync(path, JSON.stringify(rows));
  return path;
}

describe('npm run status', () => {
  it('says the link is in force and exits 0 when the role holds what the stack wrote', async () => {
    const { stack, roleName } = await linkedStack();

    const run = await status('--stack-name', stack.stackName, '--from', describeFile(EXTERNAL_ID, roleName));

    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain(`SnowflakeTrustLink on ${roleName}, statement SnowflakeTrustLink: in force`);
    expect(run.out).toContain(`external id ${EXTERNAL_ID}`);
    expect(run.out).toContain(`owners      ${stack.stackName}/SnowflakeTrustLink`);
    expect(run.out).not.toMatch(/BROKEN|drift/);
  });

  it('prints the exact tag that puts a removed record back, and is clean once it is applied', async () => {
    const { stack, roleName } = await linkedStack();
    const [record] = harness.lab.iam.tags(roleName) ?? [];
    harness.lab.iam.untagRole(roleName, [record?.key ?? '']);

    const drifted = await status('--stack-name', stack.stackName);
    const printed = /--tags 'Key=([^,]+),Value=([^']+)'/.exec(drifted.out);
    harness.lab.iam.tagRole(roleName, [{ key: printed?.[1] ?? '', value: printed?.[2] ?? '' }]);
    const repaired = await status('--stack-name', stack.stackName);

    expect(drifted.code).toBe(3);
    expect(drifted.out).toContain('holds no record that this stack owns statement SnowflakeTrustLink');
    expect(printed?.slice(1)).toEqual([record?.key, record?.value]);
    expect(repaired.code).toBe(0);
  });

  it('reports a statement edited outside CloudFormation as drift, the link still in force', async () => {
    const { stack, roleName } = await linkedStack();
    const policy = harness.lab.iam.trustPolicy(roleName);
    const [statement] = Array.isArray(policy?.Statement) ? policy.Statement : [policy?.Statement];
    harness.lab.iam.setTrustPolicy(roleName, {
      Version: '2012-10-17',
      Statement: [{ ...statement, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
    });

    const run = await status('--stack-name', stack.stackName);

    expect(run.code).toBe(3);
    expect(run.out).toContain('in force, with drift');
    expect(run.out).toContain('was edited outside CloudFormation');
  });

  it('exits 4 naming the repair when someone removed the statement', async () => {
    const { stack, roleName } = await linkedStack();
    harness.lab.iam.setTrustPolicy(roleName, {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' },
      ],
    });

    const run = await status('--stack-name', stack.stackName);

    expect(run.code).toBe(4);
    expect(run.out).toContain('NOT in force');
    expect(run.out).toContain(`The trust policy of ${roleName} has no statement SnowflakeTrustLink`);
    expect(run.out).toContain('repair: Unlink and link again');
  });

  it('exits 4 when Snowflake presents an external id the role does not trust (the integration was re-created)', async () => {
    const { stack, roleName } = await linkedStack();

    const run = await status(
      '--stack-name',
      stack.stackName,
      '--from',
      describeFile(NEW_EXTERNAL_ID, roleName),
    );

    expect(run.code).toBe(4);
    expect(run.out).toContain(`does not trust API_AWS_EXTERNAL_ID ${NEW_EXTERNAL_ID}`);
  });

  it('reports an old external id still trusted after a rotation, with the command that retires it', async () => {
    const { stack, roleName } = await linkedStack(`${NEW_EXTERNAL_ID},${EXTERNAL_ID}`);

    const run = await status(
      '--stack-name',
      stack.stackName,
      '--from',
      describeFile(NEW_EXTERNAL_ID, roleName),
    );

    expect(run.code).toBe(3);
    expect(run.out).toContain(`still trusts external id(s) the integration no longer has: ${EXTERNAL_ID}`);
    expect(run.out).toContain('without --keep-old');
  });

  it('says the stack holds no link, and exits 4, before any link is made', async () => {
    const stack = harness.lab.cfn.stack(`status${++stackCount}`);
    await stack.create(loadTemplate('template.yaml'));

    const run = await status('--stack-name', stack.stackName);

    expect(run.code).toBe(4);
    expect(run.out).toContain('holds no Custom::SnowflakeTrustLink');
  });

  it('names a stack that does not exist, and exits 1', async () => {
    const run = await status('--stack-name', 'no-such-stack');

    expect(run.code).toBe(1);
    expect(run.err).toBe('status: Stack no-such-stack does not exist in us-east-1.\n');
  });
});
