// npm run bench: each function's costs side by side with two bare bundles of the same SDK calls (one ES
// module file, the stronger baseline, and one CommonJS file), in one run, on the Node.js of the Lambda runtime
// (nodejs22.x). Goals are judged against the stronger baseline. Exits 1 when a goal is missed.
// 1. cold start: load the bundle, create the client and send the first request (fresh processes, median),
//    and peak memory: the link function, then the Snowflake-side function;
// 2. bytes of the bundle Node.js loads at the cold start, for both functions;
// 3. the whole invocation: process start, handler, every call, response received, for both functions;
// 4. one Create of a link against the IAM stand-in, warm: the IAM calls made, and wall time against the same
//    calls through the bare bundles (the SDK's own share), also with IAM's latency;
// 5. a hung IAM: time until the link reports FAILED, against the function's time limit;
// 6. time to verified: the one-deploy Create with IAM's propagation modelled, against the fixed wait a
//    time_sleep must choose to be safe.
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { type Lab, sendRequest, startLab } from '../lab';
import { type BareFormat, bareContents, buildBareBundle, type SdkCall } from './bench/baseline';
import {
  coldStart,
  loadedBytes,
  PARITY,
  type ProbeSetting,
  type Subject,
  type Trio,
  trioCells,
} from './bench/cold-start';
import { runProbe } from './bench/probe';
import { scratchDir } from './bench/scratch';
import { sdkImports } from './bench/sdk-imports';
import { Goals, median, msText, row } from './bench/stats';
import { timeToVerified } from './bench/time-to-verified';
import { RecordingProxy, wholeInvocation } from './bench/whole-invocation';
import { NODE_RUNTIMES, nodeBinary } from './node-runtimes';

const BUNDLE = resolve('dist/trust-link/index.mjs');
const SNOWFLAKE_BUNDLE = resolve('dist/snowflake/index.mjs');
const RUNTIME = '22';
const COLD_RUNS = 21;
const CREATE_RUNS = 40;
const WARM_UP = 5;
const HANG_LIMIT_MS = 10_000;
const IAM_LATENCY_MS = 30;
const LATENCY_RUNS = 11;
const WHOLE_RUNS = 11;
const SNOWFLAKE_USER = 'arn:aws:iam::123456789001:user/abc1-b-self1234';
const EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq=';
const STACK_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/bench/00000000-0000-4000-8000-000000000000';
const PLACEHOLDER = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' },
  ],
};

// The bare bundle makes the calls the IAM stand-in saw ours make, with these inputs: one line per action.
const iam = (action: string, input: Record<string, unknown>): SdkCall => ({
  client: 'IAMClient',
  command: `${action}Command`,
  input,
});
const CALL_INPUTS: Record<string, (roleName: string, document: string) => SdkCall> = {
  GetRole: (RoleName) => iam('GetRole', { RoleName }),
  UpdateAssumeRolePolicy: (RoleName, PolicyDocument) =>
    iam('UpdateAssumeRolePolicy', { RoleName, PolicyDocument }),
  TagRole: (RoleName) => iam('TagRole', { RoleName, Tags: [{ Key: 'bench', Value: 'bench' }] }),
  UntagRole: (RoleName) => iam('UntagRole', { RoleName, TagKeys: ['bench'] }),
};

const LOCK_TABLE = 'bench-locks';

function lease(roleName: string, update: string): SdkCall {
  return {
    client: 'DynamoDBClient',
    command: 'UpdateItemCommand',
    input: {
      TableName: LOCK_TABLE,
      Key: { LockId: { S: `role/${roleName}` } },
      UpdateExpression: update,
      ExpressionAttributeNames: { '#holder': 'Holder' },
      ...(update.startsWith('SET') ? { ExpressionAttributeValues: { ':holder': { S: 'bare' } } } : {}),
    },
  };
}

function sameCalls(actions: readonly string[], roleName: string, document: string): SdkCall[] {
  return actions.map((action) => {
    const call = CALL_INPUTS[action];
    if (call === undefined)
      throw new Error(`The link now calls IAM ${action}: give its input in CALL_INPUTS.`);
    return call(roleName, document);
  });
}

// A Delete that finds nothing to undo starts by reading the role: the first call of a cold start.
const getRole = (roleName: string): SdkCall => iam('GetRole', { RoleName: roleName });

// What IAM should see, as the design says: a Create reads, records its ownership, writes once and reads back;
// a Create that finds the link in force and recorded only reads.
const CREATE_CALLS = ['GetRole', 'TagRole', 'UpdateAssumeRolePolicy', 'GetRole'];
const NO_OP_CALLS = ['GetRole'];

const goals = new Goals();

async function main(): Promise<void> {
  // This process runs on the machine's Node.js (the lab's stand-ins); the probes run on the Lambda runtime.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  for (const bundle of [BUNDLE, SNOWFLAKE_BUNDLE]) {
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first.`);
  }
  const node = nodeBinary(RUNTIME);
  if (!existsSync(node)) throw new Error(`${node} is missing: run npm run runtimes first.`);
  const scratch = scratchDir('bench-bare-');
  try {
    const lab = await startLab({ knownPrincipals: [SNOWFLAKE_USER] });
    lab.dynamodb.createTable(LOCK_TABLE, 'LockId');
    try {
      const link = await linkSubject(lab, scratch.dir);
      const subjects = [link, await snowflakeSubject(lab, scratch.dir)];
      console.log(
        `Snowflake trust link benchmark: node ${NODE_RUNTIMES[RUNTIME]} (the nodejs${RUNTIME}.x runtime), ` +
          `${process.platform} ${process.arch}, ${cpus().length} CPUs`,
      );
      for (const { name, bundle, contents } of subjects) {
        console.log(`${name}: ours ${bundle} (ES module, chunks loaded on demand)`);
        console.log(
          `${' '.repeat(name.length)}  bare: one ES module file and one CommonJS file of what it imports: ${contents}`,
        );
      }
      console.log(
        `\n${row('', 'ours', 'bare ESM', 'bare CJS', 'vs ESM', 'vs CJS', 'goal (vs the stronger)')}`,
      );
      const setting: ProbeSetting = { node, environment: environment(lab), goals, runs: COLD_RUNS };
      console.log(`\n1. cold start, fresh node process each, median of ${COLD_RUNS}`);
      for (const subject of subjects) await coldStart(subject, setting);
      console.log('\n2. bundle bytes (minified, esbuild)');
      for (const subject of subjects) await loadedBytes(subject, setting);
      await wholeInvocations(lab, link, subjects[1] as Measured, node);
      await oneCreate(lab, link.bare, node);
      await hungIam(lab, node);
      await timeToVerified(goals);
    } finally {
      await lab.close();
    }
  } finally {
    scratch.remove();
  }
  const { line, allMet } = goals.summary();
  console.log(`\n${line}`);
  if (!allMet) process.exitCode = 1;
}

/** A function to measure, with the list of SDK calls its bare bundles hold, and (Snowflake) its request. */
type Measured = Subject & {
  contents: string;
  request?: (logicalId: string) => Parameters<typeof cfnEvent>[1];
};

/** The bare bundles of what `entry` imports from the SDK, built into their own directories of `scratch`. */
async function bareOf(entry: string, scratch: string, name: string) {
  const sdk = await sdkImports(entry);
  const build = (format: BareFormat) => buildBareBundle(join(scratch, `${name}-${format}`), sdk, format);
  return { bare: { esm: await build('esm'), cjs: await build('cjs') }, contents: bareContents(sdk) };
}

// Ours answers a Delete that finds nothing to undo (one GetRole, one PUT); the bare bundle makes that GetRole.
async function linkSubject(lab: Lab, scratch: string): Promise<Measured> {
  lab.iam.createRole({ roleName: 'bench-cold', trustPolicy: PLACEHOLDER });
  return {
    name: 'link function',
    bundle: BUNDLE,
    ...(await bareOf('handler/trust-link/index.ts', scratch, 'trust-link')),
    event: (run) => event(lab, 'Delete', 'bench-cold', `Cold${run}`),
    firstCall: getRole('bench-cold'),
  };
}

// Ours answers the Delete of an integration that is gone already: it reads the connection secret (a
// programmatic access token, the commonest), DESCRIBEs and answers; the bare bundle reads that secret.
async function snowflakeSubject(lab: Lab, scratch: string): Promise<Measured> {
  lab.snowflake.createUser({ name: 'BENCH', roles: ['ACCOUNTADMIN'] });
  const token = lab.snowflake.addProgrammaticAccessToken('BENCH');
  const secret = lab.secrets.putSecret('bench/snowflake', {
    account: 'MYORG-MYACCOUNT',
    user: 'BENCH',
    token,
  });
  const request = (logicalId: string) => ({
    RequestType: 'Delete' as const,
    LogicalResourceId: logicalId,
    ResourceType: 'Custom::SnowflakeApiIntegration',
    PhysicalResourceId: 'SnowflakeApiIntegration:0123456789ab:BENCH_GONE',
    ResourceProperties: { Connection: secret.arn },
  });
  return {
    name: 'Snowflake function',
    bundle: SNOWFLAKE_BUNDLE,
    ...(await bareOf('handler/snowflake/index.ts', scratch, 'snowflake')),
    event: (run) => cfnEvent(lab, request(`SnowflakeCold${run}`)),
    request,
    firstCall: {
      client: 'SecretsManagerClient',
      command: 'GetSecretValueCommand',
      input: { SecretId: secret.arn },
    },
  };
}

/** The probe's environment; settle 'default' leaves TRUST_LINK_SETTLE_MS unset, so the handler's own applies. */
function environment(lab: Lab, settleMs = '0'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_IAM: lab.iam.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: lab.dynamodb.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: lab.secrets.endpoint,
    AWS_ENDPOINT_URL_STS: lab.sts.endpoint,
    SNOWFLAKE_ENDPOINT_OVERRIDE: lab.snowflake.endpoint,
    TRUST_LINK_LOCK_TABLE: LOCK_TABLE,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(settleMs === 'default' ? {} : { TRUST_LINK_SETTLE_MS: settleMs }),
  };
}

function event(lab: Lab, requestType: 'Create' | 'Delete', roleName: string, logicalResourceId: string) {
  return cfnEvent(lab, linkRequest(requestType, roleName, logicalResourceId));
}

function linkRequest(requestType: 'Create' | 'Delete', roleName: string, logicalResourceId: string) {
  return {
    RequestType: requestType,
    LogicalResourceId: logicalResourceId,
    ResourceType: 'Custom::SnowflakeTrustLink',
    ResourceProperties: {
      RoleName: roleName,
      SnowflakeIamUserArn: SNOWFLAKE_USER,
      SnowflakeExternalId: EXTERNAL_ID,
    },
    ...(requestType === 'Delete'
      ? { PhysicalResourceId: `SnowflakeTrustLink:${roleName}:SnowflakeTrustLink` }
      : {}),
  };
}

/** A custom-resource event whose response the lab's receiver expects. */
function cfnEvent(
  lab: Lab,
  request: {
    RequestType: 'Create' | 'Delete';
    LogicalResourceId: string;
    ResourceType: string;
    ResourceProperties: Record<string, unknown>;
    PhysicalResourceId?: string;
  },
) {
  return pendingEvent(lab, request).event;
}

/** An event, and the response slot that says when CloudFormation received its answer. */
function pendingEvent(lab: Lab, request: Parameters<typeof cfnEvent>[1]) {
  const { RequestType, LogicalResourceId } = request;
  const RequestId = `${LogicalResourceId}-${Math.random().toString(36).slice(2)}`;
  const slot = { StackId: STACK_ID, RequestId, LogicalResourceId, RequestType };
  const pending = lab.cfn.receiver.expect(slot);
  const event = {
    ...request,
    ...slot,
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
    ResponseURL: pending.url,
  };
  return { event, slot, pending };
}

// 3. From process start to CloudFormation receiving the answer. The link: a Create on a fresh role (lease, IAM
// reads and writes, PUT). The Snowflake function: a Delete whose integration is gone (the secret, the SQL API
// statements, PUT), its requests to Snowflake recorded through a proxy that the bare bundles replay through.
async function wholeInvocations(lab: Lab, link: Measured, snowflake: Measured, node: string): Promise<void> {
  console.log(
    `\n3. whole invocation: process start to response received, fresh process each, median of ${WHOLE_RUNS}`,
  );
  const answeredAt =
    (pending: { first(timeoutMs: number): Promise<{ at: number } | undefined> }) => async () =>
      (await pending.first(30_000))?.at ?? Number.NaN;
  const put = (lab: Lab, name: string) => {
    const slot = { StackId: STACK_ID, RequestId: name, LogicalResourceId: 'Bare', RequestType: 'Create' };
    const pending = lab.cfn.receiver.expect(slot);
    return {
      responseUrl: pending.url,
      body: JSON.stringify({ Status: 'SUCCESS', PhysicalResourceId: name, ...slot }),
      answered: answeredAt(pending),
    };
  };
  const setting = { node, environment: environment(lab), goals, runs: WHOLE_RUNS };
  const linkTrio = await wholeInvocation(
    {
      name: 'link function: a Create',
      bundle: link.bundle,
      bare: link.bare,
      invocation: async (column, run) => {
        const roleName = `bench-whole-${column}-${run}`;
        lab.iam.createRole({ roleName, trustPolicy: PLACEHOLDER });
        if (column !== 'ours') {
          const calls = [
            lease(roleName, 'SET #holder = :holder'),
            ...sameCalls(CREATE_CALLS, roleName, JSON.stringify(PLACEHOLDER)),
            lease(roleName, 'REMOVE #holder'),
          ];
          return { calls, ...put(lab, roleName) };
        }
        const { event, pending } = pendingEvent(lab, linkRequest('Create', roleName, `Whole${run}`));
        return { event, responseUrl: pending.url, answered: answeredAt(pending) };
      },
    },
    setting,
  );
  const proxy = await RecordingProxy.start(lab.snowflake.endpoint);
  try {
    const proxied = {
      ...setting,
      environment: { ...setting.environment, SNOWFLAKE_ENDPOINT_OVERRIDE: proxy.endpoint },
    };
    const request = snowflake.request;
    if (request === undefined) throw new Error('The Snowflake subject names no request.');
    const snowflakeEvent = (run: number) => pendingEvent(lab, request(`SnowflakeWhole${run}`));
    // One invocation of ours first, recorded: what the bare bundles replay.
    const recordedFrom = proxy.recorded.length;
    const warm = snowflakeEvent(-1);
    await runProbe(
      { type: 'invoke', modulePath: snowflake.bundle, event: warm.event },
      proxied.environment,
      node,
    );
    const recordedTo = proxy.recorded.length;
    const requests = proxy.replayable(recordedFrom, recordedTo, proxy.endpoint);
    const trio = await wholeInvocation(
      {
        name: 'Snowflake function: a Delete, its integration gone',
        bundle: snowflake.bundle,
        bare: snowflake.bare,
        invocation: async (column, run) => {
          if (column !== 'ours')
            return {
              calls: [snowflake.firstCall, ...proxy.replayable(recordedFrom, recordedTo, proxy.endpoint)],
              ...put(lab, `sf-${column}-${run}`),
            };
          const { event, pending } = snowflakeEvent(run);
          return { event, responseUrl: pending.url, answered: answeredAt(pending) };
        },
      },
      proxied,
    );
    console.log(
      `     (the same ${requests.length} SQL API request(s) and Secrets Manager read for all three)`,
    );
    judgeWhole('Snowflake function', trio);
  } finally {
    await proxy.close();
  }
  judgeWhole('link function', linkTrio);
}

// The handler's own work beyond the calls (parsing, checks, the answer) is small next to the calls and
// Node.js's start: the goal is parity with the stronger baseline.
function judgeWhole(name: string, trio: Trio): void {
  const [ours, esm, cjs] = trio;
  const met = goals.judge(
    `${name}: whole invocation <= ${PARITY}x the stronger bare (parity)`,
    ours / Math.min(esm, cjs) <= PARITY,
  );
  console.log(
    `     ${name}: ${(ours / Math.min(esm, cjs)).toFixed(2)}x the stronger bare (goal: <= ${PARITY}x, parity: ${met})`,
  );
}

// Ours: the handler on fresh roles, warm, TRUST_LINK_SETTLE_MS=0 so the deliberate wait is left out.
// Bare: the same SDK calls through the bare bundle's client, and the PUT: what the SDK itself costs.
async function oneCreate(lab: Lab, bare: Record<BareFormat, string>, node: string): Promise<void> {
  const total = WARM_UP + CREATE_RUNS;
  const roles = (prefix: string, count = total) =>
    Array.from({ length: count }, (_, i) => {
      const roleName = `bench-${prefix}-${i}`;
      lab.iam.createRole({ roleName, trustPolicy: PLACEHOLDER });
      return roleName;
    });
  const creates = (prefix: string, count = total, settleMs = '0') =>
    runProbe<number[]>(
      {
        type: 'creates',
        modulePath: BUNDLE,
        events: roles(prefix, count).map((r, i) => event(lab, 'Create', r, `${prefix}${i}`)),
      },
      environment(lab, settleMs),
      node,
    );
  const oursTimes = await creates('ours');
  const document = lab.iam.trustPolicyText('bench-ours-0') ?? '';
  const oneRole = `bench-ours-${WARM_UP}`;
  const calls = lab.iam.calls.filter((c) => c.roleName === oneRole).map((c) => c.action);
  const bareCreates = (format: BareFormat, prefix: string, count = total) =>
    runProbe<number[]>(
      {
        type: 'sdk',
        modulePath: bare[format],
        runs: bareRuns(lab, roles(`${prefix}-${format}`, count), calls, document),
      },
      environment(lab),
      node,
    );
  const esmTimes = await bareCreates('esm', 'sdk');
  const cjsTimes = await bareCreates('cjs', 'sdk');

  const before = lab.iam.calls.length;
  await runProbe(
    { type: 'creates', modulePath: BUNDLE, events: [event(lab, 'Create', oneRole, `ours${WARM_UP}`)] },
    environment(lab),
    node,
  );
  const noOp = lab.iam.calls
    .slice(before)
    .filter((c) => c.roleName === oneRole)
    .map((c) => c.action);
  const settled = await creates('settle', 3, 'default');

  // IAM answers over the internet in tens of ms; the stand-in on loopback in well under one.
  lab.iam.faults.delayEachAnswer(IAM_LATENCY_MS);
  const oursSlow = await creates('slow-ours', LATENCY_RUNS);
  const esmSlow = await bareCreates('esm', 'slow-sdk', LATENCY_RUNS);
  const cjsSlow = await bareCreates('cjs', 'slow-sdk', LATENCY_RUNS);
  lab.iam.faults.clear();

  const warm = (list: number[]) => median(list.slice(WARM_UP));
  console.log(`\n4. one Create against the IAM stand-in, warm process, median of ${CREATE_RUNS}`);
  const callsMet = goals.judge(
    `a Create makes ${CREATE_CALLS.join(', ')}`,
    calls.join() === CREATE_CALLS.join(),
  );
  console.log(`   IAM calls: ${calls.join(', ')} (goal: ${CREATE_CALLS.join(', ')}: ${callsMet})`);
  const noOpMet = goals.judge(
    `a no-op Create makes ${NO_OP_CALLS.join(', ')}`,
    noOp.join() === NO_OP_CALLS.join(),
  );
  console.log(
    `   no-op Create (the same resource, already linked): ${noOp.join(', ')} (goal: ${NO_OP_CALLS.join(', ')}: ${noOpMet})`,
  );
  const sdk: Trio = [warm(oursTimes), warm(esmTimes), warm(cjsTimes)];
  console.log(row('   wall time, settle 0: ours vs the same SDK calls', ...trioCells(sdk, msText)));
  const slow: Trio = [median(oursSlow.slice(1)), median(esmSlow.slice(1)), median(cjsSlow.slice(1))];
  console.log(row(`   the same with IAM answering in ${IAM_LATENCY_MS} ms`, ...trioCells(slow, msText)));
  console.log(
    row(
      '   ours with the default settle wait',
      msText(median(settled)),
      '',
      '',
      '',
      '',
      '(a deliberate wait)',
    ),
  );
}

// The bare bundle's runs: each the SDK calls of one Create, then a PUT of a response CloudFormation expects.
function bareRuns(lab: Lab, roleNames: string[], actions: readonly string[], document: string) {
  return roleNames.map((roleName) => {
    const slot = { StackId: STACK_ID, RequestId: roleName, LogicalResourceId: 'Bare', RequestType: 'Create' };
    const body = JSON.stringify({ Status: 'SUCCESS', PhysicalResourceId: roleName, ...slot });
    return {
      // The link takes a lease on the role around its IAM calls, and gives it back: so does the bare run.
      calls: [
        lease(roleName, 'SET #holder = :holder'),
        ...sameCalls(actions, roleName, document),
        lease(roleName, 'REMOVE #holder'),
      ],
      responseUrl: lab.cfn.receiver.expect(slot).url,
      body,
    };
  });
}

// The function's time limit is HANG_LIMIT_MS; IAM never answers.
async function hungIam(lab: Lab, node: string): Promise<void> {
  lab.iam.createRole({ roleName: 'bench-hang', trustPolicy: PLACEHOLDER });
  const fn = lab.cfn.function({
    functionName: 'bench-hang',
    modulePath: BUNDLE,
    timeoutMs: HANG_LIMIT_MS,
    environment: environment(lab, 'default'),
    nodePath: node,
  });
  lab.iam.faults.hang();
  const outcome = await sendRequest(fn, lab.cfn.receiver, {
    requestType: 'Create',
    stackId: STACK_ID,
    logicalResourceId: 'Hang',
    resourceType: 'Custom::SnowflakeTrustLink',
    properties: {
      ServiceToken: fn.arn,
      RoleName: 'bench-hang',
      SnowflakeIamUserArn: SNOWFLAKE_USER,
      SnowflakeExternalId: EXTERNAL_ID,
    },
    serviceTimeoutMs: HANG_LIMIT_MS * 2,
  });
  const [invocation] = await outcome.invocations;
  lab.iam.faults.clear();
  lab.iam.dropHung();
  const answeredAfter = (outcome.response?.at ?? Number.NaN) - (invocation?.startedAt ?? Number.NaN);
  const met = goals.judge(
    'FAILED before the time limit when IAM hangs',
    outcome.status === 'FAILED' && answeredAfter < HANG_LIMIT_MS,
  );
  console.log('\n5. a hung IAM');
  console.log(
    `   ${outcome.status} reported after ${(answeredAfter / 1000).toFixed(2)} s of a ${HANG_LIMIT_MS / 1000} s limit ` +
      `(${((HANG_LIMIT_MS - answeredAfter) / 1000).toFixed(2)} s to spare; goal: before the limit: ${met})`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
