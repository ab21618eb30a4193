import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { handler as echo } from '../../handler/echo/index';
import { parseEvent } from '../../handler/framework/event';
import { linkPhysicalId } from '../../handler/trust-link/physical-id';
import { parseLinkProperties } from '../../handler/trust-link/properties';
import type { Json } from '../../scripts/template-check/template';
import { mainTemplate, propertiesOf, ROOT } from './fixtures';

function sampleEvent(file: string): Json {
  return JSON.parse(readFileSync(join(ROOT, 'events', file), 'utf8')) as Json;
}

const LINK_EVENTS = [
  ['create.json', 'Create'],
  ['update.json', 'Update'],
  ['delete.json', 'Delete'],
] as const;

describe('the sample events for sam local invoke', () => {
  it.each(LINK_EVENTS)('%s is a %s event for the SnowflakeTrustLink resource', (file, requestType) => {
    const event = sampleEvent(file);

    const parsed = parseEvent(event);

    expect(parsed.RequestType).toBe(requestType);
    expect(event.ResourceType).toBe('Custom::SnowflakeTrustLink');
    expect(event.LogicalResourceId).toBe('SnowflakeTrustLink');
  });

  it.each(LINK_EVENTS)(
    '%s carries the properties the template declares, as CloudFormation sends them',
    (file) => {
      const properties = sampleEvent(file).ResourceProperties as Json;
      const declared = Object.keys(propertiesOf(mainTemplate, 'SnowflakeTrustLink'));

      expect(Object.keys(properties).sort()).toEqual(declared.sort());
      expect(properties.ServiceTimeout).toBe('300');
      expect(Array.isArray(properties.SnowflakeExternalId)).toBe(true);
    },
  );

  it.each(LINK_EVENTS)('%s carries properties the handler accepts', (file) => {
    const event = sampleEvent(file);

    const spec = parseLinkProperties(event.ResourceProperties);

    expect(spec.roleName).toBe('snowflake-trust-link-SnowflakeRole-Q1w2E3r4T5y6');
    expect(spec.userArn).toBe('arn:aws:iam::123456789001:user/abc1-b-self1234');
  });

  it.each(LINK_EVENTS.slice(1))('%s names the physical id the Create answered with', (file) => {
    const event = sampleEvent(file);

    expect(event.PhysicalResourceId).toBe(
      linkPhysicalId('snowflake-trust-link-SnowflakeRole-Q1w2E3r4T5y6', 'SnowflakeTrustLink'),
    );
  });

  it('update.json rotates the external id: the old one alone, then old and new together', () => {
    const event = sampleEvent('update.json');

    const before = parseLinkProperties(event.OldResourceProperties).externalIds;
    const after = parseLinkProperties(event.ResourceProperties).externalIds;

    expect(after).toHaveLength(2);
    expect(after.slice(0, 1)).toEqual(before);
  });

  it('echo.json is a batch the echo function answers row for row', async () => {
    const event = sampleEvent('echo.json') as { body: string; isBase64Encoded: boolean };

    const result = await echo(event);

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({
      data: [
        [0, 'hello'],
        [1, 42],
        [2, { nested: [true, null] }],
      ],
    });
  });
});
