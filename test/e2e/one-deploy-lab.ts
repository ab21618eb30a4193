// The lab for a one-deploy stack (SnowflakeConnection given): the stand-ins, the built bundles the template
// names, a Snowflake service user with a token in a Secrets Manager secret, and a SQL API client of the
// test's own to look at Snowflake's catalog. Shared by the gateway and the storage example's suites.
import { existsSync } from 'node:fs';
import { authenticatorFor } from '../../handler/snowflake/client/credentials';
import { parseConnectionSecret } from '../../handler/snowflake/client/settings';
import { SqlApiClient } from '../../handler/snowflake/client/sql-api';
import {
  type Lab,
  type LambdaFunctionConfig,
  loadTemplate,
  startLab,
  type Template,
  type TrustPolicy,
} from '../../lab';
import type { Grammar } from '../../lab/snowflake';

export interface OneDeployLab {
  lab: Lab;
  template: Template;
  /** The connection secret's ARN, for the SnowflakeConnection parameter. */
  secretArn: string;
  /** A client signed in as the service user, to read Snowflake's catalog. */
  client: SqlApiClient;
}

/** Starts the lab for a template; fails at once when a bundle it needs has not been built. */
export async function startOneDeployLab(options: {
  templatePath: string;
  /** Where the template's CodeUri paths start; default the current directory. */
  templateDir?: string;
  bundles: string[];
  secretName: string;
  /** Where the Snowflake stand-in's grammar is looser (an older release's SQL). */
  grammar?: Grammar;
  /** Function overrides by logical id (a CDK template's functions: where their staged assets are). */
  functions?: Record<string, Partial<LambdaFunctionConfig>>;
  /** Verify's window, in seconds (SNOWFLAKE_VERIFY_SECONDS); default 6, above the lab's 400 ms propagation. */
  verifySeconds?: number;
  /** CloudFormation's wait for each answer; default 60 s. */
  serviceTimeoutMs?: number;
}): Promise<OneDeployLab> {
  const missing = options.bundles.filter((bundle) => !existsSync(bundle));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run npm run build first.`);
  const lab = await startLab({
    snowflake: { propagationMs: 400, ...(options.grammar ? { grammar: options.grammar } : {}) },
    cloudformation: {
      ...(options.templateDir ? { templateDir: options.templateDir } : {}),
      ...(options.functions ? { functions: options.functions } : {}),
      serviceTimeoutMs: options.serviceTimeoutMs ?? 60_000,
      bodyTimeoutMs: 2000,
      environment: {
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        TRUST_LINK_SETTLE_MS: '20',
        SNOWFLAKE_VERIFY_SECONDS: String(options.verifySeconds ?? 6),
      },
    },
  });
  lab.snowflake.createUser({ name: 'SVC', roles: ['ACCOUNTADMIN'], defaultWarehouse: 'COMPUTE_WH' });
  lab.snowflake.createDatabase('LAB');
  const connection = {
    account: 'MYORG-MYACCOUNT',
    user: 'SVC',
    token: lab.snowflake.addProgrammaticAccessToken('SVC'),
  };
  const secretArn = lab.secrets.putSecret(options.secretName, connection).arn;
  const settings = parseConnectionSecret(JSON.stringify(connection), 'test');
  const client = new SqlApiClient(settings, authenticatorFor(settings), {
    endpointOverride: lab.snowflake.endpoint,
  });
  return { lab, template: loadTemplate(options.templatePath), secretArn, client };
}

/** Calls `call` every 100 ms until stopped: every answer, or the error's text in its place. */
export function callsUntilStopped(call: () => Promise<unknown>): { stop(): Promise<string[]> } {
  let running = true;
  const answers: string[] = [];
  const loop = (async () => {
    while (running) {
      try {
        answers.push(String(await call()));
      } catch (error) {
        answers.push(String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return answers;
    },
  };
}

/** Integrations (sorted) and external functions with their integration, as Snowflake's catalog holds them. */
export function catalogOf(lab: Lab): { integrations: string[]; functions: Array<[string, string]> } {
  return {
    integrations: lab.snowflake
      .integrations()
      .map((i) => i.name)
      .sort(),
    functions: lab.snowflake.functions().map((f) => [f.name, f.integration]),
  };
}

/** The external ids the link's statement (Sid SnowflakeTrustLink) trusts on a role, as a list. */
export function trustedIdsOn(lab: Lab, roleName: string | undefined): unknown[] | undefined {
  const policy = roleName ? (lab.iam.trustPolicy(roleName) as TrustPolicy | undefined) : undefined;
  const statement = policy
    ? [policy.Statement].flat().find((s) => s?.Sid === 'SnowflakeTrustLink')
    : undefined;
  const ids = statement?.Condition?.StringEquals?.['sts:ExternalId'];
  // IAM keeps one id as a string.
  return ids === undefined ? undefined : [ids].flat();
}
