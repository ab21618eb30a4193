// What the live state says about each link of a stack: is it in force, does the role hold what the stack
// wrote, who owns the statement, and does it trust what Snowflake presents now. Pure: plain values in,
// findings out, each problem with the command that repairs it. The rules are the link's own (handler/).

import { type Owner, stackNameOf } from '../../handler/framework/framework';
import {
  externalIdDigest,
  ownerRecord,
  ownerRecords,
  type RoleTag,
  recordTag,
  statementDigest,
} from '../../handler/trust-link/ownership';
import { parseLinkPhysicalId } from '../../handler/trust-link/physical-id';
import { roleNameOfArn } from '../../handler/trust-link/rules';
import {
  externalIdsOf,
  findOwnedStatement,
  parseTrustPolicy,
  principalsOf,
  type Statement,
} from '../../handler/trust-link/trust-policy';
import type { IntegrationValues } from '../link/integration-values';

/** The stack, as DescribeStacks shows it. */
export interface StackView {
  readonly name: string;
  readonly id: string;
  readonly status: string;
}

/** One Custom::SnowflakeTrustLink of the stack, as ListStackResources lists it. */
export interface LinkResource {
  readonly logicalId: string;
  readonly physicalId: string;
  readonly status: string;
}

/** A role as IAM has it: its trust policy (JSON, decoded) and tags; `missing` when IAM has no such role. */
export type RoleView =
  | {
      readonly roleName: string;
      readonly missing: false;
      readonly document: string;
      readonly tags: readonly RoleTag[];
    }
  | { readonly roleName: string; readonly missing: true };

/** How the stack is deployed: it decides which command repairs what. */
export type Flow = 'two-step' | 'one-deploy';

/** One thing that is wrong, and the command (or step) that puts it right. */
export interface Problem {
  readonly what: string;
  readonly repair: string;
  /** Whether Snowflake's calls fail because of it (not in force), or it is drift to clean up. */
  readonly breaksLink: boolean;
}

/** What the status command found for one link. */
export interface LinkFinding {
  readonly logicalId: string;
  readonly roleName?: string;
  readonly sid?: string;
  /** The Snowflake IAM user(s) and external ids the statement trusts now. */
  readonly principals: readonly string[];
  readonly externalIds: readonly string[];
  /** Who the records on the role say owns the statement (stack/logical id), this stack's first. */
  readonly owners: readonly string[];
  readonly problems: readonly Problem[];
  readonly inForce: boolean;
}

/** Everything the assessment reads. */
export interface LiveState {
  readonly stack: StackView;
  readonly links: readonly LinkResource[];
  readonly flow: Flow;
  /** Each role a link names, by its name in lower case (IAM role names ignore case). */
  readonly roles: ReadonlyMap<string, RoleView>;
  /** DESCRIBE INTEGRATION's values, when given: what Snowflake presents now. */
  readonly snowflake?: IntegrationValues;
}

/** The finding of every link of the stack. */
export function assessLinks(state: LiveState): LinkFinding[] {
  return state.links.map((link) => assessLink(link, state));
}

/** Whether Snowflake can use every link of the stack (and there is at least one). */
export function allInForce(findings: readonly LinkFinding[]): boolean {
  return findings.length > 0 && findings.every((finding) => finding.inForce);
}

function assessLink(link: LinkResource, state: LiveState): LinkFinding {
  const named = parseLinkPhysicalId(link.physicalId);
  const none = { logicalId: link.logicalId, principals: [], externalIds: [], owners: [] };
  if (named === undefined) {
    const what = `${link.logicalId} links nothing: its Create failed (physical id ${link.physicalId}).`;
    return {
      ...none,
      problems: [{ what, repair: relinkStep(state.flow), breaksLink: true }],
      inForce: false,
    };
  }
  const { roleName, sid } = named;
  const role = state.roles.get(roleName.toLowerCase());
  if (role === undefined || role.missing) {
    const what = `The role ${roleName} does not exist in this account: nothing can be linked.`;
    const repair = `Deploy the stack that owns ${roleName} again (or check --region / --profile).`;
    return { ...none, roleName, sid, problems: [{ what, repair, breaksLink: true }], inForce: false };
  }
  const owner: Owner = { stackId: state.stack.id, logicalId: link.logicalId };
  const statement = findOwnedStatement(parseTrustPolicy(role.document), sid);
  const records = ownerRecords(role.tags).filter((record) => record.sid === sid);
  const own = ownerRecord(owner, sid, statement ?? {});
  const mine = records.find((record) => record.key === own.key);
  const owners = [...records]
    .sort((a, b) => Number(b.key === own.key) - Number(a.key === own.key))
    .map((r) => r.label);
  const principals = statement ? principalsOf(statement) : [];
  const externalIds = statement ? externalIdsOf(statement) : [];
  const problems = [
    ...statementProblems({ link, roleName, sid, statement, state }),
    ...recordProblems({ roleName, sid, statement, records, mine, own, ownStack: own.stack, state }),
    ...snowflakeProblems({
      roleName,
      recordNamesCurrent: mine?.current !== undefined,
      principals,
      externalIds,
      state,
    }),
  ];
  return {
    logicalId: link.logicalId,
    roleName,
    sid,
    principals,
    externalIds,
    owners,
    problems,
    inForce: statement !== undefined && problems.every((problem) => !problem.breaksLink),
  };
}

function statementProblems(input: {
  link: LinkResource;
  roleName: string;
  sid: string;
  statement: Statement | undefined;
  state: LiveState;
}): Problem[] {
  const { roleName, sid, statement, state } = input;
  if (statement === undefined) {
    return [
      {
        what: `The trust policy of ${roleName} has no statement ${sid}: someone removed it, so Snowflake cannot assume the role.`,
        repair: relinkStep(state.flow),
        breaksLink: true,
      },
    ];
  }
  const trustsUser = principalsOf(statement).some((arn) => /^arn:aws[\w-]*:iam::\d{12}:user\//.test(arn));
  if (!trustsUser || externalIdsOf(statement).length === 0) {
    return [
      {
        what: `Statement ${sid} of ${roleName} is the placeholder (or trusts no Snowflake user with an external id): the link is not written.`,
        repair: relinkStep(state.flow),
        breaksLink: true,
      },
    ];
  }
  return [];
}

function recordProblems(input: {
  roleName: string;
  sid: string;
  statement: Statement | undefined;
  records: ReturnType<typeof ownerRecords>;
  mine: ReturnType<typeof ownerRecords>[number] | undefined;
  own: ReturnType<typeof ownerRecord>;
  ownStack: string;
  state: LiveState;
}): Problem[] {
  const { roleName, sid, statement, records, mine, own, ownStack, state } = input;
  const problems: Problem[] = [];
  for (const other of records.filter((record) => record.stack !== ownStack)) {
    problems.push({
      what: `Another stack's record claims statement ${sid} of ${roleName} too (${other.label}): a link belongs to one stack.`,
      repair: `If that stack no longer exists: aws iam untag-role --role-name ${roleName} --tag-keys '${other.key}'`,
      breaksLink: false,
    });
  }
  if (statement === undefined) return problems;
  const retired = retiredIds(statement, mine);
  if (retired.length > 0) {
    problems.push({
      what: `${roleName} still trusts external id(s) its link retired in a rotation: ${retired.join(', ')}. The revocation in the rotating deploy's cleanup failed or has not run (its Delete shows in the stack's events).`,
      repair:
        'sam deploy --parameter-overrides SnowflakeRotation=<a new value> (or any change that updates the link): the link then trusts the current id only',
      breaksLink: false,
    });
  }
  const written = statementDigest(statement);
  const sameStack = records.filter((record) => record.stack === ownStack);
  if (mine === undefined && sameStack.length === 0) {
    const tag = recordTag({ ...own, statement: written });
    problems.push({
      what: `${roleName} holds no record that this stack owns statement ${sid} (made before records existed, or the tag was removed): a Delete would leave it.`,
      repair: `aws iam tag-role --role-name ${roleName} --tags 'Key=${tag.key},Value=${tag.value}'`,
      breaksLink: false,
    });
  } else if (!sameStack.some((record) => record.statement === written)) {
    problems.push({
      what: `Statement ${sid} of ${roleName} is not what ${stackNameOf(state.stack.id)} wrote: it was edited outside CloudFormation (the IAM console, the CLI, or the role's own template).`,
      repair: relinkStep(state.flow),
      breaksLink: false,
    });
  }
  return problems;
}

// A record that names the current id (a link told CurrentExternalId) makes every other id of the statement an
// old one, trusted only until the rotation's cleanup.
function retiredIds(
  statement: Statement,
  mine: ReturnType<typeof ownerRecords>[number] | undefined,
): string[] {
  const current = mine?.current;
  if (current === undefined) return [];
  return externalIdsOf(statement).filter((id) => externalIdDigest(id) !== current);
}

function snowflakeProblems(input: {
  roleName: string;
  /** The link's record names the current id: old ids are reported from it already. */
  recordNamesCurrent: boolean;
  principals: readonly string[];
  externalIds: readonly string[];
  state: LiveState;
}): Problem[] {
  const { roleName, principals, externalIds, state } = input;
  const values = state.snowflake;
  if (values === undefined || roleNameOfArn(values.roleArn).toLowerCase() !== roleName.toLowerCase())
    return [];
  const kind = values.kind === 'api' ? 'API' : 'STORAGE';
  const problems: Problem[] = [];
  if (!principals.includes(values.userArn)) {
    problems.push({
      what: `${roleName} does not trust ${kind}_AWS_IAM_USER_ARN ${values.userArn}: Snowflake's calls fail with "Error assuming AWS_ROLE".`,
      repair: relinkStep(state.flow),
      breaksLink: true,
    });
  }
  if (!externalIds.includes(values.externalId)) {
    problems.push({
      what: `${roleName} does not trust ${kind}_AWS_EXTERNAL_ID ${values.externalId}: the integration was re-created since the link was written, and Snowflake's calls fail with "Error assuming AWS_ROLE".`,
      repair: relinkStep(state.flow),
      breaksLink: true,
    });
  }
  const old = externalIds.filter((id) => id !== values.externalId);
  if (old.length > 0 && externalIds.includes(values.externalId) && !input.recordNamesCurrent) {
    problems.push({
      what: `${roleName} still trusts external id(s) the integration no longer has: ${old.join(', ')}. Whoever may create integrations in the Snowflake account can present a retired id: revoke it.`,
      repair: revokeStep(state.flow),
      breaksLink: false,
    });
  }
  return problems;
}

function relinkStep(flow: Flow): string {
  return flow === 'one-deploy'
    ? 'sam deploy --parameter-overrides SnowflakeRotation=<a new value>: a new integration, linked and verified again'
    : 'Unlink and link again: sam deploy --parameter-overrides SnowflakeIamUserArn= SnowflakeExternalId=, then npm run link -- --from <DESCRIBE output>';
}

function revokeStep(flow: Flow): string {
  return flow === 'one-deploy'
    ? 'sam deploy --parameter-overrides SnowflakeRotation=<a new value> (or any change that updates the link): the link then trusts the current id only'
    : 'npm run link -- --from <DESCRIBE output> (without --keep-old): the link then trusts the current id only';
}
