// The one-deploy flow, as a person with a Snowflake service user lives it: prepare the user and the secret,
// deploy once (the stack creates the integration, links the role, creates the function and calls it),
// rotate the external id while calls keep coming, delete. Each step checks both sides: Snowflake's catalog
// and the role's trust.
import type { Lab, Stack, StackOperationResult, Template } from '../../lab';
import type { Narrator, TrustSnapshot } from './narrator';

/** What the story runs on. */
export interface OneDeployScene {
  lab: Lab;
  stack: Stack;
  template: Template;
  narrator: Narrator;
}

interface Session {
  scene: OneDeployScene;
  /** The service user's token, for the calls a person makes in a worksheet. */
  token: string;
  secretArn: string;
}

/** Runs the one-deploy steps in order; failed checks are in the narrator's problems. */
export async function tellOneDeployStory(scene: OneDeployScene): Promise<void> {
  const session = prepareSnowflake(scene);
  await deployOnce(session);
  await rotate(session);
  await deleteAll(session);
}

// The service user, its token and the secret, as docs/snowflake-setup.md prepares them.
function prepareSnowflake(scene: OneDeployScene): Session {
  const { lab, narrator } = scene;
  narrator.step('8. Prepare a Snowflake service user and its secret (docs/snowflake-setup.md)', [
    'sql> CREATE USER TRUST_LINK_SVC TYPE = SERVICE DEFAULT_ROLE = TRUST_LINK_ROLE DEFAULT_WAREHOUSE = TRUST_LINK_WH ...;',
    "sql> ALTER USER TRUST_LINK_SVC ADD PROGRAMMATIC ACCESS TOKEN CLOUDFORMATION ROLE_RESTRICTION = 'TRUST_LINK_ROLE';",
    '$ aws secretsmanager create-secret --name snowflake/trust-link --secret-string \'{"account": "MYORG-MYACCOUNT", "user": "TRUST_LINK_SVC", "token": "…"}\'',
  ]);
  lab.snowflake.createUser({
    name: 'TRUST_LINK_SVC',
    roles: ['ACCOUNTADMIN'],
    defaultWarehouse: 'COMPUTE_WH',
  });
  lab.snowflake.createDatabase('LAB');
  const token = lab.snowflake.addProgrammaticAccessToken('TRUST_LINK_SVC');
  const connection = { account: 'MYORG-MYACCOUNT', user: 'TRUST_LINK_SVC', token };
  const secretArn = lab.secrets.putSecret('snowflake/trust-link', connection).arn;
  narrator.verdict(
    `the secret ${secretArn} holds the user's connection; the function may read it and nothing else`,
  );
  return { scene, token, secretArn };
}

async function deployOnce(session: Session): Promise<void> {
  const { scene, secretArn } = session;
  const { stack, narrator, template } = scene;
  narrator.step('9. One sam deploy: integration, link, external function, and a call that proves it', [
    `$ sam deploy --stack-name ${stack.stackName} --parameter-overrides SnowflakeConnection=${secretArn} SnowflakeDatabase=LAB`,
  ]);
  const before = trustOf(scene);
  const result = await stack.create(template, { SnowflakeConnection: secretArn, SnowflakeDatabase: 'LAB' });
  narrator.responses(result);
  expectStatus(narrator, result, 'CREATE_COMPLETE');
  narrator.trustChanges(before, trustOf(scene));
  const integration = scene.lab.snowflake.integration('ECHO_API_INTEGRATION');
  narrator.check(integration !== undefined, 'Snowflake has ECHO_API_INTEGRATION, made by the stack');
  narrator.check(
    trustedIds(scene).includes(integration?.externalId ?? '-'),
    "the role trusts the integration's external id",
  );
  const answer = await callEcho(session, 'hello');
  narrator.check(answer === '"hello"', `sql> SELECT echo('hello') answers "hello" (got ${answer})`);
  narrator.verdict(
    `CREATE_COMPLETE only after Snowflake called the API; sql> SELECT echo('hello') -> ${answer}`,
  );
}

async function rotate(session: Session): Promise<void> {
  const { scene } = session;
  const { stack, narrator } = scene;
  narrator.step('10. Rotate the external id with a stack update, while a stream of calls runs', [
    `$ sam deploy --stack-name ${stack.stackName} --parameter-overrides SnowflakeRotation=r2`,
    "sql> SELECT echo('x');  -- over and over, during the deploy",
  ]);
  const before = trustOf(scene);
  const stream = callStream(session);
  const result = await stack.update({ parameters: { SnowflakeRotation: 'r2' } });
  const answers = await stream.stop();
  narrator.responses(result);
  expectStatus(narrator, result, 'UPDATE_COMPLETE');
  narrator.trustChanges(before, trustOf(scene));
  const failed = answers.filter((answer) => answer !== '"x"');
  narrator.check(
    answers.length > 0 && failed.length === 0,
    `every call answered (${answers.length} calls, ${failed.length} failed${failed[0] ? `: ${failed[0]}` : ''})`,
  );
  const names = scene.lab.snowflake.integrations().map((i) => i.name);
  narrator.check(
    names.length === 1 && names[0] === 'ECHO_API_INTEGRATION_R2',
    `Snowflake has ECHO_API_INTEGRATION_R2 only (has ${names.join(', ')})`,
  );
  const newId = scene.lab.snowflake.integration('ECHO_API_INTEGRATION_R2')?.externalId;
  const ids = trustedIds(scene);
  narrator.check(
    ids.length === 1 && ids[0] === newId,
    `the role trusts the new external id alone (trusts ${ids.join(', ')})`,
  );
  narrator.verdict(
    `${answers.length} calls, none failed; the old integration is dropped and its id revoked at the deploy's cleanup`,
  );
}

async function deleteAll(session: Session): Promise<void> {
  const { scene } = session;
  const { stack, narrator, lab } = scene;
  narrator.step('11. Delete the stack: nothing left in Snowflake, the role gone', [
    `$ sam delete --stack-name ${stack.stackName}`,
  ]);
  const before = trustOf(scene);
  const result = await stack.delete();
  narrator.responses(result);
  expectStatus(narrator, result, 'DELETE_COMPLETE');
  narrator.trustChanges(before, trustOf(scene));
  const left = [
    ...lab.snowflake.integrations().map((i) => i.name),
    ...lab.snowflake.functions().map((f) => f.name),
  ];
  narrator.check(
    left.length === 0,
    `nothing the stack made is left in Snowflake${left.length ? ` (left: ${left.join(', ')})` : ''}`,
  );
  narrator.verdict("Snowflake's catalog is empty of what the stack made; the role and its trust are gone");
}

// SELECT LAB.PUBLIC.ECHO('<value>') through the SQL API, as a worksheet would: the answer, or Snowflake's message.
async function callEcho(session: Session, value: string): Promise<string> {
  const response = await fetch(new URL('/api/v2/statements', session.scene.lab.snowflake.endpoint), {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${session.token}`,
      'X-Snowflake-Authorization-Token-Type': 'PROGRAMMATIC_ACCESS_TOKEN',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ statement: `SELECT LAB.PUBLIC.ECHO('${value}')`, warehouse: 'COMPUTE_WH' }),
  });
  const body = (await response.json()) as { data?: string[][]; message?: string };
  return response.status === 200 ? String(body.data?.[0]?.[0]) : String(body.message);
}

function callStream(session: Session): { stop(): Promise<string[]> } {
  let running = true;
  const answers: string[] = [];
  const loop = (async () => {
    while (running) {
      answers.push(await callEcho(session, 'x'));
      await new Promise((resolve) => setTimeout(resolve, 50));
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

function trustOf(scene: OneDeployScene): TrustSnapshot {
  const roleName = scene.stack.resource('SnowflakeRole')?.physicalId;
  const policy = roleName ? scene.lab.iam.trustPolicy(roleName) : undefined;
  return new Map(roleName && policy ? [[roleName, policy]] : []);
}

function trustedIds(scene: OneDeployScene): string[] {
  const [policy] = trustOf(scene).values() as IterableIterator<{ Statement?: unknown }>;
  return JSON.stringify(policy ?? {}).match(/XY12345_SFCRole=[^"]+/g) ?? [];
}

function expectStatus(narrator: Narrator, result: StackOperationResult, status: string): void {
  const reasons = result.events.flatMap((e) =>
    e.reason === undefined ? [] : [`${e.logicalResourceId}: ${e.reason}`],
  );
  narrator.check(
    result.status === status,
    result.status === status
      ? `the stack operation ends ${status}`
      : `the stack operation ended ${result.status}, not ${status} (${reasons.join('; ')})`,
  );
}
