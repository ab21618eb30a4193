// The status report as the operator reads it: per link, what the role trusts and who owns it, then each
// problem with its repair. Pure: findings in, text out.

import type { LinkFinding, StackView } from './assess';

/** The whole report. */
export function statusReport(
  stack: StackView,
  findings: readonly LinkFinding[],
  comparedWith?: string,
): string {
  const lines = [`Stack ${stack.name} (${stack.status})`];
  if (findings.length === 0) lines.push('  holds no Custom::SnowflakeTrustLink: nothing links a role.');
  for (const finding of findings) lines.push(...linkLines(finding));
  lines.push(
    comparedWith === undefined
      ? 'Snowflake: not compared (give --from or --integration to check that the trusted ids are the current ones).'
      : `Snowflake: compared with ${comparedWith}.`,
  );
  return `${lines.join('\n')}\n`;
}

function linkLines(finding: LinkFinding): string[] {
  const verdict = finding.inForce
    ? finding.problems.length === 0
      ? 'in force'
      : 'in force, with drift'
    : 'NOT in force';
  const where = finding.roleName ? ` on ${finding.roleName}, statement ${finding.sid}` : '';
  const lines = [`  ${finding.logicalId}${where}: ${verdict}`];
  if (finding.principals.length > 0) lines.push(`    trusts      ${finding.principals.join(', ')}`);
  if (finding.externalIds.length > 0) lines.push(`    external id ${finding.externalIds.join(', ')}`);
  if (finding.owners.length > 0) lines.push(`    owners      ${finding.owners.join(', ')}`);
  for (const problem of finding.problems) {
    lines.push(
      `    ${problem.breaksLink ? 'BROKEN' : 'drift '}  ${problem.what}`,
      `      repair: ${problem.repair}`,
    );
  }
  return lines;
}
