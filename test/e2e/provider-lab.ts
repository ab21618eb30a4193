// The lab for the provider suites: stacks deployed from templates on disk (a user's, a release's), their
// functions run from the CodeUri the templates give, and the checks of both sides of a link after each step.
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { type Lab, type Stack, startLab, type TrustStatement } from '../../lab';
import { linkedStatement, SNOWFLAKE_USER } from '../helpers/trust';

export { EXTERNAL_ID, NEW_EXTERNAL_ID, requestLines } from './harness';

/** Starts the lab; templates' relative paths are read from `templateDir`. */
export async function startProviderLab({
  templateDir,
  applications = {},
}: {
  templateDir: string;
  applications?: Record<string, string>;
}): Promise<Lab> {
  for (const bundle of ['dist/trust-link/index.mjs', 'dist/echo/index.mjs']) {
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first.`);
  }
  return startLab({
    knownPrincipals: [SNOWFLAKE_USER],
    cloudformation: {
      templateDir,
      applications,
      serviceTimeoutMs: 30_000,
      bodyTimeoutMs: 2000,
      environment: {
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        TRUST_LINK_SETTLE_MS: '20',
        TRUST_LINK_LATE_WRITE_MS: '1500',
        TRUST_LINK_MAX_READ_LAG_MS: '3000',
      },
    },
  });
}

/** The ownership records a link keeps on a role (its tags), as `<stack>/<logical id>` names. */
export function recordOwners(lab: Lab, roleName: string): string[] {
  return (lab.iam.tags(roleName) ?? [])
    .filter((tag) => tag.key.startsWith('SnowflakeTrustLink:'))
    .map((tag) => tag.value.split(' ').at(-1) ?? '')
    .sort();
}

function statements(lab: Lab, roleName: string): TrustStatement[] {
  const statement = lab.iam.trustPolicy(roleName)?.Statement ?? [];
  return Array.isArray(statement) ? statement : [statement];
}

/** Snowflake may assume the role with exactly these ids, and the records name exactly these owners. */
export function expectLinked(lab: Lab, roleName: string, externalIds: string[], owners: string[]): void {
  expect(statements(lab, roleName)).toEqual([
    linkedStatement(externalIds.length === 1 ? (externalIds[0] as string) : externalIds),
  ]);
  expect(recordOwners(lab, roleName)).toEqual([...owners].sort());
}

/** Nothing of a link is left on the role: no statement naming Snowflake's user, no record. */
export function expectUnlinked(lab: Lab, roleName: string): void {
  expect(JSON.stringify(lab.iam.trustPolicy(roleName))).not.toContain(SNOWFLAKE_USER);
  expect(statements(lab, roleName).length).toBeGreaterThan(0);
  expect(recordOwners(lab, roleName)).toEqual([]);
}

/** The nested stack a parent's resource made. */
export function nestedStackOf(lab: Lab, parent: Stack, logicalId: string): Stack {
  const child = lab.cfn.stackById(parent.resource(logicalId)?.physicalId ?? '');
  if (child === undefined) throw new Error(`${logicalId} made no nested stack`);
  return child;
}
