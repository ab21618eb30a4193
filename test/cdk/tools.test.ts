// The synthesized stacks, checked with tools nobody here wrote: cdk-nag's AwsSolutions pack (every finding
// acknowledged with its reason) and CloudFormation's own linter, cfn-lint.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, type Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SnowflakeConnection } from '../../cdk/src';
import { newApp, oneDeployStack, prepareBundles, twoStepLink } from './stacks';

beforeAll(prepareBundles);

/** Every way a stack uses the library: a hand link, one deploy by secret (full or partial ARN). */
function everyUse(): { app: App; stacks: Stack[] } {
  const app = newApp();
  const bySecret = oneDeployStack(app, 'BySecret');
  twoStepLink(bySecret.stack, bySecret.role, 'HandLink');
  const byName = oneDeployStack(app, 'BySecretName', (s) =>
    SnowflakeConnection.fromSecret(secretsmanager.Secret.fromSecretNameV2(s, 'ByName', 'snowflake/conn')),
  );
  return { app, stacks: [bySecret.stack, byName.stack] };
}

/** What acknowledgements the constructs made: rule id → reason, per construct path. */
function acknowledgements(scope: IConstruct): Array<{ path: string; id: string; reason: unknown }> {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe("cdk-nag's AwsSolutions pack", () => {
  it('finds nothing left unacknowledged in any way a stack uses the library', () => {
    const { app } = everyUse();

    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations.map((v) => `${v.ruleName}: ${v.description}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only the findings it explains, each with its reason, never a whole rule on the stack', () => {
    const { app, stacks } = everyUse();

    const found = acknowledgements(app);

    expect([...new Set(found.map((a) => a.id))].sort()).toEqual(['AwsSolutions-DDB3', 'AwsSolutions-L1']);
    for (const { reason } of found) expect(String(reason).length).toBeGreaterThan(40);
    for (const stack of stacks) expect(found.map((a) => a.path)).not.toContain(stack.node.path);
  });

  it('still reports what the library did not explain: a wildcard a user adds to the link role', () => {
    const app = newApp();
    const { stack } = oneDeployStack(app, 'Widened');
    const role = stack.node.findChild('SnowflakeTrustLinkProvider').node.findChild('Role') as iam.Role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));

    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });
});

describe('cfn-lint', () => {
  it('finds no error or warning in the synthesized templates, and does find one in a broken copy', () => {
    if (!onPath('cfn-lint')) {
      // CI installs cfn-lint (.ci/run): there its absence is a failure, never a pass.
      expect(process.env.CI, 'cfn-lint is not installed (pip install cfn-lint)').not.toBe('true');
      console.warn('cfn-lint is not installed: the templates were not linted (pip install cfn-lint).');
      return;
    }
    const { stacks } = everyUse();
    const folder = mkdtempSync(join(tmpdir(), 'cdk-cfn-lint-'));
    try {
      const files = stacks.map((stack) => {
        const file = join(folder, `${stack.stackName}.json`);
        writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON(), null, 2));
        return file;
      });
      // The control: a runtime Lambda does not have, so that a clean run of the others means something.
      const broken = Template.fromStack(stacks[0] as Stack).toJSON();
      for (const resource of Object.values(broken.Resources as Record<string, CfnResourceJson>)) {
        if (resource.Type === 'AWS::Lambda::Function') resource.Properties.Runtime = 'nodejs99.x';
      }
      writeFileSync(join(folder, 'broken.json'), JSON.stringify(broken, null, 2));

      // Every error and warning rule, none left out (one run: cfn-lint takes seconds to start).
      const lint = spawnSync(
        'cfn-lint',
        ['--format', 'parseable', '--', ...files, join(folder, 'broken.json')],
        {
          encoding: 'utf8',
        },
      );

      const findings = lint.stdout.split('\n').filter((line) => line !== '');
      expect(findings.filter((line) => !line.startsWith(join(folder, 'broken.json')))).toEqual([]);
      expect(findings.some((line) => line.includes('nodejs99.x'))).toBe(true);
      expect(lint.stderr).toBe('');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 180_000);
});

interface CfnResourceJson {
  Type: string;
  Properties: Record<string, unknown>;
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}
