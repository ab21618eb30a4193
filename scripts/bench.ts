// npm run bench: the link's costs side by side with a bare bundle of the same SDK calls, in one run, on
// the Node.js of the Lambda runtime (nodejs22.x). Exits 1 when a goal is missed.
// 1. cold start: load the bundle, create the client and send the first request, against the bare bundle
//    (fresh processes, median), and peak memory;
// 2. bytes of the bundle Node.js loads at the cold start, against the bare bundle;
// 3. one Create against the IAM stand-in: the IAM calls made, and wall time against the same calls through
//    the bare bundle (the SDK's own share), also with IAM's latency;
// 4. a hung IAM: time until FAILED is reported, against the function's time limit.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { type Lab, sendRequest, startLab } from '../lab';
import { bareContents, buildBareBundle, type SdkCall } from './bench/baseline';
import { sdkImports } from './bench/link-sdk';
import { runProbe } from './bench/probe';
import { scratchDir } from './bench/scratch';
import { Goals, median, msText, ratio, row } from './bench/stats';
import { NODE_RUNTIMES, nodeBinary } from './node-runtimes';

const BUNDLE = resolve('dist/trust-link/index.mjs');
const RUNTIME = '22';
const COLD_RUNS = 21;
const CREATE_RUNS = 40;
const WARM_UP = 5;
const HANG_LIMIT_MS = 10_000;
const IAM_LATENCY_MS = 30;
const LATENCY_RUNS = 11;
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

interface ColdFigures {
  evaluatedMs: number;
  requestMs: number;
  answeredMs: number;
  maxRssKb: number;
  heapUsedKb: number;
}

interface LoadedBytes {
  atStart: { bytes: number; files: number };
  afterFirstCall: { bytes: number; files: number };
}

async function main(): Promise<void> {
  // This process runs on the machine's Node.js (the lab's stand-ins); the probes run on the Lambda runtime.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first.`);
  const node = nodeBinary(RUNTIME);
  if (!existsSync(node)) throw new Error(`${node} is missing: run npm run runtimes first.`);
  const sdk = await sdkImports('handler/trust-link/index.ts');
  const scratch = scratchDir('bench-bare-');
  try {
    const bare = await buildBareBundle(scratch.dir, sdk);
    const lab = await startLab({ knownPrincipals: [SNOWFLAKE_USER] });
    lab.dynamodb.createTable(LOCK_TABLE, 'LockId');
    try {
      console.log(
        `Snowflake trust link benchmark: node ${NODE_RUNTIMES[RUNTIME]} (the nodejs${RUNTIME}.x runtime), ` +
          `${process.platform} ${process.arch}, ${cpus().length} CPUs`,
      );
      console.log(`ours: ${BUNDLE} (ES module, chunks loaded on demand)`);
      console.log(`bare: one CommonJS bundle of what the link imports: ${bareContents(sdk)}\n`);
      console.log(row('', 'ours', 'bare', 'ratio', 'goal'));
      await coldStart(lab, bare, node);
      await loadedBytes(lab, bare, node);
      await oneCreate(lab, bare, node);
      await hungIam(lab, node);
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

/** The probe's environment; settle 'default' leaves TRUST_LINK_SETTLE_MS unset, so the handler's own applies. */
function environment(lab: Lab, settleMs = '0'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_IAM: lab.iam.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: lab.dynamodb.endpoint,
    TRUST_LINK_LOCK_TABLE: LOCK_TABLE,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(settleMs === 'default' ? {} : { TRUST_LINK_SETTLE_MS: settleMs }),
  };
}

function event(lab: Lab, requestType: 'Create' | 'Delete', roleName: string, logicalResourceId: string) {
  const requestId = `${logicalResourceId}-${Math.random().toString(36).slice(2)}`;
  const slot = {
    StackId: STACK_ID,
    RequestId: requestId,
    LogicalResourceId: logicalResourceId,
    RequestType: requestType,
  };
  const { url } = lab.cfn.receiver.expect(slot);
  return {
    ...slot,
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
    ResponseURL: url,
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

// Each run is a new process: ours answers a Delete that finds nothing to undo (one GetRole, one PUT); the bare
// bundle makes that GetRole. Both make their client when they first need it.
async function coldStart(lab: Lab, bare: string, node: string): Promise<void> {
  lab.iam.createRole({ roleName: 'bench-cold', trustPolicy: PLACEHOLDER });
  const ours: ColdFigures[] = [];
  const baseline: ColdFigures[] = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    const oursTask = { type: 'cold', kind: 'ours', modulePath: BUNDLE, event: coldEvent(lab, run) };
    const bareTask = { type: 'cold', kind: 'bare', modulePath: bare, firstCall: getRole('bench-cold') };
    // Alternate which goes first, so that neither always runs on a warmer machine.
    const pair = run % 2 === 0 ? [oursTask, bareTask] : [bareTask, oursTask];
    for (const task of pair) {
      const figures = await runProbe<ColdFigures>(task, environment(lab), node);
      (task.kind === 'ours' ? ours : baseline).push(figures);
    }
  }
  const m = (key: keyof ColdFigures) =>
    [median(ours.map((f) => f[key])), median(baseline.map((f) => f[key]))] as const;
  console.log(`\n1. cold start, fresh node process each, median of ${COLD_RUNS}`);
  const request = m('requestMs');
  const met = goals.judge('load + create client <= 0.85x bare', request[0] / request[1] <= 0.85);
  console.log(
    row(
      '   load + create client, until its request leaves',
      msText(request[0]),
      msText(request[1]),
      ratio(...request),
      `<= 0.85x ${met}`,
    ),
  );
  const evaluated = m('evaluatedMs');
  console.log(
    row(
      '   ... of which loading the module',
      msText(evaluated[0]),
      msText(evaluated[1]),
      ratio(...evaluated),
    ),
  );
  const answered = m('answeredMs');
  console.log(
    row(
      '   ... until the first IAM call is answered',
      msText(answered[0]),
      msText(answered[1]),
      ratio(...answered),
    ),
  );
  const rss = m('maxRssKb').map((kb) => kb / 1024) as [number, number];
  console.log(
    row('   peak memory (maxRSS)', `${rss[0].toFixed(1)} MB`, `${rss[1].toFixed(1)} MB`, ratio(...rss)),
  );
  const heap = m('heapUsedKb').map((kb) => kb / 1024) as [number, number];
  console.log(
    row(
      '   heap used after the first call',
      `${heap[0].toFixed(1)} MB`,
      `${heap[1].toFixed(1)} MB`,
      ratio(...heap),
    ),
  );
}

function coldEvent(lab: Lab, run: number) {
  return event(lab, 'Delete', 'bench-cold', `Cold${run}`);
}

// What Node.js reads of each bundle (its files, not Node.js's own built-ins), counted by a module hook
// in a process of its own, since the hook slows loading.
async function loadedBytes(lab: Lab, bare: string, node: string): Promise<void> {
  const ours = await runProbe<LoadedBytes>(
    { type: 'bytes', kind: 'ours', modulePath: BUNDLE, event: coldEvent(lab, COLD_RUNS) },
    environment(lab),
    node,
  );
  const baseline = await runProbe<LoadedBytes>(
    { type: 'bytes', kind: 'bare', modulePath: bare, firstCall: getRole('bench-cold') },
    environment(lab),
    node,
  );
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const files = (f: { files: number }) => `${f.files} file${f.files === 1 ? '' : 's'}`;
  console.log('\n2. bundle bytes (minified, esbuild)');
  const start = [ours.atStart.bytes, baseline.atStart.bytes] as const;
  const met = goals.judge('bytes loaded at start <= 0.75x bare', start[0] / start[1] <= 0.75);
  console.log(
    row(
      `   loaded at start (ours: ${files(ours.atStart)})`,
      kb(start[0]),
      kb(start[1]),
      ratio(...start),
      `<= 0.75x ${met}`,
    ),
  );
  const first = [ours.afterFirstCall.bytes, baseline.afterFirstCall.bytes] as const;
  console.log(
    row(
      `   ... by the end of the first call (${files(ours.afterFirstCall)})`,
      kb(first[0]),
      kb(first[1]),
      ratio(...first),
    ),
  );
  const disk = [directoryBytes(resolve(BUNDLE, '..')), statSync(bare).size] as const;
  console.log(row('   on disk, deployed (every chunk)', kb(disk[0]), kb(disk[1]), ratio(...disk)));
}

function directoryBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

// Ours: the handler on fresh roles, warm, TRUST_LINK_SETTLE_MS=0 so the deliberate wait is left out.
// Bare: the same SDK calls through the bare bundle's client, and the PUT: what the SDK itself costs.
async function oneCreate(lab: Lab, bare: string, node: string): Promise<void> {
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
  const bareCreates = (prefix: string, count = total) =>
    runProbe<number[]>(
      { type: 'sdk', modulePath: bare, runs: bareRuns(lab, roles(prefix, count), calls, document) },
      environment(lab),
      node,
    );
  const sdkTimes = await bareCreates('sdk');

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
  const sdkSlow = await bareCreates('slow-sdk', LATENCY_RUNS);
  lab.iam.faults.clear();

  const warm = (list: number[]) => median(list.slice(WARM_UP));
  console.log(`\n3. one Create against the IAM stand-in, warm process, median of ${CREATE_RUNS}`);
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
  const sdk = [warm(oursTimes), warm(sdkTimes)] as const;
  console.log(
    row('   wall time, settle 0: ours vs the same SDK calls', msText(sdk[0]), msText(sdk[1]), ratio(...sdk)),
  );
  const slow = [median(oursSlow.slice(1)), median(sdkSlow.slice(1))] as const;
  console.log(
    row(
      `   the same with IAM answering in ${IAM_LATENCY_MS} ms`,
      msText(slow[0]),
      msText(slow[1]),
      ratio(...slow),
    ),
  );
  console.log(
    row('   ours with the default settle wait', msText(median(settled)), '', '', '(a deliberate wait)'),
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
  console.log('\n4. a hung IAM');
  console.log(
    `   ${outcome.status} reported after ${(answeredAfter / 1000).toFixed(2)} s of a ${HANG_LIMIT_MS / 1000} s limit ` +
      `(${((HANG_LIMIT_MS - answeredAfter) / 1000).toFixed(2)} s to spare; goal: before the limit: ${met})`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
