// The package as published: `npm pack` of cdk/, installed from the tarball into a fresh CDK app in a temporary
// folder outside the repository, type-checked against the package's declarations and synthesized. The peer
// dependencies come from the repository's own node_modules (symlinked: no registry needed, so CI runs it
// offline). Run: `npm run cdk:pack-check` (it builds first); test/cdk/pack.test.ts runs packCheck() too.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PEERS = ['aws-cdk-lib', 'constructs'];

/** What the check found: the tarball's files and the synthesized stack's resource types. */
export interface PackCheckResult {
  files: string[];
  resourceTypes: string[];
  /** The staged asset folders of the app's functions hold the bundle's entry. */
  stagedEntries: string[];
}

// The consumer's app, as a user writes it: TypeScript, importing the package by name.
const APP = `import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  SnowflakeApiIntegration,
  SnowflakeConnection,
  SnowflakeExternalFunction,
  SnowflakeTrustLink,
} from 'snowflake-trust-link-cdk';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Consumer');
const role = new iam.Role(stack, 'SnowflakeRole', { assumedBy: new iam.AccountRootPrincipal() });
new SnowflakeTrustLink(stack, 'Link', {
  role: new iam.Role(stack, 'StorageRole', { assumedBy: new iam.AccountRootPrincipal() }),
  iamUserArn: 'arn:aws:iam::123456789001:user/abc1-b-self1234',
  externalIds: ['MYACCOUNT_SFCRole=2_a123456/s0aBCDEfGHIJklmNoPq='],
});
const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'snowflake/connection');
const connection = SnowflakeConnection.fromSecret(secret);
const url = 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/';
const integration = new SnowflakeApiIntegration(stack, 'Integration', {
  connection,
  integrationName: 'echo_api',
  role,
  allowedPrefixes: [url],
});
const iamUserArn: string = integration.iamUserArn;
const externalId: string = integration.externalId;
new SnowflakeExternalFunction(stack, 'Echo', {
  connection,
  database: 'ANALYTICS',
  schema: 'PUBLIC',
  functionName: 'echo',
  arguments: 'value VARIANT',
  integration,
  url: \`\${url}echo\`,
  verify: "'hello'",
});
console.log(JSON.stringify({ iamUserArn: typeof iamUserArn, externalId: typeof externalId }));
app.synth();
`;

/** Packs cdk/ (built), installs the tarball into a fresh app, type-checks and synthesizes it. */
export function packCheck(root: string): PackCheckResult {
  const packageDir = join(root, 'cdk');
  if (
    !existsSync(join(packageDir, 'lib', 'index.js')) ||
    !existsSync(join(packageDir, 'assets', 'snowflake'))
  ) {
    throw new Error('cdk/lib or cdk/assets is missing: run npm run build && npm run cdk:build first.');
  }
  const work = mkdtempSync(join(tmpdir(), 'snowflake-trust-link-cdk-pack-'));
  try {
    const [packed] = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', work], packageDir),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    if (!packed) throw new Error('npm pack wrote no tarball.');

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }, null, 2),
    );
    // The tarball alone, from disk: no registry. Its peers are linked in below, as an app has them.
    run(
      'npm',
      [
        'install',
        '--offline',
        '--no-audit',
        '--no-fund',
        '--legacy-peer-deps',
        '--ignore-scripts',
        join(work, packed.filename),
      ],
      app,
    );
    for (const peer of PEERS) {
      symlinkSync(join(root, 'node_modules', peer), join(app, 'node_modules', peer), 'dir');
    }
    writeFileSync(join(app, 'app.ts'), APP);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          // aws-cdk-lib's own declarations name Disposable.
          lib: ['ES2022', 'ESNext.Disposable'],
          module: 'commonjs',
          moduleResolution: 'node10',
          strict: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(root, 'node_modules', '@types')],
        },
        files: ['app.ts'],
      }),
    );
    // The app's types against the package's declarations (skipLibCheck off: they must compile too).
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    run(process.execPath, ['app.js'], app);

    const template = JSON.parse(readFileSync(join(app, 'cdk.out', 'Consumer.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
    };
    const resources = Object.values(template.Resources);
    return {
      files: packed.files.map((file) => file.path).sort(),
      resourceTypes: [...new Set(resources.map((resource) => resource.Type))].sort(),
      stagedEntries: resources
        .map((resource) => resource.Properties.Code?.S3Key)
        .filter((key): key is string => key !== undefined)
        .map((key) => join(app, 'cdk.out', `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'))
        .filter((entry) => existsSync(entry)),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`, {
      cause: error,
    });
  }
}

// Run as a script: print what was checked, exit non-zero on any failure.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const started = Date.now();
  const result = packCheck(join(import.meta.dirname, '..', '..'));
  console.log(
    `${result.files.length} files packed; the installed package synthesized ${result.resourceTypes.join(', ')}; ` +
      `${result.stagedEntries.length} function assets staged; ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
}
