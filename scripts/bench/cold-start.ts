// The cold-start figures of one function against the bare bundle of its SDK calls: load + create the client
// until its first request leaves, and the bytes Node.js loads. The same for every function measured (the
// link, the Snowflake side): each brings its bundle, a request for ours and the first call for the bare one.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SdkCall } from './baseline';
import { runProbe } from './probe';
import { type Goals, median, msText, ratio, row } from './stats';

/** A function measured at its cold start. */
export interface Subject {
  /** How the table names it: `link function`. */
  name: string;
  /** The built entry Lambda loads: dist/<name>/index.mjs. */
  bundle: string;
  /** The bare CommonJS bundle of the same SDK clients and commands. */
  bare: string;
  /** A new request for ours, one per run: its first AWS call is `firstCall`. */
  event(run: number): Record<string, unknown>;
  /** What the bare bundle sends: the call ours makes first. */
  firstCall: SdkCall;
  /** That call's service, for the table: `IAM`. */
  service: string;
}

// The lab's endpoints are http:, which the SDK's ES module build imports on first use, while Lambda's are
// https: (the CommonJS build require()s node:http, which costs little). As an ES module, node:http loads
// undici (~15 ms): both probes import it before the clock starts, so that neither pays for the lab's
// http:. That a bundle itself imports no node:http at start is a goal of its own (loadedBytes).
const LAB_ONLY_BUILTINS = ['node:http'];

interface ColdFigures {
  evaluatedMs: number;
  requestMs: number;
  answeredMs: number;
  maxRssKb: number;
  heapUsedKb: number;
}

interface LoadedBytes {
  atStart: { bytes: number; files: number; esmBuiltins: string[] };
  afterFirstCall: { bytes: number; files: number };
}

/** Where the probes run: the Lambda runtime's node, the lab's endpoints, and the goals to judge. */
export interface ProbeSetting {
  node: string;
  environment: Record<string, string>;
  goals: Goals;
  runs: number;
}

// Each run is a new process for ours and one for the bare bundle; both make their client when they first
// need it.
export async function coldStart(subject: Subject, setting: ProbeSetting): Promise<void> {
  const ours: ColdFigures[] = [];
  const baseline: ColdFigures[] = [];
  for (let run = 0; run < setting.runs; run++) {
    const cold = { type: 'cold', preload: LAB_ONLY_BUILTINS };
    const oursTask = { ...cold, kind: 'ours', modulePath: subject.bundle, event: subject.event(run) };
    const bareTask = { ...cold, kind: 'bare', modulePath: subject.bare, firstCall: subject.firstCall };
    // Alternate which goes first, so that neither always runs on a warmer machine.
    const pair = run % 2 === 0 ? [oursTask, bareTask] : [bareTask, oursTask];
    for (const task of pair) {
      const figures = await runProbe<ColdFigures>(task, setting.environment, setting.node);
      (task.kind === 'ours' ? ours : baseline).push(figures);
    }
  }
  const m = (key: keyof ColdFigures) =>
    [median(ours.map((f) => f[key])), median(baseline.map((f) => f[key]))] as const;
  console.log(`   ${subject.name}`);
  const request = m('requestMs');
  const met = setting.goals.judge(
    `${subject.name}: load + create client <= 0.85x bare`,
    request[0] / request[1] <= 0.85,
  );
  const ms = (pair: readonly [number, number]) => [msText(pair[0]), msText(pair[1]), ratio(...pair)];
  console.log(row('     load + create client, until its request leaves', ...ms(request), `<= 0.85x ${met}`));
  console.log(row('     ... of which loading the module', ...ms(m('evaluatedMs'))));
  console.log(
    row(`     ... until answered (ours: the request; bare: ${subject.service})`, ...ms(m('answeredMs'))),
  );
  const mb = (pair: readonly [number, number]) => {
    const [a, b] = pair.map((kb) => kb / 1024) as [number, number];
    return [`${a.toFixed(1)} MB`, `${b.toFixed(1)} MB`, ratio(a, b)];
  };
  console.log(row('     peak memory (maxRSS)', ...mb(m('maxRssKb'))));
  console.log(row('     heap used after the first call', ...mb(m('heapUsedKb'))));
}

// What Node.js reads of each bundle (its files, not Node.js's own built-ins), counted by a module hook
// in a process of its own, since the hook slows loading.
export async function loadedBytes(subject: Subject, setting: ProbeSetting): Promise<void> {
  const probe = (task: Record<string, unknown>) =>
    runProbe<LoadedBytes>({ type: 'bytes', ...task }, setting.environment, setting.node);
  const ours = await probe({ kind: 'ours', modulePath: subject.bundle, event: subject.event(setting.runs) });
  const baseline = await probe({ kind: 'bare', modulePath: subject.bare, firstCall: subject.firstCall });
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const files = (f: { files: number }) => `${f.files} file${f.files === 1 ? '' : 's'}`;
  const sizes = (pair: readonly [number, number]) => [kb(pair[0]), kb(pair[1]), ratio(...pair)];
  console.log(`   ${subject.name}`);
  const start = [ours.atStart.bytes, baseline.atStart.bytes] as const;
  const met = setting.goals.judge(
    `${subject.name}: bytes loaded at start <= 0.75x bare`,
    start[0] / start[1] <= 0.75,
  );
  console.log(row(`     loaded at start (ours: ${files(ours.atStart)})`, ...sizes(start), `<= 0.75x ${met}`));
  const first = [ours.afterFirstCall.bytes, baseline.afterFirstCall.bytes] as const;
  console.log(row(`     ... by the end of the first call (${files(ours.afterFirstCall)})`, ...sizes(first)));
  const disk = [directoryBytes(dirname(subject.bundle)), statSync(subject.bare).size] as const;
  console.log(row('     on disk, deployed (every chunk)', ...sizes(disk)));
  const http = ours.atStart.esmBuiltins.filter((builtin) => LAB_ONLY_BUILTINS.includes(builtin));
  const noHttp = setting.goals.judge(
    `${subject.name}: no ES module import of node:http at start`,
    http.length === 0,
  );
  console.log(
    `     ES module imports of node:http at start: ${http.length === 0 ? 'none' : http.join(', ')} (goal: none: ${noHttp})`,
  );
}

function directoryBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}
