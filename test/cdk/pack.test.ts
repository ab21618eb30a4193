// The package as people install it: built, packed, installed from the tarball into a fresh CDK app outside
// the repository (no registry), type-checked against its declarations and synthesized.
import { describe, expect, it } from 'vitest';
import { buildPackage } from '../../cdk/scripts/build';
import { packCheck } from '../../cdk/scripts/pack-check';

describe('npm pack of snowflake-trust-link-cdk', () => {
  it('installs into a fresh CDK app, which compiles against its types and synthesizes every construct', () => {
    buildPackage(process.cwd());

    const result = packCheck(process.cwd());

    expect(result.files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'lib/index.js',
        'lib/index.d.ts',
        'assets/trust-link/index.mjs',
        'assets/snowflake/index.mjs',
      ]),
    );
    // Sources, scripts and tests stay in the repository.
    expect(
      result.files.filter((file) => /^(src|scripts)\/|\.ts$/.test(file) && !file.endsWith('.d.ts')),
    ).toEqual([]);
    expect(result.resourceTypes).toEqual(
      expect.arrayContaining([
        'Custom::SnowflakeTrustLink',
        'Custom::SnowflakeApiIntegration',
        'Custom::SnowflakeExternalFunction',
        'AWS::Lambda::Function',
        'AWS::DynamoDB::Table',
      ]),
    );
    expect(result.stagedEntries).toHaveLength(2);
  }, 300_000);
});
