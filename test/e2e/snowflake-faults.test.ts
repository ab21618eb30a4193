// The Snowflake side's faults, end to end: the built bundle dist/snowflake/index.mjs serves a small stack
// (the function and one Custom::SnowflakeApiIntegration) in the lab's CloudFormation stand-in, against
// the Snowflake and Secrets Manager stand-ins' faults. Each scenario checks the Reason a person reads, and
// that once CloudFormation has rolled back (a failed Create is deleted with the id it answered) nothing is
// left half-created in Snowflake's catalog. The suite ends by printing one summary line.
//
// Snowflake answers 202 once a statement has run 45 s; the stand-in here does after ASYNC_AFTER_MS, so
// that "answered 202 for longer than 45 s" takes a few seconds: the client's polling is the same.
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, type StackOperationResult, startLab, type Template } from '../../lab';
import { testKeyPair } from '../snowflake/keys';

const BUNDLE = 'dist/snowflake/index.mjs';
const ASYNC_AFTER_MS = 300;
const USER = 'SVC';
const KEY_USER = 'KEY_SVC';
/** A user whose role lacks CREATE INTEGRATION: Snowflake answers 003001. */
const LIMITED_USER = 'LIMITED_SVC';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/snowflake-faults';
const PREFIX = 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/';

/** The function's settings: its time limit, and the statement timeout it gives Snowflake. */
interface FunctionSetting {
  timeoutSeconds: number;
  statementTimeoutSeconds?: number;
}

const NORMAL: FunctionSetting = { timeoutSeconds: 20 };
/** A short time limit: the deadline guard answers at 80 % of it. */
const QUICK: FunctionSetting = { timeoutSeconds: 4 };
const SHORT_STATEMENTS: FunctionSetting = { timeoutSeconds: 20, statementTimeoutSeconds: 2 };

let lab: Lab;
let tokenSecret: string;
let limitedSecret: string;
let stackCount = 0;
const tally = { scenarios: 0, failed: 0, leftovers: 0 };

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first.`);
  lab = await startLab({
    snowflake: { asyncAfterMs: ASYNC_AFTER_MS },
    cloudformation: {
      serviceTimeoutMs: 30_000,
      bodyTimeoutMs: 2000,
      environment: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  });
  lab.snowflake.createUser({ name: USER, roles: ['ACCOUNTADMIN'] });
  lab.snowflake.createUser({
    name: KEY_USER,
    roles: ['ACCOUNTADMIN'],
    rsaPublicKey: testKeyPair().publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  const token = lab.snowflake.addProgrammaticAccessToken(USER);
  tokenSecret = lab.secrets.putSecret('snowflake/token', {
    account: 'MYORG-MYACCOUNT',
    user: USER,
    token,
  }).arn;
  lab.snowflake.createRole('LIMITED_ROLE');
  lab.snowflake.createUser({ name: LIMITED_USER, roles: ['LIMITED_ROLE'] });
  limitedSecret = lab.secrets.putSecret('snowflake/limited', {
    account: 'MYORG-MYACCOUNT',
    user: LIMITED_USER,
    token: lab.snowflake.addProgrammaticAccessToken(LIMITED_USER),
    role: 'LIMITED_ROLE',
  }).arn;
});

afterEach(async () => {
  lab.snowflake.faults.clear();
  await lab.cfn.settled();
  expect(lab.cfn.violations).toEqual([]);
});

afterAll(async () => {
  const faults = lab ? lab.snowflake.faults.injected + lab.secrets.faults.injected : 0;
  console.log(
    `Snowflake fault suite: ${tally.scenarios} scenarios, ${tally.failed} ended FAILED with a Reason, ` +
      `${faults} faults injected, ${tally.leftovers} objects left half-created`,
  );
  await lab?.close();
});

/** A stack of the Snowflake function and one API integration read through `connection`. */
function integrationStack(setting: FunctionSetting): Template {
  return {
    Parameters: { Connection: { Type: 'String' }, IntegrationName: { Type: 'String' } },
    Resources: {
      SnowflakeFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Handler: 'index.handler',
          CodeUri: 'dist/snowflake/',
          Timeout: setting.timeoutSeconds,
          EventInvokeConfig: { MaximumRetryAttempts: 0 },
          Environment: {
            Variables: {
              ...(setting.statementTimeoutSeconds === undefined
                ? {}
                : { SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: setting.statementTimeoutSeconds }),
            },
          },
        },
      },
      Integration: {
        Type: 'Custom::SnowflakeApiIntegration',
        Properties: {
          ServiceToken: { 'Fn::GetAtt': ['SnowflakeFunction', 'Arn'] },
          ServiceTimeout: 60,
          Connection: { Ref: 'Connection' },
          IntegrationName: { Ref: 'IntegrationName' },
          ApiProvider: 'aws_api_gateway',
          RoleArn: ROLE_ARN,
          AllowedPrefixes: [PREFIX],
        },
      },
    },
  };
}

interface Deployed {
  name: string;
  result: StackOperationResult;
  /** The Reason of the Integration's failed Create, or undefined if it did not fail. */
  reason: string | undefined;
  /** What the stand-in was asked while the stack was created (and rolled back). */
  calls: typeof lab.snowflake.calls;
  deleteStack(): Promise<StackOperationResult>;
}

/** Creates a stack with one integration; a failure rolls back as CloudFormation does. */
async function deploy(connection: string, setting: FunctionSetting = NORMAL): Promise<Deployed> {
  stackCount += 1;
  const name = `FAULT_INTEGRATION_${stackCount}`;
  const stack = lab.cfn.stack(`snowflake-faults-${stackCount}`);
  const before = lab.snowflake.calls.length;
  const result = await stack.create(integrationStack(setting), {
    Connection: connection,
    IntegrationName: name,
  });
  const failed = result.requests.find((r) => r.event.RequestType === 'Create' && r.status === 'FAILED');
  return {
    name,
    result,
    reason: failed?.reason,
    calls: lab.snowflake.calls.slice(before),
    deleteStack: () => stack.delete(),
  };
}

/** Counts a scenario and any integration left in Snowflake; asserts there is none. */
function nothingLeft(deployed: Deployed): void {
  tally.scenarios += 1;
  if (deployed.reason !== undefined) tally.failed += 1;
  const left = lab.snowflake.integrations().filter((i) => i.name === deployed.name);
  tally.leftovers += left.length;
  expect(left).toEqual([]);
}

/** Asserts the Create failed with a Reason, was rolled back, and returns that Reason. */
function failedWith(deployed: Deployed): string {
  expect(deployed.result.status).toBe('ROLLBACK_COMPLETE');
  expect(deployed.reason).toBeDefined();
  // The client's errors say what to do themselves: never an "Unexpected error" pointing at the logs.
  expect(deployed.reason).not.toMatch(/^Unexpected error/);
  return deployed.reason ?? '';
}

/** The statements that acted in Snowflake on the stack's integration. */
function executed(deployed: Deployed, verb: string): number {
  return lab.snowflake.executions.filter(
    (e) => e.statement.startsWith(verb) && e.statement.includes(`"${deployed.name}"`),
  ).length;
}

function keyPairSecret(account: string): string {
  stackCount += 1;
  return lab.secrets.putSecret(`snowflake/key-${stackCount}`, {
    account,
    user: KEY_USER,
    privateKey: testKeyPair().pkcs8,
  }).arn;
}

describe('a key-pair JWT refused for the account identifier', () => {
  it.each([
    ['the account name without its organization', 'MYACCOUNT'],
    ['the organization with the account locator', 'MYORG-XY12345'],
  ])('answers FAILED showing the iss and fingerprint sent, for %s', async (_form, account) => {
    const deployed = await deploy(keyPairSecret(account));

    const reason = failedWith(deployed);
    const fingerprint = lab.snowflake.fingerprints(KEY_USER).RSA_PUBLIC_KEY ?? 'none';
    expect(reason).toContain(`iss "${account}.${KEY_USER}.${fingerprint}"`);
    expect(reason).toContain(`fingerprint ${fingerprint}`);
    expect(reason).toContain(`DESC USER ${KEY_USER}`);
    expect(reason).toContain('RSA_PUBLIC_KEY_FP');
    expect(reason).toMatch(/fix "account" in the secret/);
    expect(reason).not.toMatch(/PRIVATE KEY|eyJ/);
    expect(deployed.calls.map((c) => `${c.status} ${c.code}`)).toEqual(['401 390144']);
    nothingLeft(deployed);
  });

  it('answers FAILED with the id to pass SYSTEM$GET_LOGIN_FAILURE_DETAILS for a key the user does not have', async () => {
    lab.snowflake.setPublicKey(KEY_USER, 'RSA_PUBLIC_KEY', undefined);
    try {
      const deployed = await deploy(keyPairSecret('MYORG-MYACCOUNT'));

      const reason = failedWith(deployed);
      const id = /SYSTEM\$GET_LOGIN_FAILURE_DETAILS\('([0-9a-f-]{36})'\)/.exec(reason)?.[1] ?? '';
      expect(lab.snowflake.loginFailureDetails(id)).toMatch(/is neither RSA_PUBLIC_KEY nor RSA_PUBLIC_KEY_2/);
      expect(reason).toContain('MONITOR on the account');
      expect(deployed.calls.map((c) => `${c.status} ${c.code}`)).toEqual(['401 390144']);
      nothingLeft(deployed);
    } finally {
      lab.snowflake.setPublicKey(
        KEY_USER,
        'RSA_PUBLIC_KEY',
        testKeyPair().publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      );
    }
  });

  it('signs in with a locator copied with its region, which the JWT leaves out', async () => {
    const deployed = await deploy(keyPairSecret('xy12345.us-east-1'));

    expect(deployed.result.status).toBe('CREATE_COMPLETE');
    expect(lab.snowflake.integration(deployed.name)).toBeDefined();
    expect((await deployed.deleteStack()).status).toBe('DELETE_COMPLETE');
    nothingLeft(deployed);
  });
});

describe('a role without the privilege', () => {
  it('answers FAILED naming the role and CREATE INTEGRATION ON ACCOUNT when Snowflake answers 003001', async () => {
    const deployed = await deploy(limitedSecret);

    const reason = failedWith(deployed);
    expect(reason).toContain('role LIMITED_ROLE lacks a privilege');
    expect(reason).toContain('003001 SQL access control error');
    expect(reason).toContain('Grant the role CREATE INTEGRATION ON ACCOUNT');
    expect(lab.snowflake.integration(deployed.name)).toBeUndefined();
    nothingLeft(deployed);
  });
});

describe('a 429 storm', () => {
  it('backs off a bounded number of times, then answers FAILED saying to retry', async () => {
    lab.snowflake.faults.tooManyRequests({ times: 50 });

    const deployed = await deploy(tokenSecret);

    const reason = failedWith(deployed);
    expect(reason).toMatch(
      new RegExp(
        `did not answer DESCRIBE INTEGRATION "${deployed.name}" after 5 tries \\(last: HTTP 429 390505`,
      ),
    );
    expect(reason).toContain('Retry the stack operation');
    // Five tries of the first statement; the rollback's Delete of the failed Create's marker calls nothing.
    expect(deployed.calls.map((c) => c.status)).toEqual([429, 429, 429, 429, 429]);
    nothingLeft(deployed);
  });

  it('succeeds when the storm ends within its retries, each statement acting once', async () => {
    lab.snowflake.faults.tooManyRequests({ times: 3 });

    const deployed = await deploy(tokenSecret);

    expect(deployed.result.status).toBe('CREATE_COMPLETE');
    expect(deployed.calls.filter((c) => c.status === 429)).toHaveLength(3);
    expect(executed(deployed, 'CREATE')).toBe(1);
    expect((await deployed.deleteStack()).status).toBe('DELETE_COMPLETE');
    nothingLeft(deployed);
  });
});

describe('a statement answered 202', () => {
  it('is polled until it ends, and the integration is made once', async () => {
    lab.snowflake.faults.slowStatements(2000, { matching: /^CREATE/ });

    const deployed = await deploy(tokenSecret);

    expect(deployed.result.status).toBe('CREATE_COMPLETE');
    const polls = deployed.calls.filter((c) => c.method === 'GET').map((c) => c.status);
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls.at(-1)).toBe(200);
    expect(polls.slice(0, -1).every((status) => status === 202)).toBe(true);
    expect(executed(deployed, 'CREATE')).toBe(1);
    expect((await deployed.deleteStack()).status).toBe('DELETE_COMPLETE');
    nothingLeft(deployed);
  });

  it('past the function’s time answers FAILED before the deadline, and the statement is cancelled', async () => {
    const slowMs = 6000;
    lab.snowflake.faults.slowStatements(slowMs, { matching: /^CREATE/ });
    const started = Date.now();

    const deployed = await deploy(tokenSecret, QUICK);

    const reason = failedWith(deployed);
    expect(reason).toMatch(/did not finish within the function's time \(4 s\)/);
    expect(reason).toContain("raise the function's Timeout");
    expect(deployed.calls.some((c) => c.path.endsWith('/cancel') && c.status === 200)).toBe(true);
    // Past the time the statement would have taken, it has still not acted.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + slowMs + 500 - Date.now())));
    expect(executed(deployed, 'CREATE')).toBe(0);
    nothingLeft(deployed);
  });
});

describe('a statement timeout', () => {
  it('answers FAILED naming the statement and the setting to raise, and nothing is made', async () => {
    lab.snowflake.faults.slowStatements(10_000, { matching: /^CREATE/ });

    const deployed = await deploy(tokenSecret, SHORT_STATEMENTS);

    const reason = failedWith(deployed);
    expect(reason).toContain(`CREATE API INTEGRATION "${deployed.name}" ran past its timeout`);
    expect(reason).toContain('SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS');
    const submitted = deployed.calls.find((c) => c.statement?.startsWith('CREATE'));
    expect(submitted?.status).toBe(202);
    expect(deployed.calls.some((c) => c.status === 408)).toBe(true);
    expect(executed(deployed, 'CREATE')).toBe(0);
    nothingLeft(deployed);
  });
});

describe('the network cut while polling', () => {
  it('polls again through a short cut, and the statement acts once', async () => {
    lab.snowflake.faults.slowStatements(1000, { matching: /^CREATE/ });
    lab.snowflake.faults.dropConnection({ on: 'poll', times: 2 });

    const deployed = await deploy(tokenSecret);

    expect(deployed.result.status).toBe('CREATE_COMPLETE');
    expect(deployed.calls.filter((c) => c.fault === 'DropConnection')).toHaveLength(2);
    expect(executed(deployed, 'CREATE')).toBe(1);
    expect((await deployed.deleteStack()).status).toBe('DELETE_COMPLETE');
    nothingLeft(deployed);
  });

  it('answers FAILED after its tries when the cut lasts, and the statement it gave up on never acts', async () => {
    // Slower than the client's five tries take at most: the statement is still running when it gives up.
    const slowMs = 9000;
    lab.snowflake.faults.slowStatements(slowMs, { matching: /^CREATE/ });
    lab.snowflake.faults.dropConnection({ on: 'poll', times: 5 });
    const started = Date.now();

    const deployed = await deploy(tokenSecret);

    const reason = failedWith(deployed);
    expect(reason).toMatch(
      new RegExp(
        `did not answer CREATE API INTEGRATION "${deployed.name}" after 5 tries \\(last: network error`,
      ),
    );
    expect(reason).toContain("check https://status.snowflake.com and the function's network path");
    expect(reason).toMatch(/Statement [\w-]+ was cancelled/);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + slowMs + 500 - Date.now())));
    expect(executed(deployed, 'CREATE')).toBe(0);
    nothingLeft(deployed);
  });
});

describe('the connection secret', () => {
  const secretCases: Array<[string, () => string, RegExp]> = [
    [
      'missing',
      () => 'arn:aws:secretsmanager:us-east-1:123456789012:secret:snowflake/none-AbCdEf',
      /does not exist in this account and region.*create it, or give Connection the ARN/,
    ],
    [
      'not JSON',
      () => lab.secrets.putSecret('snowflake/not-json', 'account=MYORG-MYACCOUNT user=SVC').arn,
      /is not JSON \(store it as a key\/value secret\)/,
    ],
    [
      'missing its user',
      () => lab.secrets.putSecret('snowflake/no-user', { account: 'MYORG-MYACCOUNT', token: 'x' }).arn,
      /has no "user"\. Expected JSON/,
    ],
    [
      'holding a password instead of a key',
      () =>
        lab.secrets.putSecret('snowflake/password', {
          account: 'MYORG-MYACCOUNT',
          user: USER,
          password: 'hunter2-secret',
        }).arn,
      /has a "password": service users sign in with a key pair or a programmatic access token instead/,
    ],
    [
      'not readable by the function',
      () => {
        const arn = lab.secrets.putSecret('snowflake/denied', { account: 'MYORG-MYACCOUNT', user: USER }).arn;
        lab.secrets.deny(arn);
        return arn;
      },
      /may not read the Snowflake connection secret .*grant its role secretsmanager:GetSecretValue/,
    ],
  ];

  it.each(secretCases)(
    'answers FAILED when it is %s, and never calls Snowflake',
    async (_case, secret, says) => {
      const deployed = await deploy(secret());

      const reason = failedWith(deployed);
      expect(reason).toMatch(says);
      expect(reason).not.toContain('hunter2-secret');
      expect(deployed.calls).toEqual([]);
      nothingLeft(deployed);
    },
  );
});

describe('whose integration it is', () => {
  /** A stack named `stackName` (the lab gives each a new stack id) with one integration named `name`. */
  async function deployNamed(stackName: string, name: string, template = integrationStack(NORMAL)) {
    const stack = lab.cfn.stack(stackName);
    const result = await stack.create(template, { Connection: tokenSecret, IntegrationName: name });
    return { stack, result, reason: result.requests.find((r) => r.status === 'FAILED')?.reason };
  }

  it("fails a second stack of the same name (another account, region or a re-created stack), naming the first, and leaves the first's integration as it was", async () => {
    const name = 'TWIN_INTEGRATION';
    const first = await deployNamed('twin', name);
    const before = lab.snowflake.integration(name);

    const second = await deployNamed('twin', name);

    expect(first.result.status).toBe('CREATE_COMPLETE');
    expect(second.result.status).toBe('ROLLBACK_COMPLETE');
    expect(second.reason).toContain(`made by stack "twin" in account 123456789012, region us-east-1`);
    expect(second.reason).toContain(`stack id ${first.stack.stackId}`);
    expect(second.reason).toContain('Adopt: true');
    const after = lab.snowflake.integration(name);
    expect(after?.externalId).toBe(before?.externalId);
    expect(after?.values.get('COMMENT')).toContain(`stack=${first.stack.stackId}`);
    expect((await first.stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(lab.snowflake.integration(name)).toBeUndefined();
    tally.scenarios += 1;
    tally.failed += 1;
  });

  it('fails the Delete when the secret now signs in as another user and role, naming both, and keeps the integration until the connection is restored', async () => {
    lab.snowflake.createRole('OTHER_ROLE', ['CREATE INTEGRATION']);
    lab.snowflake.createUser({ name: 'OTHER_SVC', roles: ['OTHER_ROLE'], defaultRole: 'OTHER_ROLE' });
    const original = {
      account: 'MYORG-MYACCOUNT',
      user: USER,
      token: lab.snowflake.addProgrammaticAccessToken(USER),
    };
    const secret = lab.secrets.putSecret('snowflake/changing', original).arn;
    const stack = lab.cfn.stack('who-made-it');
    const name = 'WHO_MADE_IT';
    await stack.create(integrationStack(NORMAL), { Connection: secret, IntegrationName: name });
    lab.secrets.putSecret('snowflake/changing', {
      account: 'MYORG-MYACCOUNT',
      user: 'OTHER_SVC',
      token: lab.snowflake.addProgrammaticAccessToken('OTHER_SVC'),
    });

    const refused = await stack.delete();

    expect(refused.status).toBe('DELETE_FAILED');
    expect(refused.requests.at(-1)?.reason).toMatch(
      new RegExp(
        `API integration ${name} does not exist or is not authorized \\(002003\\)\\. This connection signs in as user OTHER_SVC with role OTHER_ROLE, and the API integration ${name} was made by user SVC with role ACCOUNTADMIN.*--stack-name who-made-it --retain-resources Integration`,
      ),
    );
    expect(lab.snowflake.integration(name)).toBeDefined();

    lab.secrets.putSecret('snowflake/changing', original);
    const deleted = await stack.delete();

    expect(deleted.status).toBe('DELETE_COMPLETE');
    expect(lab.snowflake.integration(name)).toBeUndefined();
    tally.scenarios += 1;
    tally.failed += 1;
  });

  it("refuses an integration from a stack that borrows another stack's ServiceToken, and makes nothing", async () => {
    const served = integrationStack(NORMAL);
    const fn = served.Resources.SnowflakeFunction?.Properties as { Environment: { Variables: object } };
    fn.Environment.Variables = { SNOWFLAKE_STACK_ID: { Ref: 'AWS::StackId' } };
    const owner = await deployNamed('owner', 'OWNERS_INTEGRATION', served);
    const borrowing = integrationStack(NORMAL);
    delete borrowing.Resources.SnowflakeFunction;
    const integration = borrowing.Resources.Integration?.Properties as Record<string, unknown>;
    integration.ServiceToken = owner.stack.resource('SnowflakeFunction')?.attributes.Arn;
    const before = lab.snowflake.executions.length;

    const borrower = await deployNamed('borrower', 'BORROWED_INTEGRATION', borrowing);

    expect(owner.result.status).toBe('CREATE_COMPLETE');
    expect(borrower.result.status).toBe('ROLLBACK_COMPLETE');
    expect(borrower.reason).toContain('This Snowflake function belongs to stack "owner"');
    expect(borrower.reason).toContain('Deploy the Snowflake function in stack "borrower"');
    expect(lab.snowflake.executions.length).toBe(before);
    expect(lab.snowflake.integration('BORROWED_INTEGRATION')).toBeUndefined();
    expect((await owner.stack.delete()).status).toBe('DELETE_COMPLETE');
    tally.scenarios += 1;
    tally.failed += 1;
  });
});

describe('long names', () => {
  it('keeps an external function’s physical id within 1,024 bytes, so that its Delete drops it', async () => {
    // Two quoted names of 255 three-byte characters: 1,530 bytes of names alone.
    const [schema, name] = ['s', 'n'].map((c) => `${c}${'€'.repeat(254)}`) as [string, string];
    lab.snowflake.createDatabase('LAB', [schema]);
    const template = integrationStack(NORMAL);
    template.Resources.Function = {
      Type: 'Custom::SnowflakeExternalFunction',
      Properties: {
        ServiceToken: { 'Fn::GetAtt': ['SnowflakeFunction', 'Arn'] },
        ServiceTimeout: 60,
        Connection: { Ref: 'Connection' },
        Database: 'LAB',
        Schema: `"${schema}"`,
        FunctionName: `"${name}"`,
        Arguments: 'value VARIANT',
        IntegrationName: { 'Fn::GetAtt': ['Integration', 'IntegrationName'] },
        Url: `${PREFIX}echo`,
      },
    };
    const stack = lab.cfn.stack('long-names');

    const created = await stack.create(template, { Connection: tokenSecret, IntegrationName: 'LONG_NAMES' });

    expect(created.status).toBe('CREATE_COMPLETE');
    expect(Buffer.byteLength(stack.resource('Function')?.physicalId ?? '')).toBeLessThanOrEqual(1024);
    expect(lab.snowflake.functions().filter((f) => f.name === name)).toHaveLength(1);
    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(lab.snowflake.functions().filter((f) => f.name === name)).toEqual([]);
    tally.scenarios += 1;
  });
});
