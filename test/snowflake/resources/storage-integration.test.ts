import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { identifier, sql } from '../../../handler/snowflake/client/sql';
import {
  createIntegration,
  deleteIntegration,
  IntegrationExistsError,
  updateIntegration,
} from '../../../handler/snowflake/resources/integration';
import { InvalidPropertiesError } from '../../../handler/snowflake/resources/properties';
import { storageIntegration } from '../../../handler/snowflake/resources/storage-integration';
import { invocationFor, ROLE_ARN, type SnowflakeLab, startSnowflakeLab } from './lab';

let lab: SnowflakeLab;

const PROPERTIES = {
  Connection: 'snowflake/connection',
  IntegrationName: 'stage_integration',
  RoleArn: ROLE_ARN,
  AllowedLocations: ['s3://my-bucket/snowflake/'],
};

beforeAll(async () => {
  lab = await startSnowflakeLab();
});

afterAll(async () => {
  await lab.close();
});

beforeEach(async () => {
  const client = await lab.connect({ secretId: 'x' }, new AbortController().signal);
  for (const { name } of lab.snowflake.integrations()) {
    await client.execute(sql`DROP INTEGRATION IF EXISTS ${identifier(`"${name}"`)}`);
  }
});

describe('Custom::SnowflakeStorageIntegration', () => {
  it('creates an S3 storage integration and answers its IAM user and external id', async () => {
    const outcome = await createIntegration(storageIntegration, PROPERTIES, invocationFor(lab, 'Storage'));

    const stored = lab.snowflake.integration('STAGE_INTEGRATION');
    expect(stored?.category).toBe('STORAGE');
    expect(stored?.values.get('STORAGE_ALLOWED_LOCATIONS')).toEqual(['s3://my-bucket/snowflake/']);
    expect(outcome.data).toMatchObject({
      IamUserArn: lab.snowflake.iamUserArn,
      ExternalId: stored?.externalId,
    });
  });

  it('refuses an API integration of the same name as taken by another kind', async () => {
    const client = await lab.connect({ secretId: 'x' }, new AbortController().signal);
    await client.execute(
      sql`CREATE API INTEGRATION "STAGE_INTEGRATION" API_PROVIDER = aws_api_gateway API_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/x' API_ALLOWED_PREFIXES = ('https://x/') ENABLED = TRUE`,
    );

    const creating = createIntegration(
      storageIntegration,
      { ...PROPERTIES, Adopt: 'false' },
      invocationFor(lab, 'Storage'),
    );

    await expect(creating).rejects.toThrow(IntegrationExistsError);
    await expect(creating).rejects.toThrow(/\(another kind of integration\)/);
  });

  it('alters the locations in place, then drops what it made', async () => {
    const invocation = invocationFor(lab, 'Storage');
    const created = await createIntegration(storageIntegration, PROPERTIES, invocation);
    const next = { ...PROPERTIES, BlockedLocations: ['s3://my-bucket/snowflake/private/'], Comment: 'stage' };

    const updated = await updateIntegration(
      storageIntegration,
      next,
      PROPERTIES,
      created.physicalResourceId,
      invocation,
    );
    const blocked = lab.snowflake.integration('STAGE_INTEGRATION')?.values.get('STORAGE_BLOCKED_LOCATIONS');
    await deleteIntegration(storageIntegration, next, updated.physicalResourceId, invocation);

    expect(updated.data?.ExternalId).toBe(created.data?.ExternalId);
    expect(blocked).toEqual(['s3://my-bucket/snowflake/private/']);
    expect(lab.snowflake.integrations()).toEqual([]);
  });

  it.each([
    [['s3://my-bucket/snowflake/'], 'S3'],
    [['s3gov://my-bucket/snowflake/'], 'S3GOV'],
    [['s3china://my-bucket/snowflake/'], 'S3CHINA'],
  ])(
    'creates %j with STORAGE_PROVIDER %s, quoted as documented, and no blocked list',
    async (locations, provider) => {
      await createIntegration(
        storageIntegration,
        { ...PROPERTIES, AllowedLocations: locations },
        invocationFor(lab, 'Storage'),
      );

      const created = lab.snowflake.executions.at(-2)?.statement ?? '';
      expect(created).toContain(`STORAGE_PROVIDER = '${provider}' `);
      expect(created).not.toContain('STORAGE_BLOCKED_LOCATIONS');
      expect(lab.snowflake.integration('STAGE_INTEGRATION')?.values.get('STORAGE_PROVIDER')).toBe(provider);
    },
  );

  it('unsets the blocked locations when an update empties them', async () => {
    const invocation = invocationFor(lab, 'Storage');
    const blocked = { ...PROPERTIES, BlockedLocations: ['s3://my-bucket/snowflake/private/'] };
    const created = await createIntegration(storageIntegration, blocked, invocation);
    const from = lab.snowflake.executions.length;

    const updated = await updateIntegration(
      storageIntegration,
      PROPERTIES,
      blocked,
      created.physicalResourceId,
      invocation,
    );

    const ran = lab.snowflake.executions.slice(from).map((e) => e.statement);
    expect(ran).toContain('ALTER STORAGE INTEGRATION "STAGE_INTEGRATION" UNSET STORAGE_BLOCKED_LOCATIONS');
    expect(ran.some((s) => s.includes('STORAGE_BLOCKED_LOCATIONS = ('))).toBe(false);
    expect(lab.snowflake.integration('STAGE_INTEGRATION')?.values.has('STORAGE_BLOCKED_LOCATIONS')).toBe(
      false,
    );
    expect(updated.data?.ExternalId).toBe(created.data?.ExternalId);
  });

  it.each([
    [{ AllowedLocations: ['https://my-bucket/'] }, /must be an S3 URL/],
    [{ RoleArn: undefined }, /RoleArn is required/],
  ])('refuses %o', async (change, reason) => {
    const creating = createIntegration(
      storageIntegration,
      { ...PROPERTIES, ...change },
      invocationFor(lab, 'Storage'),
    );

    await expect(creating).rejects.toThrow(InvalidPropertiesError);
    await expect(creating).rejects.toThrow(reason);
  });
});
