// Verify: call the function once it exists, through IAM's propagation, for a bounded time; if Snowflake
// still cannot assume the role, say which of the usual causes it is, from what DESCRIBE INTEGRATION shows
// and what the link says it wrote (TrustedRoleArn, TrustedExternalIds).

import { CustomResourceError } from '../../framework/errors';
import { log } from '../../framework/log';
import { sleep } from '../../framework/retry';
import { StatementFailedError } from '../client/errors';
import { describeProperties } from '../client/results';
import { sql } from '../client/sql';
import type { SqlApiClient } from '../client/sql-api';
import { callSql, type FunctionSpec } from './function-spec';
import { storedIdentifier } from './names';

/** The call Verify makes did not succeed in its time. */
export class VerifyFailedError extends CustomResourceError {}

/** When to stop, and how long to wait between calls. */
export interface VerifyBudget {
  signal: AbortSignal;
  /** ms since the epoch. */
  until: number;
}

// Snowflake's words while the trust is not (yet) in force, and the gateway's while a new stage deploys.
const ASSUME_ROLE = /Error assuming AWS_ROLE/;
const GATEWAY_NOT_READY = /remote service error: (403|404|502|503|504)\b/;
// A call a second while IAM propagates: the wait beyond the propagation is under one poll (the time-to-verified
// row of npm run bench), and a call that Snowflake refuses costs one SQL API statement.
const POLL_MS = 1000;

/** Calls the function (or a probe under another name) until it answers; returns the answer. */
export async function verifyCall(
  client: SqlApiClient,
  spec: FunctionSpec & { verify: Array<string | null> },
  budget: VerifyBudget,
  name = spec.name,
): Promise<string | null> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await client.execute(callSql(spec, spec.verify, name), { signal: budget.signal });
      log('info', 'Verify call answered', { attempt, ms: Date.now() - started });
      return result.rows[0]?.[0] ?? null;
    } catch (error) {
      const said = error instanceof StatementFailedError ? (error.failure.message ?? '') : '';
      const transient = ASSUME_ROLE.test(said) || GATEWAY_NOT_READY.test(said);
      if (!transient) throw new VerifyFailedError(`Verify: ${errorText(error)}`, { cause: error });
      if (Date.now() + POLL_MS > budget.until) {
        const seconds = Math.round((Date.now() - started) / 1000);
        const cause = ASSUME_ROLE.test(said)
          ? await assumeRoleCause(client, spec, budget.signal)
          : `the API kept answering: ${said}. Check Url (its stage and path) and the API's resource policy.`;
        throw new VerifyFailedError(
          `Verify: Snowflake could not call ${spec.name} for ${seconds} s: ${cause}`,
          {
            cause: error,
          },
        );
      }
      log('info', 'Verify call not yet answered; retrying', { attempt, said });
      await sleep(POLL_MS, budget.signal);
    }
  }
}

async function assumeRoleCause(
  client: SqlApiClient,
  spec: FunctionSpec,
  signal: AbortSignal,
): Promise<string> {
  const described = describeProperties(
    await client.execute(sql`DESCRIBE INTEGRATION ${storedIdentifier(spec.integration)}`, { signal }),
  );
  return explainAssumeRole({
    roleArn: described.get('API_AWS_ROLE_ARN') ?? '',
    iamUserArn: described.get('API_AWS_IAM_USER_ARN') ?? '',
    externalId: described.get('API_AWS_EXTERNAL_ID') ?? '',
    ...(spec.trustedRoleArn ? { trustedRoleArn: spec.trustedRoleArn } : {}),
    ...(spec.trustedExternalIds ? { trustedExternalIds: spec.trustedExternalIds } : {}),
  });
}

/** What the integration uses, and what the link says it trusts. */
export interface AssumeRoleFacts {
  roleArn: string;
  iamUserArn: string;
  externalId: string;
  trustedRoleArn?: string;
  trustedExternalIds?: string[];
}

/** Which of the usual causes keeps Snowflake from assuming the role. Pure. */
export function explainAssumeRole(facts: AssumeRoleFacts): string {
  const { roleArn, iamUserArn, externalId, trustedRoleArn, trustedExternalIds } = facts;
  if (trustedRoleArn && trustedRoleArn !== roleArn) {
    return `the integration assumes ${roleArn} (API_AWS_ROLE_ARN), but the trust link edits ${trustedRoleArn}: give the integration's RoleArn the link's role.`;
  }
  if (trustedExternalIds && !trustedExternalIds.includes(externalId)) {
    return `the link trusts external id(s) ${trustedExternalIds.join(', ')}, not the integration's ${externalId}: the integration was re-created (a new external id). Feed the link's SnowflakeExternalId from the integration's ExternalId (or TrustedExternalIds) attribute.`;
  }
  if (trustedRoleArn && trustedExternalIds) {
    return `the trust is as the integration needs it (${iamUserArn} with external id ${externalId} on ${roleArn}), so IAM has not yet propagated it, or a policy denies it (a permissions boundary or an SCP on sts:AssumeRole). Retry the stack operation; if it recurs, check the role in the IAM console.`;
  }
  return `Snowflake's IAM user ${iamUserArn} may not assume ${roleArn} with external id ${externalId}. The usual causes: the role's trust does not allow that user with that external id (an integration re-created has a new one); the integration's RoleArn is not the role the link edits; IAM has not propagated the trust yet. Give TrustedRoleArn and TrustedExternalIds (the link's RoleArn and ExternalIds) for a precise diagnosis.`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
