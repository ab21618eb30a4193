// A user's CDK app (its own Snowflake role, echo Lambda and REST API, no part of this repository's examples)
// synthesized with the construct library and deployed through the lab's CloudFormation stand-in: create
// (ending with a verified external function), rotate, delete. After each, both sides are checked: Snowflake's
// catalog and the role's trust. The functions run the assets the synthesis staged, as Lambda would.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyBundles } from '../../cdk/scripts/assets';
import { SnowflakeApiIntegration, SnowflakeConnection, SnowflakeExternalFunction } from '../../cdk/src';
import { sql, stringLiteral } from '../../handler/snowflake/client/sql';
import type { SqlApiClient } from '../../handler/snowflake/client/sql-api';
import {
  type Lab,
  type Stack as LabStack,
  type LambdaFunctionConfig,
  loadTemplate,
  mayAssumeRole,
  type Template,
} from '../../lab';
import { requestLines } from './harness';
import { callsUntilStopped, catalogOf, startOneDeployLab, trustedIdsOn } from './one-deploy-lab';

const BUNDLES = ['dist/snowflake/index.mjs', 'dist/trust-link/index.mjs', 'dist/echo/index.mjs'];
const INTEGRATION = 'CDK_ECHO_API';

/** The user's stack: what someone with a gateway and a CDK app writes. */
class GatewayStack extends Stack {
  constructor(scope: App, id: string, rotation: string | undefined) {
    super(scope, id, { env: { account: '123456789012', region: 'us-east-1' } });
    // The connection secret is made outside the stack (docs/snowflake-setup.md); its ARN is a parameter.
    const secretArn = new CfnParameter(this, 'ConnectionArn', { type: 'String' });
    const role = new iam.Role(this, 'SnowflakeRole', { assumedBy: new iam.AccountRootPrincipal() });
    const echo = new lambda.Function(this, 'EchoHandler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset('dist/echo'),
    });
    const api = new apigateway.RestApi(this, 'Api', {
      cloudWatchRole: false,
      deployOptions: { stageName: 'prod' },
    });
    api.root.addResource('echo').addMethod('POST', new apigateway.LambdaIntegration(echo), {
      authorizationType: apigateway.AuthorizationType.IAM,
    });

    const connection = SnowflakeConnection.fromSecret(
      secretsmanager.Secret.fromSecretCompleteArn(this, 'Connection', secretArn.valueAsString),
    );
    const integration = new SnowflakeApiIntegration(this, 'Integration', {
      connection,
      integrationName: 'cdk_echo_api',
      role,
      allowedPrefixes: [api.url],
      ...(rotation ? { rotation } : {}),
    });
    const fn = new SnowflakeExternalFunction(this, 'Echo', {
      connection,
      database: 'LAB',
      schema: 'PUBLIC',
      functionName: 'cdk_echo',
      arguments: 'value VARIANT',
      integration,
      url: `${api.url}echo`,
      verify: "'hello'",
    });
    // As docs/cdk.md shows: the API is deployed before the deploy-time call.
    fn.node.addDependency(api);
  }
}

let folder: string;
let lab: Lab;
let client: SqlApiClient;
let secretArn: string;

/** Synthesizes the app (rotation from context, as `cdk deploy -c rotation=r2` would) into a template file. */
function synth(rotation?: string): { template: Template; assemblyDir: string } {
  const outdir = mkdtempSync(join(folder, 'cdk.out-'));
  const app = new App({ outdir, context: rotation ? { rotation } : {} });
  const stack = new GatewayStack(app, 'Gateway', app.node.tryGetContext('rotation'));
  const assembly = app.synth();
  const file = join(outdir, 'template.json');
  writeFileSync(file, JSON.stringify(assembly.getStackArtifact(stack.artifactId).template));
  return { template: loadTemplate(file), assemblyDir: assembly.directory };
}

/**
 * Where each function's code is, as the stand-in runs it: the asset folder the synthesis staged for its
 * Code.S3Key; and its asynchronous retries, from the AWS::Lambda::EventInvokeConfig that names it.
 */
function functionsOf(template: Template, assemblyDir: string): Record<string, Partial<LambdaFunctionConfig>> {
  const functions: Record<string, Partial<LambdaFunctionConfig>> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const key = (resource.Properties?.Code as { S3Key?: string } | undefined)?.S3Key ?? '';
    functions[id] = { modulePath: join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs') };
  }
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::EventInvokeConfig') continue;
    const properties = resource.Properties ?? {};
    const target = functions[(properties.FunctionName as { Ref: string }).Ref];
    if (target) target.asyncRetries = Number(properties.MaximumRetryAttempts);
  }
  return functions;
}

function logicalIdOf(template: Template, type: string, prefix: string): string {
  const id = Object.keys(template.Resources).find(
    (name) => name.startsWith(prefix) && template.Resources[name]?.Type === type,
  );
  if (id === undefined) throw new Error(`No ${type} ${prefix}… in the template.`);
  return id;
}

let first: { template: Template; assemblyDir: string };

beforeAll(async () => {
  copyBundles(process.cwd());
  folder = mkdtempSync(join(tmpdir(), 'cdk-e2e-'));
  first = synth();
  ({ lab, client, secretArn } = await startOneDeployLab({
    templatePath: join(first.assemblyDir, 'template.json'),
    bundles: BUNDLES,
    secretName: 'snowflake/cdk-connection',
    functions: functionsOf(first.template, first.assemblyDir),
  }));
  lab.iam.addKnownPrincipal(lab.snowflake.iamUserArn);
}, 120_000);

afterAll(async () => {
  await lab?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

async function callEcho(value = 'hello'): Promise<string | null | undefined> {
  const result = await client.execute(sql`SELECT "LAB"."PUBLIC"."CDK_ECHO"(${stringLiteral(value)})`);
  return result.rows[0]?.[0];
}

/** The external ids the link's statement trusts on the stack's Snowflake role. */
function trustedIdsIn(stack: LabStack): unknown[] | undefined {
  return trustedIdsOn(
    lab,
    stack.resource(logicalIdOf(first.template, 'AWS::IAM::Role', 'SnowflakeRole'))?.physicalId,
  );
}

function catalog() {
  return catalogOf(lab);
}

describe('a CDK app using snowflake-trust-link-cdk, deployed through the lab', () => {
  it('creates a verified external function in one deploy, rotates the external id, and deletes everything', async () => {
    const stack = lab.cfn.stack('cdk-gateway');
    const roleId = logicalIdOf(first.template, 'AWS::IAM::Role', 'SnowflakeRole');
    const trustedIds = () => trustedIdsIn(stack);

    // Create: the integration, the link from what it answered, then the function, proven by a call.
    const created = await stack.create(first.template, { ConnectionArn: secretArn });

    expect(created.events.filter((e) => e.reason).map((e) => `${e.logicalResourceId}: ${e.reason}`)).toEqual(
      [],
    );
    expect(created.status).toBe('CREATE_COMPLETE');
    const initial = lab.snowflake.integration(INTEGRATION)?.externalId;
    expect(catalog()).toEqual({ integrations: [INTEGRATION], functions: [['CDK_ECHO', INTEGRATION]] });
    expect(trustedIds()).toEqual([initial]);
    const fnId = logicalIdOf(first.template, 'Custom::SnowflakeExternalFunction', 'Echo');
    expect(stack.resource(fnId)?.attributes).toMatchObject({
      FunctionName: 'LAB.PUBLIC.CDK_ECHO',
      VerifyResult: '"hello"',
    });
    expect(await callEcho()).toBe('"hello"');
    const roleName = stack.resource(roleId)?.physicalId ?? '';

    // Rotate: a new synthesis with a rotation; the link trusts both ids while the function moves over, and
    // the revocation replaced by the rotation takes the old one back in the cleanup.
    const rotated = synth('r2');
    const stream = callsUntilStopped(() => callEcho('x'));
    const update = await stack.update({ template: rotated.template });
    const answers = await stream.stop();

    expect(update.events.filter((e) => e.reason).map((e) => `${e.logicalResourceId}: ${e.reason}`)).toEqual(
      [],
    );
    expect(update.status).toBe('UPDATE_COMPLETE');
    const second = lab.snowflake.integration(`${INTEGRATION}_R2`)?.externalId;
    expect(second).toBeDefined();
    expect(second).not.toBe(initial);
    expect(catalog()).toEqual({
      integrations: [`${INTEGRATION}_R2`],
      functions: [['CDK_ECHO', `${INTEGRATION}_R2`]],
    });
    // Any integration of the account may present a retired id (STORAGE_AWS_EXTERNAL_ID): it is revoked.
    expect(trustedIds()).toEqual([second]);
    const snowflakeAssumes = (externalId: string | undefined) =>
      mayAssumeRole(lab.iam, {
        principalArn: lab.snowflake.iamUserArn,
        roleArn: lab.iam.role(roleName)?.arn ?? '',
        externalId: externalId ?? '',
      }).allowed;
    expect(snowflakeAssumes(initial)).toBe(false);
    expect(snowflakeAssumes(second)).toBe(true);
    const revocationId = logicalIdOf(rotated.template, 'Custom::SnowflakeTrustLinkRevocation', 'Integration');
    // Replaced: an Update to the new id, then the cleanup's Delete of the old one, which revoked it.
    expect(requestLines(update.requests).filter((line) => line.includes(revocationId))).toEqual([
      `Update ${revocationId} SUCCESS`,
      `Delete ${revocationId} SUCCESS`,
    ]);
    // Calls made all through the rotation were answered.
    expect(answers.filter((answer) => answer !== '"x"')).toEqual([]);
    expect(answers.length).toBeGreaterThan(3);
    expect(await callEcho('after rotation')).toBe('"after rotation"');

    // Delete: nothing left in Snowflake, the link gone with the role, the lease table removed.
    const deleted = await stack.delete();

    expect(deleted.status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [], functions: [] });
    expect(lab.iam.role(roleName)).toBeUndefined();
    await lab.cfn.settled();
    expect(lab.cfn.violations).toEqual([]);
  }, 240_000);

  it("updates the functions in place when a new version ships new code: each link's ServiceToken stays", async () => {
    const stack = lab.cfn.stack('cdk-upgrade');
    await stack.create(first.template, { ConnectionArn: secretArn });
    const linkId = logicalIdOf(first.template, 'Custom::SnowflakeTrustLink', 'IntegrationLink');
    const before = stack.resource(linkId);
    // The next version: the same synthesis with other bundles (a new asset hash for every function).
    const next = structuredClone(first.template);
    for (const resource of Object.values(next.Resources)) {
      if (resource.Type === 'AWS::Lambda::Function' && resource.Properties)
        resource.Properties.Code = {
          ...(resource.Properties.Code as object),
          S3Key: `${'f'.repeat(64)}.zip`,
        };
    }

    const upgraded = await stack.update({ template: next });

    expect(upgraded.events.filter((e) => e.reason).map((e) => `${e.logicalResourceId}: ${e.reason}`)).toEqual(
      [],
    );
    expect(upgraded.status).toBe('UPDATE_COMPLETE');
    expect(stack.resource(linkId)?.physicalId).toBe(before?.physicalId);
    expect(stack.resource(linkId)?.properties.ServiceToken).toBe(before?.properties.ServiceToken);
    expect(await callEcho()).toBe('"hello"');
    // And the upgraded functions serve the next change: a rotation.
    const rotated = await stack.update({ template: synth('r3').template });
    expect(rotated.status).toBe('UPDATE_COMPLETE');
    expect(catalog().integrations).toEqual([`${INTEGRATION}_R3`]);
    expect(trustedIdsIn(stack)).toEqual([lab.snowflake.integration(`${INTEGRATION}_R3`)?.externalId]);
    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [], functions: [] });
  }, 240_000);

  it('serves only its own stack: another stack borrowing the Snowflake function makes nothing in Snowflake', async () => {
    const stack = lab.cfn.stack('cdk-owner');
    await stack.create(first.template, { ConnectionArn: secretArn });
    const integrationId = logicalIdOf(first.template, 'Custom::SnowflakeApiIntegration', 'Integration');
    const before = catalog();

    const borrowed = await lab.cfn.stack('cdk-borrower').create({
      Resources: {
        Borrowed: {
          Type: 'Custom::SnowflakeApiIntegration',
          Properties: {
            ServiceToken: stack.resource(integrationId)?.properties.ServiceToken,
            ServiceTimeout: 300,
            Connection: secretArn,
            IntegrationName: 'borrowed_api',
            ApiProvider: 'aws_api_gateway',
            RoleArn: stack.resource(logicalIdOf(first.template, 'AWS::IAM::Role', 'SnowflakeRole'))
              ?.attributes.Arn,
            AllowedPrefixes: ['https://example.execute-api.us-east-1.amazonaws.com/prod/'],
          },
        },
      },
    });

    expect(borrowed.status).toBe('ROLLBACK_COMPLETE');
    expect(borrowed.requests[0]?.reason).toContain('creates objects for that stack only');
    expect(catalog()).toEqual(before);
    expect((await stack.delete()).status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual({ integrations: [], functions: [] });
  }, 120_000);
});
