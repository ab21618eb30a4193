import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { identifier, sql } from '../../../handler/snowflake/client/sql';
import type { SqlApiClient } from '../../../handler/snowflake/client/sql-api';
import { apiIntegration } from '../../../handler/snowflake/resources/api-integration';
import {
  createIntegration,
  deleteIntegration,
  IntegrationChangedError,
  IntegrationExistsError,
  updateIntegration,
} from '../../../handler/snowflake/resources/integration';
import { InvalidPropertiesError } from '../../../handler/snowflake/resources/properties';
import { API_URL, FAILED_CREATE, invocationFor, ROLE_ARN, type SnowflakeLab, startSnowflakeLab } from './lab';

let lab: SnowflakeLab;

const PROPERTIES = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:snowflake',
  Connection: 'snowflake/connection',
  IntegrationName: 'echo_api',
  ApiProvider: 'aws_api_gateway',
  RoleArn: ROLE_ARN,
  AllowedPrefixes: [API_URL],
};

beforeAll(async () => {
  lab = await startSnowflakeLab();
});

afterAll(async () => {
  await lab.close();
});

async function dropAll(): Promise<void> {
  const client = await lab.connect({ secretId: 'x' }, new AbortController().signal);
  for (const { name } of lab.snowflake.integrations()) {
    await client.execute(sql`DROP INTEGRATION IF EXISTS ${identifier(`"${name}"`)}`);
  }
}

describe('Custom::SnowflakeApiIntegration', () => {
  beforeEach(dropAll);

  it('creates the integration with its marker and answers its IAM user, external id and name', async () => {
    const invocation = invocationFor(lab, 'ApiIntegration');

    const outcome = await createIntegration(apiIntegration, { ...PROPERTIES, Comment: 'echo' }, invocation);

    const stored = lab.snowflake.integration('ECHO_API');
    expect(outcome.physicalResourceId).toMatch(/^SnowflakeApiIntegration:[a-f0-9]{12}:ECHO_API$/);
    expect(outcome.data).toEqual({
      IntegrationName: 'ECHO_API',
      IamUserArn: lab.snowflake.iamUserArn,
      ExternalId: stored?.externalId,
      TrustedExternalIds: stored?.externalId,
    });
    expect(stored?.values.get('API_AWS_ROLE_ARN')).toBe(ROLE_ARN);
    expect(stored?.values.get('COMMENT')).toMatch(
      /^echo \[CloudFormation one-deploy\/ApiIntegration [a-f0-9]{12}\]$/,
    );
    expect(invocation.failedPhysicalId).toBe(outcome.physicalResourceId);
  });

  it('refuses an integration it did not create, naming it, and changes nothing', async () => {
    await createIntegration(apiIntegration, PROPERTIES, invocationFor(lab, 'Someone'));
    const before = lab.snowflake.integration('ECHO_API')?.externalId;
    const invocation = invocationFor(lab, 'ApiIntegration');

    const creating = createIntegration(apiIntegration, PROPERTIES, invocation);

    await expect(creating).rejects.toThrow(IntegrationExistsError);
    await expect(creating).rejects.toThrow(/An integration ECHO_API exists already.*Adopt: true/);
    expect(lab.snowflake.integration('ECHO_API')?.externalId).toBe(before);
    expect(invocation.failedPhysicalId).toBe(FAILED_CREATE);
  });

  it('adopts an existing integration when told to, alters it, and leaves it in place on Delete', async () => {
    await createIntegration(apiIntegration, PROPERTIES, invocationFor(lab, 'Someone'));
    const before = lab.snowflake.integration('ECHO_API')?.externalId;
    const invocation = invocationFor(lab, 'ApiIntegration');
    const adopting = { ...PROPERTIES, Adopt: 'true', Enabled: 'false' };

    const outcome = await createIntegration(apiIntegration, adopting, invocation);
    await deleteIntegration(apiIntegration, adopting, outcome.physicalResourceId, invocation);

    expect(outcome.physicalResourceId).toBe('SnowflakeApiIntegration:adopted:ECHO_API');
    expect(lab.snowflake.integration('ECHO_API')?.externalId).toBe(before);
    expect(lab.snowflake.integration('ECHO_API')?.values.get('ENABLED')).toBe('false');
  });

  it('alters in place, keeping the external id, when only alterable properties change', async () => {
    const invocation = invocationFor(lab, 'ApiIntegration');
    const created = await createIntegration(apiIntegration, PROPERTIES, invocation);
    const next = {
      ...PROPERTIES,
      AllowedPrefixes: [API_URL, `${API_URL}v2/`],
      BlockedPrefixes: [`${API_URL}admin/`],
    };

    const updated = await updateIntegration(
      apiIntegration,
      next,
      PROPERTIES,
      created.physicalResourceId,
      invocation,
    );

    const stored = lab.snowflake.integration('ECHO_API');
    expect(updated.physicalResourceId).toBe(created.physicalResourceId);
    expect(updated.data?.ExternalId).toBe(created.data?.ExternalId);
    expect(stored?.values.get('API_ALLOWED_PREFIXES')).toEqual([API_URL, `${API_URL}v2/`]);
    expect(stored?.values.get('API_BLOCKED_PREFIXES')).toEqual([`${API_URL}admin/`]);
  });

  it('creates without API_BLOCKED_PREFIXES when nothing is blocked, and unsets a list an update empties', async () => {
    const invocation = invocationFor(lab, 'ApiIntegration');
    const blocked = { ...PROPERTIES, BlockedPrefixes: [`${API_URL}admin/`] };
    const from = lab.snowflake.executions.length;
    const created = await createIntegration(apiIntegration, PROPERTIES, invocation);
    await updateIntegration(apiIntegration, blocked, PROPERTIES, created.physicalResourceId, invocation);

    await updateIntegration(apiIntegration, PROPERTIES, blocked, created.physicalResourceId, invocation);

    const ran = lab.snowflake.executions.slice(from).map((e) => e.statement);
    expect(ran.find((s) => s.startsWith('CREATE'))).not.toContain('API_BLOCKED_PREFIXES');
    expect(ran.some((s) => s.includes('API_BLOCKED_PREFIXES = ()'))).toBe(false);
    expect(ran.at(-2)).toBe('ALTER API INTEGRATION "ECHO_API" UNSET API_BLOCKED_PREFIXES');
    expect(lab.snowflake.integration('ECHO_API')?.values.has('API_BLOCKED_PREFIXES')).toBe(false);
  });

  it('replaces on a new Rotation: a new integration beside the old, both ids trusted until cleanup', async () => {
    const invocation = invocationFor(lab, 'ApiIntegration');
    const created = await createIntegration(apiIntegration, PROPERTIES, invocation);
    const rotated = { ...PROPERTIES, Rotation: '2' };

    const updated = await updateIntegration(
      apiIntegration,
      rotated,
      PROPERTIES,
      created.physicalResourceId,
      invocation,
    );
    await deleteIntegration(apiIntegration, PROPERTIES, created.physicalResourceId, invocation);

    const fresh = lab.snowflake.integration('ECHO_API_2');
    expect(updated.physicalResourceId).toMatch(/:ECHO_API_2$/);
    expect(updated.data?.TrustedExternalIds).toBe(`${fresh?.externalId},${created.data?.ExternalId}`);
    expect(lab.snowflake.integrations().map((i) => i.name)).toEqual(['ECHO_API_2']);
    expect(invocation.undo).toBeUndefined();
  });

  it('leaves an undo that drops the new integration when a replacement fails after creating it', async () => {
    const invocation = invocationFor(lab, 'ApiIntegration');
    const created = await createIntegration(apiIntegration, PROPERTIES, invocation);
    // The DESCRIBE that follows the CREATE fails: the answer is lost, the integration exists.
    const failing = invocationFor(lab, 'ApiIntegration', {
      connect: async (source, signal) => failAfterCreate(await lab.connect(source, signal)),
    });

    const updating = updateIntegration(
      apiIntegration,
      { ...PROPERTIES, Rotation: '3' },
      PROPERTIES,
      created.physicalResourceId,
      failing,
    );

    await expect(updating).rejects.toThrow(/network cut/);
    expect(lab.snowflake.integration('ECHO_API_3')).toBeDefined();
    await failing.undo?.(new AbortController().signal);
    expect(lab.snowflake.integrations().map((i) => i.name)).toEqual(['ECHO_API']);
  });

  it('reads a single prefix as a list and JSON booleans', async () => {
    const properties = { ...PROPERTIES, AllowedPrefixes: API_URL, Enabled: false };

    await createIntegration(apiIntegration, properties, invocationFor(lab, 'ApiIntegration'));

    expect(lab.snowflake.integration('ECHO_API')?.values.get('ENABLED')).toBe('false');
    expect(lab.snowflake.integration('ECHO_API')?.values.get('API_ALLOWED_PREFIXES')).toEqual([API_URL]);
  });

  it('gives a Rotation that is not a plain word a short hash as its name', async () => {
    const outcome = await createIntegration(
      apiIntegration,
      { ...PROPERTIES, Rotation: '2026-11-29 #1' },
      invocationFor(lab, 'ApiIntegration'),
    );

    expect(outcome.data?.IntegrationName).toMatch(/^ECHO_API_R[0-9A-F]{10}$/);
  });

  it('replaces in place under the same name on a new ApiProvider, and the old id then drops nothing', async () => {
    const invocation = invocationFor(lab, 'ApiIntegration');
    const created = await createIntegration(apiIntegration, PROPERTIES, invocation);
    const next = { ...PROPERTIES, ApiProvider: 'aws_private_api_gateway' };

    const updated = await updateIntegration(
      apiIntegration,
      next,
      PROPERTIES,
      created.physicalResourceId,
      invocation,
    );
    await deleteIntegration(apiIntegration, PROPERTIES, created.physicalResourceId, invocation);

    expect(updated.physicalResourceId).not.toBe(created.physicalResourceId);
    expect(lab.snowflake.integration('ECHO_API')?.values.get('API_PROVIDER')).toMatch(
      /^aws_private_api_gateway$/i,
    );
  });

  it('leaves an integration re-created by hand under its name on Delete', async () => {
    const invocation = invocationFor(lab, 'ApiIntegration');
    const created = await createIntegration(apiIntegration, PROPERTIES, invocation);
    await dropAll();
    await createIntegration(apiIntegration, PROPERTIES, invocationFor(lab, 'Someone'));

    await deleteIntegration(apiIntegration, PROPERTIES, created.physicalResourceId, invocation);

    expect(lab.snowflake.integration('ECHO_API')).toBeDefined();
  });

  it.each([
    ['dropped', /no longer exists.*Rotation/],
    ['re-created', /not the one this stack created/],
  ])('refuses to alter an integration %s outside CloudFormation', async (what, reason) => {
    const invocation = invocationFor(lab, 'ApiIntegration');
    const created = await createIntegration(apiIntegration, PROPERTIES, invocation);
    await dropAll();
    if (what === 're-created')
      await createIntegration(apiIntegration, PROPERTIES, invocationFor(lab, 'Someone'));

    const updating = updateIntegration(
      apiIntegration,
      { ...PROPERTIES, Enabled: 'false' },
      PROPERTIES,
      created.physicalResourceId,
      invocation,
    );

    await expect(updating).rejects.toThrow(IntegrationChangedError);
    await expect(updating).rejects.toThrow(reason);
  });

  it.each([FAILED_CREATE, 'SnowflakeApiIntegration:adopted:ECHO_API', 'something else'])(
    'drops nothing for the id %s',
    async (physicalId) => {
      await createIntegration(apiIntegration, PROPERTIES, invocationFor(lab, 'Someone'));
      const executed = lab.snowflake.executions.length;

      await deleteIntegration(apiIntegration, {}, physicalId, invocationFor(lab, 'ApiIntegration'));

      expect(lab.snowflake.executions.length).toBe(executed);
      expect(lab.snowflake.integration('ECHO_API')).toBeDefined();
    },
  );

  it('takes over its own leftover of an earlier failed create, with a new external id', async () => {
    const leftover = await createIntegration(
      apiIntegration,
      PROPERTIES,
      invocationFor(lab, 'ApiIntegration'),
    );

    const outcome = await createIntegration(apiIntegration, PROPERTIES, invocationFor(lab, 'ApiIntegration'));

    expect(outcome.physicalResourceId).not.toBe(leftover.physicalResourceId);
    expect(outcome.data?.ExternalId).not.toBe(leftover.data?.ExternalId);
  });

  it.each([
    [{ ApiProvider: 'aws_lambda' }, /ApiProvider "aws_lambda" is not one of/],
    [{ RoleArn: 'snowflake' }, /RoleArn "snowflake" is not an IAM role ARN/],
    [{ AllowedPrefixes: ['http://example.com/'] }, /must be an https:\/\/ URL/],
    [{ AllowedPrefixes: [] }, /AllowedPrefixes must hold at least one value/],
    [{ IntegrationName: 'echo;DROP' }, /not a plain Snowflake name/],
    [{ Enabled: 'yes' }, /Enabled must be true or false/],
    [{ Connection: undefined }, /Connection is required/],
    [{ Authentication: 'PASSWORD' }, /Authentication \(workload identity\) is no longer supported/],
    [
      { Authentication: 'WORKLOAD_IDENTITY', Connection: undefined, SnowflakeAccount: 'MYORG-X' },
      /no longer supported: Snowflake's SQL API documents no way.*Connection is required/,
    ],
    [{ rotation: '2' }, /Unknown property "rotation". Did you mean Rotation\?/],
    [{ IntegrationName: { name: 'x' } }, /IntegrationName must be a string, not a object/],
    [{ AllowedPrefixes: [1] }, /AllowedPrefixes must be a list of strings, not a list/],
    [{ AllowedPrefixes: [API_URL, ' '] }, /AllowedPrefixes has an empty item/],
    [{ Comment: "it's\u0000" }, /control character/],
  ])('refuses %o before sending anything', async (change, reason) => {
    const executed = lab.snowflake.executions.length;

    const creating = createIntegration(
      apiIntegration,
      { ...PROPERTIES, ...change },
      invocationFor(lab, 'ApiIntegration'),
    );

    await expect(creating).rejects.toThrow(InvalidPropertiesError);
    await expect(creating).rejects.toThrow(reason);
    expect(lab.snowflake.executions.length).toBe(executed);
  });
});

// A client whose first DESCRIBE after a CREATE fails, as if the network cut there once.
function failAfterCreate(client: SqlApiClient): SqlApiClient {
  let created = false;
  const execute = client.execute.bind(client);
  client.execute = async (statement, options) => {
    if (created && statement.text.startsWith('DESCRIBE')) {
      created = false;
      throw new Error('network cut');
    }
    const result = await execute(statement, options);
    if (statement.text.startsWith('CREATE')) created = true;
    return result;
  };
  return client;
}
