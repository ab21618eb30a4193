// The provider templates as users nest them: what they grant, what they promise to keep from one version
// to the next, and the metadata `sam publish` reads.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplate, type Template } from '../../lab/cloudformation';
import { checkTemplate } from '../../scripts/template-check/check-template';
import { checkEventAge, type NestedTemplates } from '../../scripts/template-check/event-age';
import { loadTemplate as loadCheckedTemplate } from '../../scripts/template-check/template';

const linkProvider = loadTemplate('providers/trust-link-provider.yaml');
const snowflakeProvider = loadTemplate('providers/snowflake-provider.yaml');
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

function properties(template: Template, logicalId: string): Record<string, unknown> {
  const resource = template.Resources[logicalId];
  if (resource?.Properties === undefined) throw new Error(`no ${logicalId}`);
  return resource.Properties;
}

function inlineStatements(template: Template, roleId: string): unknown[] {
  const [policy] = properties(template, roleId).Policies as Array<{
    PolicyDocument: { Statement: unknown[] };
  }>;
  return policy?.PolicyDocument.Statement ?? [];
}

function pattern(template: Template, name: string): RegExp {
  return new RegExp(`^(?:${template.Parameters?.[name]?.AllowedPattern})$`);
}

describe.each([
  ['trust-link-provider.yaml', linkProvider, 'TrustLinkFunction', 60],
  ['snowflake-provider.yaml', snowflakeProvider, 'SnowflakeFunction', 180],
])('%s', (_file, template, functionId, timeout) => {
  it('outputs ServiceToken as its function’s ARN, the function named by CloudFormation (a name change would replace it)', () => {
    expect(template.Outputs?.ServiceToken?.Value).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
    expect(properties(template, functionId).FunctionName).toBeUndefined();
    expect(template.Resources[functionId]?.Type).toBe('AWS::Serverless::Function');
  });

  it('never retries an event and drops one older than a minute, so event age + Timeout stay under a ServiceTimeout of 300 s', () => {
    const fn = properties(template, functionId);
    expect(fn.EventInvokeConfig).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    expect(fn.Timeout).toBe(timeout);
    expect(60 + Number(fn.Timeout)).toBeLessThan(300);
  });

  it('carries the Serverless Application Repository metadata sam publish needs, at package.json’s version', () => {
    const metadata = (template as { Metadata?: Record<string, Record<string, unknown>> }).Metadata?.[
      'AWS::ServerlessRepo::Application'
    ];
    expect(metadata).toMatchObject({ SpdxLicenseId: 'Apache-2.0', SemanticVersion: version });
    // The patterns of https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-template-publishing-applications-metadata-properties.html
    expect(String(metadata?.Name)).toMatch(/^[a-zA-Z0-9-]{1,140}$/);
    expect(String(metadata?.Author)).toMatch(/^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$/);
    expect(String(metadata?.Description).length).toBeLessThanOrEqual(256);
    for (const file of [metadata?.LicenseUrl, metadata?.ReadmeUrl])
      expect(existsSync(path.join('providers', String(file)))).toBe(true);
  });

  it('serves exactly the stack given as OwnerStackId, a stack id', () => {
    const owner = pattern(template, 'OwnerStackId');
    expect(
      owner.test(
        'arn:aws:cloudformation:us-east-1:123456789012:stack/gateway/0f2b4c1e-1a2b-4c3d-8e9f-001122334455',
      ),
    ).toBe(true);
    expect(owner.test('gateway')).toBe(false);
    expect(owner.test('arn:aws:iam::123456789012:role/gateway')).toBe(false);
  });
});

describe('the link provider', () => {
  it('may edit only the listed roles and take leases only in its own table', () => {
    expect(inlineStatements(linkProvider, 'TrustLinkFunctionRole')).toEqual([
      {
        Sid: 'LinkListedRolesTrust',
        Effect: 'Allow',
        Action: ['iam:GetRole', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole'],
        Resource: { Ref: 'RoleArns' },
      },
      {
        Sid: 'TakeLeasesOnRoles',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': ['LinkLockTable', 'Arn'] },
      },
    ]);
  });

  it('serves the owner stack with its own lock table', () => {
    expect(
      (properties(linkProvider, 'TrustLinkFunction').Environment as { Variables: unknown }).Variables,
    ).toEqual({
      TRUST_LINK_LOCK_TABLE: { Ref: 'LinkLockTable' },
      TRUST_LINK_STACK_ID: { Ref: 'OwnerStackId' },
    });
  });

  it.each([
    ['one role', 'arn:aws:iam::123456789012:role/gateway-MyRole-ABC', true],
    ['two roles', 'arn:aws:iam::123456789012:role/a,arn:aws:iam::123456789012:role/path/b', true],
    ['a user', 'arn:aws:iam::123456789012:user/a', false],
    ['a space after the comma', 'arn:aws:iam::123456789012:role/a, arn:aws:iam::123456789012:role/b', false],
    ['nothing', '', false],
  ])('RoleArns takes %s: %s', (_case, value, accepted) => {
    expect(pattern(linkProvider, 'RoleArns').test(value)).toBe(accepted);
  });
});

describe('the Snowflake provider', () => {
  it('may read the one connection secret, by its full ARN or the ARN without its suffix, and nothing else', () => {
    expect(inlineStatements(snowflakeProvider, 'SnowflakeFunctionRole')).toEqual([
      {
        Sid: 'ReadSnowflakeConnection',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
        Resource: [{ Ref: 'ConnectionSecretArn' }, { 'Fn::Sub': '${ConnectionSecretArn}-??????' }],
      },
    ]);
  });

  it('requires the connection secret: no workload identity, which the SQL API documents no token form for', () => {
    expect(Object.keys(snowflakeProvider.Parameters ?? {}).sort()).toEqual([
      'ConnectionSecretArn',
      'OwnerStackId',
    ]);
    expect(snowflakeProvider.Parameters?.ConnectionSecretArn?.Default).toBeUndefined();
    expect(pattern(snowflakeProvider, 'ConnectionSecretArn').test('')).toBe(false);
    expect(properties(snowflakeProvider, 'SnowflakeFunctionRole').RoleName).toBeUndefined();
    expect(JSON.stringify(properties(snowflakeProvider, 'SnowflakeFunctionRole').Policies)).not.toContain(
      'sts:',
    );
    expect(snowflakeProvider).not.toHaveProperty('Rules');
    expect(snowflakeProvider).not.toHaveProperty('Conditions');
  });

  it('serves the owner stack (SNOWFLAKE_STACK_ID)', () => {
    expect(
      (properties(snowflakeProvider, 'SnowflakeFunction').Environment as { Variables: unknown }).Variables,
    ).toEqual({
      SNOWFLAKE_STACK_ID: { Ref: 'OwnerStackId' },
    });
  });
});

describe('the event-age rule through the nesting', () => {
  // Each nested provider read from its Location, as SAM would package it.
  function nestedOf(file: string): NestedTemplates {
    const parent = loadCheckedTemplate(file);
    return (id) => {
      const location = (parent.Resources?.[id]?.Properties as { Location?: unknown } | undefined)?.Location;
      return typeof location === 'string'
        ? loadCheckedTemplate(path.join(path.dirname(file), location))
        : undefined;
    };
  }

  it.each([
    ['examples/nested-provider.yaml', 1],
    ['examples/nested-snowflake-provider.yaml', 4],
  ])('holds for every custom resource of %s, served by a provider’s function', (file, count) => {
    const template = loadCheckedTemplate(file);
    const custom = Object.values(template.Resources ?? {}).filter((r) =>
      String(r.Type).startsWith('Custom::'),
    );

    expect(custom).toHaveLength(count);
    expect(checkEventAge(template, nestedOf(file))).toEqual([]);
  });

  it('finds a provider function whose event age and Timeout outlast a custom resource’s ServiceTimeout', () => {
    const file = 'examples/nested-snowflake-provider.yaml';
    const nested = nestedOf(file);
    const slower: NestedTemplates = (id) => {
      const child = nested(id);
      const fn = child?.Resources?.SnowflakeFunction?.Properties as { Timeout?: number } | undefined;
      if (fn) fn.Timeout = 250;
      return child;
    };

    const problems = checkEventAge(loadCheckedTemplate(file), slower);

    expect(problems.map((p) => p.at).sort()).toEqual([
      'Resources.MyExternalFunction.Properties.ServiceTimeout',
      'Resources.MyIntegration.Properties.ServiceTimeout',
    ]);
    expect(problems[0]?.message).toContain(
      "SnowflakeProvider.SnowflakeFunction's MaximumEventAgeInSeconds + Timeout (60 + 250 s)",
    );
  });
});

describe('the project’s template checker', () => {
  it.each([
    'providers/trust-link-provider.yaml',
    'providers/snowflake-provider.yaml',
    'examples/nested-provider.yaml',
    'examples/nested-snowflake-provider.yaml',
  ])('finds no problem in %s, a nested stack’s Outputs.<Name> included', (file) => {
    expect(checkTemplate(loadCheckedTemplate(file))).toEqual([]);
  });
});
