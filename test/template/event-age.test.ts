import { describe, expect, it } from 'vitest';
import { checkEventAge } from '../../scripts/template-check/event-age';
import type { Template } from '../../scripts/template-check/template';
import { mainTemplate, storageTemplate } from './fixtures';

/** One function and one custom resource it serves. */
function stack(fn: Record<string, unknown>, resource: Record<string, unknown>): Template {
  return {
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Properties: fn },
      Thing: {
        Type: 'Custom::Thing',
        Properties: { ServiceToken: { 'Fn::GetAtt': ['Fn', 'Arn'] }, ...resource },
      },
    },
  };
}

describe('no asynchronous event starts after CloudFormation gave up', () => {
  it.each([
    ['template.yaml', mainTemplate],
    ['examples/storage-integration.yaml', storageTemplate],
  ])('holds for every custom resource of %s', (_name, template) => {
    const customResources = Object.values(template.Resources ?? {}).filter((r) =>
      String((r as { Type?: unknown }).Type).startsWith('Custom::'),
    );

    expect(customResources.length).toBeGreaterThanOrEqual(4);
    expect(checkEventAge(template)).toEqual([]);
  });

  it('passes a ServiceTimeout above the event age plus the Timeout', () => {
    const template = stack(
      { Timeout: 60, EventInvokeConfig: { MaximumEventAgeInSeconds: 180 } },
      { ServiceTimeout: 300 },
    );

    expect(checkEventAge(template)).toEqual([]);
  });

  it.each([
    ['equals', 240, 'is not more than Fn'],
    ['is below', 200, '(180 + 60 s)'],
  ])('refuses a ServiceTimeout that %s the event age plus the Timeout', (_case, serviceTimeout, message) => {
    const template = stack(
      { Timeout: 60, EventInvokeConfig: { MaximumEventAgeInSeconds: 180 } },
      { ServiceTimeout: serviceTimeout },
    );

    const problems = checkEventAge(template);

    expect(problems).toHaveLength(1);
    expect(problems[0]?.at).toBe('Resources.Thing.Properties.ServiceTimeout');
    expect(problems[0]?.message).toContain(message);
  });

  it.each([
    [
      'MaximumEventAgeInSeconds',
      { Timeout: 60, EventInvokeConfig: { MaximumRetryAttempts: 0 } },
      { ServiceTimeout: 300 },
    ],
    ['the Timeout', { EventInvokeConfig: { MaximumEventAgeInSeconds: 60 } }, { ServiceTimeout: 300 }],
    ['ServiceTimeout', { Timeout: 60, EventInvokeConfig: { MaximumEventAgeInSeconds: 60 } }, {}],
  ])('refuses a template without %s', (missing, fn, resource) => {
    const problems = checkEventAge(stack(fn, resource));

    expect(problems.map((p) => p.message)).toEqual(['is missing: give it a number']);
    expect(problems[0]?.at).toContain(missing.replace('the ', ''));
  });

  it("refuses an event age outside Lambda's 60 to 21600 seconds", () => {
    const template = stack(
      { Timeout: 10, EventInvokeConfig: { MaximumEventAgeInSeconds: 30 } },
      { ServiceTimeout: 300 },
    );

    expect(checkEventAge(template)[0]?.message).toContain("outside Lambda's 60-21600");
  });

  it('refuses a custom resource whose ServiceToken names no function of the template', () => {
    const template: Template = {
      Resources: {
        Thing: {
          Type: 'Custom::Thing',
          Properties: { ServiceToken: { 'Fn::ImportValue': 'x' }, ServiceTimeout: 300 },
        },
      },
    };

    expect(checkEventAge(template)).toEqual([
      { at: 'Resources.Thing.Properties.ServiceToken', message: 'names no function of this template' },
    ]);
  });

  it('reads the Timeout SAM gives every function from Globals', () => {
    const template = {
      ...stack({ EventInvokeConfig: { MaximumEventAgeInSeconds: 60 } }, { ServiceTimeout: 100 }),
      Globals: { Function: { Timeout: 60 } },
    };
    (template.Resources as Record<string, { Type: string }>).Fn = {
      ...(template.Resources?.Fn as { Type: string }),
      Type: 'AWS::Serverless::Function',
    };

    expect(checkEventAge(template)[0]?.message).toContain('(60 + 60 s)');
  });
});
