// The concurrency table: links created at once on one role, while IAM's reads lag behind its writes.
// Each round creates a stack of N links on one role through the lab's CloudFormation stand-in, with the
// built bundle, and counts the statements missing once every link has answered.
//   npm run concurrency -- [--lags 0,1000,2500,5000] [--links 3,5] [--rounds 20] [--without-lease]
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startLab } from '../lab';
import { BUNDLE, linkStackTemplate, SNOWFLAKE_USER, statementsOf } from '../test/e2e/harness';

const { values } = parseArgs({
  options: {
    lags: { type: 'string', default: '0,1000,2500,5000' },
    links: { type: 'string', default: '3,5' },
    rounds: { type: 'string', default: '20' },
    // The control: the same stacks with the lease broken (the lab's DynamoDB grants every lease), so that
    // links run unserialized: it shows the table can see a loss.
    'without-lease': { type: 'boolean', default: false },
    // A copy of the bundle, so that a build meanwhile cannot change what is measured.
    bundle: { type: 'string', default: BUNDLE },
  },
});
const numbers = (text: string) => text.split(',').map(Number);

interface Cell {
  lagMs: number;
  links: number;
  rounds: number;
  lost: number;
  failed: number;
  slowestMs: number;
}

async function measure(lagMs: number, links: number, rounds: number): Promise<Cell> {
  const lab = await startLab({
    knownPrincipals: [SNOWFLAKE_USER],
    cloudformation: {
      environment: { TRUST_LINK_SETTLE_MS: '250', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      functions: { TrustLinkFunction: { modulePath: values.bundle, timeoutMs: 60_000 } },
    },
  });
  const declared = Array.from({ length: links }, (_, n) => ({
    logicalId: `Link${n}`,
    sid: `Integration${n}`,
  }));
  const cell: Cell = { lagMs, links, rounds, lost: 0, failed: 0, slowestMs: 0 };
  lab.dynamodb.ignoreConditions(values['without-lease']);
  try {
    for (let round = 0; round < rounds; round++) {
      lab.iam.faults.staleReads(lagMs);
      const stack = lab.cfn.stack(`table-${lagMs}-${links}-${round}`);
      const started = Date.now();
      const created = await stack.create(linkStackTemplate(declared));
      cell.slowestMs = Math.max(cell.slowestMs, Date.now() - started);
      cell.failed += created.requests.filter((r) => r.status !== 'SUCCESS').length;
      const statements = statementsOf(lab.iam.trustPolicy(`${stack.stackName}-a`));
      cell.lost += declared.filter(({ sid }) => !statements.some((s) => s.Sid === sid)).length;
      lab.iam.faults.clear();
      await stack.delete();
    }
  } finally {
    await lab.close();
  }
  return cell;
}

async function main(): Promise<void> {
  if (!existsSync(values.bundle)) throw new Error(`${values.bundle} is missing: run npm run build first.`);
  console.log(
    '| IAM read lag | links at once | rounds | statements lost | links FAILED | slowest stack create |',
  );
  console.log('|---|---|---|---|---|---|');
  let lostInAll = 0;
  for (const lagMs of numbers(values.lags)) {
    for (const links of numbers(values.links)) {
      const cell = await measure(lagMs, links, Number(values.rounds));
      lostInAll += cell.lost;
      console.log(
        `| ${lagMs / 1000} s | ${links} | ${cell.rounds} | ${cell.lost} | ${cell.failed} | ${(cell.slowestMs / 1000).toFixed(1)} s |`,
      );
    }
  }
  process.exitCode = lostInAll === 0 ? 0 : 1;
}

void main();
