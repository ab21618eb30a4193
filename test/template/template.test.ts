// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are CloudFormation Fn::Sub text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isJson, type Json } from '../../scripts/template-check/template';
import { conditionHolds, evaluate } from './evaluate';
import { LINK_VALUES, mainTemplate, propertiesOf, ROOT, resourceOf, STACK_VALUES } from './fixtures';

const template = mainTemplate;
const LINK_COMBINATIONS = [
  ['neither value', { SnowflakeIamUserArn: '', SnowflakeExternalId: '' }, false],
  [
    'only the user ARN',
    { SnowflakeIamUserArn: LINK_VALUES.SnowflakeIamUserArn, SnowflakeExternalId: '' },
    false,
  ],
  [
    'only the external id',
    { SnowflakeIamUserArn: '', SnowflakeExternalId: LINK_VALUES.SnowflakeExternalId },
    false,
  ],
  ['both values', LINK_VALUES, true],
] as const;

/** Every statement of the policies that apply to a role: inline, and AWS::IAM::Policy resources attached to it. */
function statementsOfRole(roleId: string): Json[] {
  const inline = (propertiesOf(template, roleId).Policies as Json[] | undefined) ?? [];
  const attached = Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
    .map(([id]) => propertiesOf(template, id))
    .filter((p) => JSON.stringify(p.Roles) === JSON.stringify([{ Ref: roleId }]));
  return [...inline, ...attached].flatMap(
    (policy) => (policy.PolicyDocument as { Statement: Json[] }).Statement,
  );
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

describe('template.yaml: the functions', () => {
  it.each([
    ['TrustLinkFunction', 'trust-link'],
    ['EchoFunction', 'echo'],
  ])('deploys %s from the bundle npm run build writes to dist/%s/', (id, name) => {
    const buildScript = readFileSync(join(ROOT, 'scripts/build.mjs'), 'utf8');
    const properties = propertiesOf(template, id);

    expect(properties.CodeUri).toBe(`dist/${name}/`);
    expect(properties.Handler).toBe('index.handler');
    expect(buildScript).toMatch(new RegExp(`const functions = \\[[^\\]]*'${name}'`));
    expect(resourceOf(template, id).Metadata).toBeUndefined();
  });

  it.each(['TrustLinkFunction', 'EchoFunction'])('runs %s on a current Node.js runtime', (id) => {
    expect(['nodejs22.x', 'nodejs24.x']).toContain(propertiesOf(template, id).Runtime);
  });

  it("answers well within the resource's ServiceTimeout", () => {
    const timeout = Number(propertiesOf(template, 'TrustLinkFunction').Timeout);
    const serviceTimeout = Number(propertiesOf(template, 'SnowflakeTrustLink').ServiceTimeout);

    expect(timeout * 3).toBeLessThanOrEqual(serviceTimeout);
  });

  it.each([
    ['TrustLinkLogGroup', 'TrustLinkFunction'],
    ['EchoLogGroup', 'EchoFunction'],
  ])('keeps logs in %s, the log group of %s, for a limited time', (logGroup, fn) => {
    const properties = propertiesOf(template, logGroup);

    expect(properties.LogGroupName).toEqual({ 'Fn::Sub': `/aws/lambda/\${${fn}}` });
    expect(properties.RetentionInDays).toBeGreaterThan(0);
  });
});

describe('template.yaml: the link function may edit only the Snowflake role', () => {
  const statements = statementsOfRole('TrustLinkFunctionRole');

  it('has no managed policies', () => {
    expect(propertiesOf(template, 'TrustLinkFunctionRole').ManagedPolicyArns).toBeUndefined();
    expect(propertiesOf(template, 'TrustLinkFunction').Policies).toBeUndefined();
    expect(propertiesOf(template, 'TrustLinkFunction').Role).toEqual({
      'Fn::GetAtt': ['TrustLinkFunctionRole', 'Arn'],
    });
  });

  it('allows reading and writing the trust policy and tags of the Snowflake role, and nothing else in IAM', () => {
    const iam = statements.filter((s) => asList(s.Action).some((a) => String(a).startsWith('iam:')));

    expect(iam).toHaveLength(1);
    expect(iam[0]?.Effect).toBe('Allow');
    expect(asList(iam[0]?.Action).sort()).toEqual([
      'iam:GetRole',
      'iam:TagRole',
      'iam:UntagRole',
      'iam:UpdateAssumeRolePolicy',
    ]);
    expect(asList(iam[0]?.Resource)).toEqual([{ 'Fn::GetAtt': ['SnowflakeRole', 'Arn'] }]);
  });

  it('allows nothing else but writing to its own log group and taking leases in its own lock table', () => {
    const others = statements.filter((s) => !asList(s.Action).some((a) => String(a).startsWith('iam:')));

    expect(others).toEqual([
      {
        Sid: 'TakeLeasesOnRoles',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': ['LinkLockTable', 'Arn'] },
      },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': ['TrustLinkLogGroup', 'Arn'] },
      },
    ]);
  });

  it('grants the lock table in the role itself, so that the grant is as old as the role at the first lease', () => {
    const inline = (
      propertiesOf(template, 'TrustLinkFunctionRole').Policies as Array<{
        PolicyDocument: { Statement: Array<{ Action: unknown }> };
      }>
    ).flatMap((policy) => policy.PolicyDocument.Statement);

    expect(inline.map((statement) => statement.Action)).toContainEqual('dynamodb:UpdateItem');
  });

  it('serves its own stack, takes leases in its own table, and is not retried by Lambda', () => {
    const properties = propertiesOf(template, 'TrustLinkFunction');

    expect(properties.Environment).toEqual({
      Variables: {
        TRUST_LINK_LOCK_TABLE: { Ref: 'LinkLockTable' },
        TRUST_LINK_STACK_ID: { Ref: 'AWS::StackId' },
      },
    });
    expect(properties.EventInvokeConfig).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 180 });
  });

  it('uses no wildcard, no NotAction and no NotResource', () => {
    const text = JSON.stringify(statements);

    expect(text).not.toContain('*');
    expect(text).not.toMatch(/"Not(Action|Resource)"/);
  });
});

describe('template.yaml: the role Snowflake assumes', () => {
  it('starts out trusting the account root, under the Sid the link owns', () => {
    const trust = propertiesOf(template, 'SnowflakeRole').AssumeRolePolicyDocument;

    expect(trust).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'SnowflakeTrustLink',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
          Action: 'sts:AssumeRole',
        },
      ],
    });
  });
});

describe('template.yaml: the link resource', () => {
  const link = resourceOf(template, 'SnowflakeTrustLink');
  const properties = propertiesOf(template, 'SnowflakeTrustLink');

  it.each(LINK_COMBINATIONS)('exists with %s: %s', (_given, values, exists) => {
    expect(link.Condition).toBe('LinkReady');
    expect(conditionHolds('LinkReady', template, { ...STACK_VALUES, ...values })).toBe(exists);
  });

  it('links the Snowflake role with the two parameters, the external ids as a list', () => {
    const rendered = evaluate(properties, template, {
      ...STACK_VALUES,
      SnowflakeIamUserArn: LINK_VALUES.SnowflakeIamUserArn,
      SnowflakeExternalId: 'OLD_SFCRole=1_abc=,NEW_SFCRole=1_def=',
    });

    expect(rendered).toEqual({
      ServiceToken: STACK_VALUES['TrustLinkFunction.Arn'],
      ServiceTimeout: 300,
      RoleArn: STACK_VALUES['SnowflakeRole.Arn'],
      SnowflakeIamUserArn: LINK_VALUES.SnowflakeIamUserArn,
      SnowflakeExternalId: ['OLD_SFCRole=1_abc=', 'NEW_SFCRole=1_def='],
    });
  });

  it('waits for the function permissions and log group, and is removed before them', () => {
    expect(link.DependsOn).toEqual(['TrustLinkLogsPolicy', 'TrustLinkLogGroup']);
  });

  it.each(LINK_COMBINATIONS)(
    'lets a deploy with %s through the parameter rules: %s',
    (_given, values, exists) => {
      const bothOrNeither =
        exists || (values.SnowflakeIamUserArn === '' && values.SnowflakeExternalId === '');
      const rule = template.Rules?.LinkValuesTogether as { Assertions: { Assert: unknown }[] };

      const passes = rule.Assertions.every(({ Assert }) => evaluate(Assert, template, values) === true);

      expect(passes).toBe(bothOrNeither);
    },
  );
});

describe('template.yaml: the REST API', () => {
  const api = propertiesOf(template, 'SnowflakeApi');
  const body = api.DefinitionBody as Json;
  const policy = body['x-amazon-apigateway-policy'] as { Statement: Json[] };

  it('takes POST /echo only with AWS_IAM (SigV4) authorization, proxied to the echo function', () => {
    const paths = body.paths as Record<string, Record<string, Json>>;
    const schemes = (body.components as Json).securitySchemes as Record<string, Json>;

    expect(Object.keys(paths)).toEqual(['/echo']);
    expect(Object.keys(paths['/echo'] ?? {})).toEqual(['post']);
    const post = paths['/echo']?.post as Json;
    expect(post.security).toEqual([{ sigv4: [] }]);
    expect(schemes.sigv4?.['x-amazon-apigateway-authtype']).toBe('awsSigv4');
    expect(post['x-amazon-apigateway-integration']).toEqual({
      type: 'aws_proxy',
      httpMethod: 'POST',
      uri: {
        'Fn::Sub':
          'arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${EchoFunction.Arn}/invocations',
      },
    });
  });

  it('lets only this API invoke the echo function', () => {
    expect(propertiesOf(template, 'EchoInvokePermission')).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: 'EchoFunction' },
      Principal: 'apigateway.amazonaws.com',
      SourceArn: {
        'Fn::Sub':
          'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${SnowflakeApi}/*/POST/echo',
      },
    });
  });

  it('is regional or private, as the ApiEndpointType parameter says', () => {
    expect(template.Parameters?.ApiEndpointType?.AllowedValues).toEqual(['REGIONAL', 'PRIVATE']);
    expect(api.EndpointConfiguration).toEqual({ Type: { Ref: 'ApiEndpointType' } });
  });

  it("allows execute-api:Invoke only to the Snowflake role's session", () => {
    const rendered = evaluate(policy, template, STACK_VALUES);

    expect(rendered).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            AWS: `arn:aws:sts::123456789012:assumed-role/${STACK_VALUES.SnowflakeRole}/snowflake`,
          },
          Action: 'execute-api:Invoke',
          Resource: 'execute-api:/*/POST/echo',
        },
      ],
    });
  });

  it("restricts a private API to Snowflake's VPCs, given as a list", () => {
    const values = {
      ...STACK_VALUES,
      ApiEndpointType: 'PRIVATE',
      SnowflakeVpcIds: ['vpc-0a1b2c3d', 'vpc-4e5f6a7b'],
    };

    const rendered = evaluate(policy, template, values) as { Statement: Json[] };

    expect(template.Parameters?.SnowflakeVpcIds?.Type).toBe('CommaDelimitedList');
    expect(rendered.Statement[0]?.Condition).toEqual({
      StringEquals: { 'aws:sourceVpc': ['vpc-0a1b2c3d', 'vpc-4e5f6a7b'] },
    });
  });

  it.each([
    ['a private API without VPC ids', 'PRIVATE', [''], false],
    ['a private API with VPC ids', 'PRIVATE', ['vpc-0a1b2c3d'], true],
    ['a regional API without VPC ids', 'REGIONAL', [''], true],
  ])('lets a deploy of %s through the parameter rules: %s', (_case, endpointType, vpcIds, passes) => {
    const rule = template.Rules?.PrivateApiNeedsVpcIds as {
      RuleCondition: unknown;
      Assertions: { Assert: unknown }[];
    };
    const values = { ApiEndpointType: endpointType, SnowflakeVpcIds: vpcIds };

    const applies = evaluate(rule.RuleCondition, template, values) === true;
    const holds = rule.Assertions.every(({ Assert }) => evaluate(Assert, template, values) === true);

    expect(!applies || holds).toBe(passes);
  });

  it('deploys on every stack update, so that a policy change always reaches the stage', () => {
    expect(resourceOf(template, 'SnowflakeApi').Type).toBe('AWS::Serverless::Api');
    expect(api.AlwaysDeploy).toBe(true);
  });

  it('keeps the policy out of Auth, where SAM would substitute the VPC list as one string', () => {
    expect(api.Auth).toBeUndefined();
    expect(JSON.stringify(policy)).toContain('{"Ref":"SnowflakeVpcIds"}');
  });
});

describe('template.yaml: portability', () => {
  const text = JSON.stringify({ Resources: template.Resources, Outputs: template.Outputs });

  it('builds every ARN with ${AWS::Partition}', () => {
    const arns = [...text.matchAll(/arn:(\$\{AWS::Partition\}|[^:"$]*):/g)].map((m) => m[1]);

    expect(arns.length).toBeGreaterThan(0);
    expect(arns.every((partition) => partition === '${AWS::Partition}')).toBe(true);
  });

  it('hard-codes no account id, region or resource name', () => {
    expect(text).not.toMatch(/\d{12}/);
    expect(text).not.toMatch(/\b(us|eu|ap|sa|ca|me|af|il|mx|cn)-(gov-)?[a-z]+-\d\b/);
    const nameProperty: Record<string, string> = {
      'AWS::Serverless::Function': 'FunctionName',
      'AWS::Serverless::Api': 'Name',
      'AWS::IAM::Role': 'RoleName',
      'AWS::S3::Bucket': 'BucketName',
    };
    const named = Object.entries(template.Resources ?? {})
      .filter(([, r]) => {
        const property = nameProperty[String(r.Type)];
        return property !== undefined && isJson(r.Properties) && r.Properties[property] !== undefined;
      })
      .map(([id, r]) => [id, (r.Properties as Json)[nameProperty[String(r.Type)] ?? '']]);
    expect(named).toEqual([]);
  });
});
