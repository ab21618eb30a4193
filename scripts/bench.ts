// npm run bench: the link's costs side by side with the least the job could cost, in one run.
// 1. cold start: load the bundle and create its client, against a bare esbuild bundle of
//    @aws-sdk/client-iam with the same two commands (fresh processes, median), and peak memory;
// 2. bundle bytes against that bare bundle;
// 3. one Create against the IAM stand-in: the IAM calls made, and wall time against the same raw HTTP
//    round trips plus the PUT;
// 4. a hung IAM: time until FAILED is reported, against the function's time limit.
import { existsSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { type Lab, sendRequest, startLab } from '../lab';
import { buildBareBundle } from './bench/baseline';
import { runProbe } from './bench/probe';
import { median, msText, ratio, row, verdict } from './bench/stats';

const BUNDLE = resolve('dist/trust-link/index.js');
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

interface ColdFigures {
  loadMs: number;
  firstCallMs: number;
  maxRssKb: number;
  heapUsedKb: number;
}

async function main(): Promise<void> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first.`);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const bare = await buildBareBundle();
  const lab = await startLab({ knownPrincipals: [SNOWFLAKE_USER] });
  try {
    console.log(
      `Snowflake trust link benchmark: node ${process.version}, ${process.platform} ${process.arch}, ${cpus().length} CPUs`,
    );
    console.log(
      `ours: ${BUNDLE}\nbare: ${bare} (IAMClient, GetRoleCommand, UpdateAssumeRolePolicyCommand)\n`,
    );
    console.log(row('', 'ours', 'bare', 'ratio', 'goal'));
    await coldStart(lab, bare);
    bundleBytes(bare);
    await oneCreate(lab, bare);
    await hungIam(lab);
  } finally {
    await lab.close();
  }
}

/** The probe's environment; settle 'default' leaves TRUST_LINK_SETTLE_MS unset, so the handler's own applies. */
function environment(lab: Lab, settleMs = '0'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_IAM: lab.iam.endpoint,
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
// bundle makes one GetRole. "load" ends once the module is evaluated and the bare client and commands exist.
async function coldStart(lab: Lab, bare: string): Promise<void> {
  lab.iam.createRole({ roleName: 'bench-cold', trustPolicy: PLACEHOLDER });
  const ours: ColdFigures[] = [];
  const baseline: ColdFigures[] = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    const oursTask = {
      type: 'cold',
      kind: 'ours',
      modulePath: BUNDLE,
      event: event(lab, 'Delete', 'bench-cold', `Cold${run}`),
    };
    const bareTask = { type: 'cold', kind: 'bare', modulePath: bare, roleName: 'bench-cold' };
    // Alternate which goes first, so that neither always runs on a warmer machine.
    const pair = run % 2 === 0 ? [oursTask, bareTask] : [bareTask, oursTask];
    for (const task of pair) {
      const figures = await runProbe<ColdFigures>(task, environment(lab));
      (task.kind === 'ours' ? ours : baseline).push(figures);
    }
  }
  const m = (list: ColdFigures[], key: keyof ColdFigures) => median(list.map((f) => f[key]));
  console.log(`\n1. cold start, fresh node process each, median of ${COLD_RUNS}`);
  const load = [m(ours, 'loadMs'), m(baseline, 'loadMs')] as const;
  console.log(
    row(
      '   load + create client',
      msText(load[0]),
      msText(load[1]),
      ratio(...load),
      `<= 1.10x ${verdict(load[0] / load[1] <= 1.1)}`,
    ),
  );
  const first = [m(ours, 'firstCallMs'), m(baseline, 'firstCallMs')] as const;
  console.log(
    row('   ... until the first IAM call is answered', msText(first[0]), msText(first[1]), ratio(...first)),
  );
  const rss = [m(ours, 'maxRssKb') / 1024, m(baseline, 'maxRssKb') / 1024] as const;
  console.log(
    row('   peak memory (maxRSS)', `${rss[0].toFixed(1)} MB`, `${rss[1].toFixed(1)} MB`, ratio(...rss)),
  );
  const heap = [m(ours, 'heapUsedKb') / 1024, m(baseline, 'heapUsedKb') / 1024] as const;
  console.log(
    row(
      '   heap used after the first call',
      `${heap[0].toFixed(1)} MB`,
      `${heap[1].toFixed(1)} MB`,
      ratio(...heap),
    ),
  );
}

function bundleBytes(bare: string): void {
  const ours = statSync(BUNDLE).size;
  const baseline = statSync(bare).size;
  const added = (ours - baseline) / 1024;
  console.log('\n2. bundle bytes (minified CommonJS, esbuild)');
  console.log(
    row('   size', `${ours}`, `${baseline}`, `+${added.toFixed(1)} KB`, `<= +30 KB ${verdict(added <= 30)}`),
  );
}

// Ours: the handler on fresh roles, warm, TRUST_LINK_SETTLE_MS=0 so the deliberate wait is left out.
// Raw: GetRole, UpdateAssumeRolePolicy, GetRole as plain POSTs (keep-alive, no signing) and the PUT.
// Bare SDK: the same three calls through the bare bundle's client, and the PUT: the SDK's share.
async function oneCreate(lab: Lab, bare: string): Promise<void> {
  const total = WARM_UP + CREATE_RUNS;
  const roles = (prefix: string, count = total) =>
    Array.from({ length: count }, (_, i) => {
      const roleName = `bench-${prefix}-${i}`;
      lab.iam.createRole({ roleName, trustPolicy: PLACEHOLDER });
      return roleName;
    });
  const oursRoles = roles('ours');
  const events = oursRoles.map((roleName, i) => event(lab, 'Create', roleName, `Create${i}`));
  const oursTimes = await runProbe<number[]>(
    { type: 'creates', modulePath: BUNDLE, events },
    environment(lab),
  );
  const document = lab.iam.trustPolicyText(oursRoles[0] ?? '') ?? '';
  const targets = (prefix: string) =>
    roles(prefix).map((roleName, i) => {
      const slot = {
        StackId: STACK_ID,
        RequestId: `${prefix}-${i}`,
        LogicalResourceId: prefix,
        RequestType: 'Create',
      };
      const body = JSON.stringify({ Status: 'SUCCESS', PhysicalResourceId: `${prefix}-${i}`, ...slot });
      return { roleName, document, responseUrl: lab.cfn.receiver.expect(slot).url, body };
    });
  const rawTimes = await runProbe<number[]>(
    { type: 'raw', endpoint: lab.iam.endpoint, targets: targets('raw') },
    environment(lab),
  );
  const sdkTimes = await runProbe<number[]>(
    { type: 'sdk', modulePath: bare, targets: targets('sdk') },
    environment(lab),
  );

  const oneRole = oursRoles[WARM_UP] ?? '';
  const calls = lab.iam.calls.filter((c) => c.roleName === oneRole).map((c) => c.action);
  const before = lab.iam.calls.length;
  await runProbe(
    { type: 'creates', modulePath: BUNDLE, events: [event(lab, 'Create', oneRole, 'NoOp')] },
    environment(lab),
  );
  const noOp = lab.iam.calls
    .slice(before)
    .filter((c) => c.roleName === oneRole)
    .map((c) => c.action);
  const settleEvents = roles('settle', 3).map((r, i) => event(lab, 'Create', r, `Settle${i}`));
  const settled = await runProbe<number[]>(
    { type: 'creates', modulePath: BUNDLE, events: settleEvents },
    environment(lab, 'default'),
  );

  // IAM answers over the internet in tens of ms; the stand-in on loopback in well under one.
  lab.iam.faults.delayEachAnswer(IAM_LATENCY_MS);
  const slowEvents = roles('slow-ours', LATENCY_RUNS).map((r, i) => event(lab, 'Create', r, `Slow${i}`));
  const oursSlow = await runProbe<number[]>(
    { type: 'creates', modulePath: BUNDLE, events: slowEvents },
    environment(lab),
  );
  const rawSlow = await runProbe<number[]>(
    { type: 'raw', endpoint: lab.iam.endpoint, targets: targets('slow-raw').slice(0, LATENCY_RUNS) },
    environment(lab),
  );
  lab.iam.faults.clear();

  const warm = (list: number[]) => median(list.slice(WARM_UP));
  console.log(`\n3. one Create against the IAM stand-in, warm process, median of ${CREATE_RUNS}`);
  const wanted = 'GetRole,UpdateAssumeRolePolicy,GetRole';
  console.log(
    `   IAM calls: ${calls.join(', ')} (goal: GetRole, one write, one read-back: ${verdict(calls.join() === wanted)})`,
  );
  console.log(
    `   no-op Create (already linked): ${noOp.join(', ')} (goal: one call: ${verdict(noOp.length === 1)})`,
  );
  const times = [warm(oursTimes), warm(rawTimes)] as const;
  console.log(
    row(
      '   wall time, settle 0: ours vs raw HTTP',
      msText(times[0]),
      msText(times[1]),
      ratio(...times),
      `<= 1.5x ${verdict(times[0] / times[1] <= 1.5)}`,
    ),
  );
  const sdk = [warm(oursTimes), warm(sdkTimes)] as const;
  console.log(
    row('   ours vs the same calls via the bare SDK', msText(sdk[0]), msText(sdk[1]), ratio(...sdk)),
  );
  const slow = [median(oursSlow.slice(1)), median(rawSlow.slice(1))] as const;
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

// The function's time limit is HANG_LIMIT_MS; IAM never answers.
async function hungIam(lab: Lab): Promise<void> {
  lab.iam.createRole({ roleName: 'bench-hang', trustPolicy: PLACEHOLDER });
  const fn = lab.cfn.function({
    functionName: 'bench-hang',
    modulePath: BUNDLE,
    timeoutMs: HANG_LIMIT_MS,
    environment: environment(lab, 'default'),
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
  console.log('\n4. a hung IAM');
  console.log(
    `   ${outcome.status} reported after ${(answeredAfter / 1000).toFixed(2)} s of a ${HANG_LIMIT_MS / 1000} s limit ` +
      `(${((HANG_LIMIT_MS - answeredAfter) / 1000).toFixed(2)} s to spare; goal: before the limit: ${verdict(outcome.status === 'FAILED' && answeredAfter < HANG_LIMIT_MS)})`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
