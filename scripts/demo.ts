// npm run demo: the whole life of a Snowflake trust link, without an AWS account. The lab's IAM and
// CloudFormation stand-ins run template.yaml, under samconfig.toml's stack name, with the built bundle
// its CodeUri names. Each step shows what a person would run, how the trust policy changed, and a
// verdict; exits 1 if anything is off. The steps are in scripts/demo/story.ts.
import { loadTemplate, startLab } from '../lab';
import { Narrator } from './demo/narrator';
import { tellOneDeployStory } from './demo/one-deploy';
import { SNOWFLAKE_USER, tellStory } from './demo/story';
import { readSamConfig } from './link/samconfig-file';

const USAGE = `Usage: npm run demo [-- --verbose]

Runs template.yaml's stack in the local lab (IAM and CloudFormation stand-ins on 127.0.0.1) through
deploy, link, rotation, a move to another role, unlink and delete; then the one-deploy flow (Snowflake,
Secrets Manager and API Gateway stand-ins too): one deploy ending with SELECT echo('hello'), a rotation
under a stream of calls, and a delete. For each step it prints the command
a person would run, the change of the trust policy and one line of verdict; exits 1 if anything is off.

  --verbose, -v   also print every check, each CloudFormation response whole and each trust policy whole
  --help, -h      print this text`;

async function main(args: readonly string[]): Promise<number> {
  if (args.some((arg) => arg === '--help' || arg === '-h')) {
    console.log(USAGE);
    return 0;
  }
  const isVerbose = (arg: string): boolean => arg === '--verbose' || arg === '-v';
  const unknown = args.filter((arg) => !isVerbose(arg));
  if (unknown.length > 0) {
    console.error(`demo: unknown argument ${unknown.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  const started = Date.now();
  const stackName = samconfigStackName();
  const narrator = new Narrator(args.some(isVerbose));
  console.log(
    `Stack ${stackName} (samconfig.toml) from template.yaml, in the lab: AWS and Snowflake stand-ins on 127.0.0.1`,
  );
  const lab = await startLab({
    knownPrincipals: [SNOWFLAKE_USER],
    cloudformation: {
      templateDir: '.',
      // The link waits a jittered moment after each write before reading back; a short one keeps the demo quick.
      environment: { TRUST_LINK_SETTLE_MS: '20' },
      // A lost answer fails the step in 30 s rather than the template's 5 minutes.
      serviceTimeoutMs: 30_000,
    },
    // Snowflake's AssumeRole sees a new trust half a second late, as IAM's propagation makes it.
    snowflake: { propagationMs: 500 },
  });
  try {
    console.log('\n=== The two-step flow: deploy, create the integration in Snowflake, link');
    await tellStory({
      lab,
      stack: lab.cfn.stack(stackName),
      template: loadTemplate('template.yaml'),
      narrator,
    });
    console.log('\n=== The one-deploy flow: the stack creates the integration and the function itself');
    await tellOneDeployStory({
      lab,
      stack: lab.cfn.stack(`${stackName}-one-deploy`),
      template: loadTemplate('template.yaml'),
      narrator,
    });
  } finally {
    await lab.close();
  }
  return summarize(narrator.problems, Date.now() - started);
}

function samconfigStackName(): string {
  const { stackName } = readSamConfig(process.cwd(), undefined);
  if (stackName === undefined)
    throw new Error('samconfig.toml names no stack_name in [default.global.parameters]');
  return stackName;
}

function summarize(problems: readonly string[], elapsedMs: number): number {
  const seconds = (elapsedMs / 1000).toFixed(1);
  if (problems.length === 0) {
    console.log(`\nEvery step behaved as expected (${seconds} s).`);
    return 0;
  }
  console.log(`\n${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return 1;
}

// The SDK warns on Node.js 20 about its future support; Lambda runs 22 or 24, and the notice would bury the story.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
