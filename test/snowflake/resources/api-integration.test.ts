import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { identifier, sql, stringLiteral } from '../../../handler/snowflake/client/sql';
import type { SqlApiClient } from '../../../handler/snowflake/client/sql-api';
import { apiIntegration } from '../../../handler/snowflake/resources/api-integration';
import {
  createIntegration,
  deleteIntegration,
  IntegrationChangedError,
  IntegrationExistsError,
  updateIntegration,
} from '../../../handler/snowflake/resources/integration';
import { ForeignStackError } from '../../../handler/snowflake/resources/ownership';
import { InvalidPropertiesError } from '../../../handler/snowflake/resources/properties';
import { ObjectHiddenError } from '../../../handler/snowflake/resources/session';
import {
  API_URL,
  connectAs,
  FAILED_CREATE,
  invocationFor,
  ROLE_ARN,
  type SnowflakeLab,
  STACK_ID,
  startSnowflakeLab,
} from './lab';

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
    expect(outcome.physicalResourceId).toMatch(
      /^SnowflakeApiIntegration:[a-f0-9]{12}\+SVC\/ACCOUNTADMIN:ECHO_API$/,
    );
    expect(outcome.data).toEqual({
      IntegrationName: 'ECHO_API',
      IamUserArn: lab.snowflake.iamUserArn,
      ExternalId: stored?.externalId,
      TrustedExternalIds: stored?.externalId,
    });
    expect(stored?.values.get('API_AWS_ROLE_ARN')).toBe(ROLE_ARN);
    expect(stored?.values.get('COMMENT')).toMatch(
      new RegExp(
        `^echo \\[CloudFormation one-deploy/ApiIntegration [a-f0-9]{12} stack=${STACK_ID} by=SVC/ACCOUNTADMIN\\]$`,
      ),
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

  it('refuses a new ApiProvider under the same name, which only a replace could make, and changes nothing', async () => {
    const invocation = invocationFor(lab, 'ApiIntegration');
    const created = await createIntegration(apiIntegration, PROPERTIES, invocation);
    const executed = lab.snowflake.executions.length;
    const next = { ...PROPERTIES, ApiProvider: 'aws_private_api_gateway' };

    const updating = updateIntegration(
      apiIntegration,
      next,
      PROPERTIES,
      created.physicalResourceId,
      invocation,
    );

    await expect(updating).rejects.toThrow(IntegrationChangedError);
    await expect(updating).rejects.toThrow(/cannot change in place.*Rotation/);
    expect(lab.snowflake.executions.length).toBe(executed);
    expect(lab.snowflake.integration('ECHO_API')?.externalId).toBe(created.data?.ExternalId);
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
    ['dropped', /does not exist or is not authorized.*Rotation/],
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

  it('alters its own leftover of an earlier failed create, never replacing it: the external id stays', async () => {
    const leftover = await createIntegration(
      apiIntegration,
      PROPERTIES,
      invocationFor(lab, 'ApiIntegration'),
    );
    const from = lab.snowflake.executions.length;

    const outcome = await createIntegration(apiIntegration, PROPERTIES, invocationFor(lab, 'ApiIntegration'));
    // The leftover's id, sent by CloudFormation's Delete after the retry, names a token no longer there.
    await deleteIntegration(
      apiIntegration,
      PROPERTIES,
      leftover.physicalResourceId,
      invocationFor(lab, 'ApiIntegration'),
    );

    const sent = lab.snowflake.executions.slice(from).map((e) => e.statement);
    expect(sent.some((text) => /^ALTER API INTEGRATION/.test(text))).toBe(true);
    expect(sent.filter((text) => /CREATE|DROP/.test(text))).toEqual([]);
    expect(outcome.physicalResourceId).not.toBe(leftover.physicalResourceId);
    expect(outcome.data?.ExternalId).toBe(leftover.data?.ExternalId);
    expect(lab.snowflake.integration('ECHO_API')).toBeDefined();
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

describe('Custom::SnowflakeApiIntegration: whose integration it is', () => {
  beforeEach(dropAll);

  const MARKER_01 = '[CloudFormation one-deploy/ApiIntegration 0123456789ab]';
  const OTHER_STACK =
    'arn:aws:cloudformation:eu-west-1:210987654321:stack/one-deploy/0a0a0a0a-9999-8888-7777-666655554444';

  // An integration as 0.1 made it: its marker names the stack by name only.
  async function createdBy01(): Promise<void> {
    const client = await lab.connect({ secretId: 'x' }, new AbortController().signal);
    await client.execute(
      sql`CREATE API INTEGRATION ECHO_API API_PROVIDER = aws_api_gateway API_AWS_ROLE_ARN = ${stringLiteral(ROLE_ARN)} API_ALLOWED_PREFIXES = (${stringLiteral(API_URL)}) ENABLED = TRUE COMMENT = ${stringLiteral(MARKER_01)}`,
    );
  }

  it('refuses one made by a stack of the same name in another account and region, naming it, unless Adopt', async () => {
    const theirs = await createIntegration(
      apiIntegration,
      PROPERTIES,
      invocationFor(lab, 'ApiIntegration', { owner: { stackId: OTHER_STACK, logicalId: 'ApiIntegration' } }),
    );
    const executed = lab.snowflake.executions.length;

    const creating = createIntegration(apiIntegration, PROPERTIES, invocationFor(lab, 'ApiIntegration'));

    await expect(creating).rejects.toThrow(IntegrationExistsError);
    await expect(creating).rejects.toThrow(
      /made by stack "one-deploy" in account 210987654321, region eu-west-1 \(resource ApiIntegration/,
    );
    const sent = lab.snowflake.executions.slice(executed).map((e) => e.statement);
    expect(sent.filter((text) => !/^DESCRIBE/.test(text))).toEqual([]);
    expect(lab.snowflake.integration('ECHO_API')?.externalId).toBe(theirs.data?.ExternalId);

    const adopted = await createIntegration(
      apiIntegration,
      { ...PROPERTIES, Adopt: 'true' },
      invocationFor(lab, 'ApiIntegration'),
    );
    expect(adopted.physicalResourceId).toBe('SnowflakeApiIntegration:adopted:ECHO_API');
    expect(adopted.data?.ExternalId).toBe(theirs.data?.ExternalId);
  });

  it("refuses on Create an integration with 0.1's marker, even one naming this stack's name", async () => {
    await createdBy01();

    const creating = createIntegration(apiIntegration, PROPERTIES, invocationFor(lab, 'ApiIntegration'));

    await expect(creating).rejects.toThrow(/a stack named "one-deploy".*recorded no stack id.*Adopt: true/);
    expect(lab.snowflake.integration('ECHO_API')?.values.get('COMMENT')).toBe(
      '[CloudFormation one-deploy/ApiIntegration 0123456789ab]',
    );
  });

  it('updates and deletes through a 0.1 id whose token the marker holds, rewriting the marker with the stack id', async () => {
    await createdBy01();
    const oldId = 'SnowflakeApiIntegration:0123456789ab:ECHO_API';
    const invocation = invocationFor(lab, 'ApiIntegration');
    const next = { ...PROPERTIES, Enabled: 'false' };

    const updated = await updateIntegration(apiIntegration, next, PROPERTIES, oldId, invocation);

    expect(updated.physicalResourceId).toBe(oldId);
    expect(lab.snowflake.integration('ECHO_API')?.values.get('COMMENT')).toBe(
      `[CloudFormation one-deploy/ApiIntegration 0123456789ab stack=${STACK_ID}]`,
    );
    await deleteIntegration(apiIntegration, next, oldId, invocation);
    expect(lab.snowflake.integration('ECHO_API')).toBeUndefined();
  });

  it('reads 002003 on Delete as gone when the connection is still the maker', async () => {
    const invocation = invocationFor(lab, 'ApiIntegration');
    const created = await createIntegration(apiIntegration, PROPERTIES, invocation);
    await dropAll();

    const deleted = await deleteIntegration(
      apiIntegration,
      PROPERTIES,
      created.physicalResourceId,
      invocation,
    );

    expect(deleted.physicalResourceId).toBe(created.physicalResourceId);
  });

  it('reads a DROP answering 002003 (dropped since its DESCRIBE) as gone for the maker', async () => {
    const invocation = invocationFor(lab, 'ApiIntegration');
    const created = await createIntegration(apiIntegration, PROPERTIES, invocation);
    // Someone drops it between the Delete's DESCRIBE and its DROP.
    const racing = invocationFor(lab, 'ApiIntegration', {
      connect: async (source, signal) => {
        const client = await lab.connect(source, signal);
        const execute = client.execute.bind(client);
        client.execute = async (statement, options) => {
          if (statement.text.startsWith('DROP')) await dropAll();
          return execute(statement, options);
        };
        return client;
      },
    });

    await expect(
      deleteIntegration(apiIntegration, PROPERTIES, created.physicalResourceId, racing),
    ).resolves.toEqual({ physicalResourceId: created.physicalResourceId });
    expect(lab.snowflake.integration('ECHO_API')).toBeUndefined();
  });

  it('fails the Delete naming both identities when the connection signs in as another user and role', async () => {
    const created = await createIntegration(apiIntegration, PROPERTIES, invocationFor(lab, 'ApiIntegration'));
    const elsewhere = invocationFor(lab, 'ApiIntegration', {
      connect: connectAs(lab, 'NEW_SVC', 'NEW_ROLE'),
    });

    const deleting = deleteIntegration(apiIntegration, PROPERTIES, created.physicalResourceId, elsewhere);

    await expect(deleting).rejects.toThrow(ObjectHiddenError);
    await expect(deleting).rejects.toThrow(
      /API integration ECHO_API does not exist or is not authorized \(002003\)\. This connection signs in as user NEW_SVC with role NEW_ROLE, and the API integration ECHO_API was made by user SVC with role ACCOUNTADMIN.*--retain-resources ApiIntegration/,
    );
    expect(lab.snowflake.integration('ECHO_API')).toBeDefined();
  });

  it('fails the Delete of a 0.1 id on 002003: no maker was recorded, so hidden cannot be told from gone', async () => {
    const hidden = invocationFor(lab, 'ApiIntegration', { connect: connectAs(lab, 'NEW_SVC', 'NEW_ROLE') });

    const deleting = deleteIntegration(
      apiIntegration,
      PROPERTIES,
      'SnowflakeApiIntegration:0123456789ab:ECHO_API',
      hidden,
    );

    await expect(deleting).rejects.toThrow(
      /earlier version of this function, which did not record its user and role/,
    );
  });

  it('refuses to create for a stack other than the one it serves, before any statement, and still deletes', async () => {
    const created = await createIntegration(apiIntegration, PROPERTIES, invocationFor(lab, 'ApiIntegration'));
    const executed = lab.snowflake.executions.length;
    const borrowed = invocationFor(lab, 'ApiIntegration', { servedStackId: OTHER_STACK });

    const creating = createIntegration(apiIntegration, { ...PROPERTIES, IntegrationName: 'other' }, borrowed);

    await expect(creating).rejects.toThrow(ForeignStackError);
    await expect(creating).rejects.toThrow(
      /belongs to stack "one-deploy".*Deploy the Snowflake function in stack/,
    );
    expect(lab.snowflake.executions.length).toBe(executed);
    await deleteIntegration(apiIntegration, PROPERTIES, created.physicalResourceId, borrowed);
    expect(lab.snowflake.integration('ECHO_API')).toBeUndefined();
  });
});
