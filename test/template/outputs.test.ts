import { describe, expect, it } from 'vitest';
import type { Template } from '../../scripts/template-check/template';
import { conditionHolds, evaluate, type Values } from './evaluate';
import { LINK_VALUES, mainTemplate, STACK_VALUES, storageTemplate } from './fixtures';

const ROLE_ARN = STACK_VALUES['SnowflakeRole.Arn'];
const URL = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/echo';

function output(template: Template, name: string, values: Values = STACK_VALUES): unknown {
  return evaluate(template.Outputs?.[name]?.Value, template, values);
}

/** Whether the stack shows the output: it has no Condition, or its Condition holds. */
function shown(template: Template, name: string, values: Values): boolean {
  const condition = template.Outputs?.[name]?.Condition;
  return condition === undefined || conditionHolds(String(condition), template, values);
}

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:snowflake/connection-AbCdEf';
const ONE_DEPLOY = { ...STACK_VALUES, SnowflakeConnection: SECRET, SnowflakeDatabase: 'LAB' };

function exportName(template: Template, name: string, values: Values): unknown {
  const exported = template.Outputs?.[name]?.Export as { Name?: unknown } | undefined;
  return evaluate(exported?.Name, template, values);
}

describe('template.yaml outputs, rendered for a deployed stack', () => {
  it('give the resource URL of POST /echo', () => {
    expect(output(mainTemplate, 'ResourceUrl')).toBe(URL);
  });

  it('give the role ARN for API_AWS_ROLE_ARN', () => {
    expect(output(mainTemplate, 'ApiAwsRoleArn')).toBe(ROLE_ARN);
  });

  it('give the CREATE API INTEGRATION a person pastes into Snowflake, then DESCRIBE INTEGRATION', () => {
    expect(output(mainTemplate, 'CreateApiIntegrationSql')).toBe(
      'CREATE API INTEGRATION echo_api_integration API_PROVIDER = aws_api_gateway ' +
        `API_AWS_ROLE_ARN = '${ROLE_ARN}' ` +
        "API_ALLOWED_PREFIXES = ('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/') " +
        'ENABLED = TRUE; DESCRIBE INTEGRATION echo_api_integration;',
    );
  });

  it('give the CREATE EXTERNAL FUNCTION that calls the resource URL through the integration', () => {
    expect(output(mainTemplate, 'CreateExternalFunctionSql')).toBe(
      'CREATE OR REPLACE EXTERNAL FUNCTION echo(value VARIANT) RETURNS VARIANT ' +
        `API_INTEGRATION = echo_api_integration AS '${URL}';`,
    );
  });

  it.each([
    ['a regional API', 'aws', 'REGIONAL', 'aws_api_gateway'],
    ['a private API', 'aws', 'PRIVATE', 'aws_private_api_gateway'],
    ['a regional API in GovCloud', 'aws-us-gov', 'REGIONAL', 'aws_gov_api_gateway'],
    ['a private API in GovCloud', 'aws-us-gov', 'PRIVATE', 'aws_gov_private_api_gateway'],
  ])('name the API_PROVIDER of %s', (_case, partition, endpointType, provider) => {
    const values = { ...STACK_VALUES, 'AWS::Partition': partition, ApiEndpointType: endpointType };

    expect(output(mainTemplate, 'CreateApiIntegrationSql', values)).toContain(`API_PROVIDER = ${provider} `);
  });

  it('use the integration and stage names given as parameters', () => {
    const values = { ...STACK_VALUES, ApiIntegrationName: 'sales_api', ApiStageName: 'v1' };

    const integration = output(mainTemplate, 'CreateApiIntegrationSql', values);
    const fn = output(mainTemplate, 'CreateExternalFunctionSql', values);

    expect(integration).toMatch(
      /^CREATE API INTEGRATION sales_api .*\.amazonaws\.com\/v1\/'\) .* DESCRIBE INTEGRATION sales_api;$/,
    );
    expect(fn).toContain(
      "API_INTEGRATION = sales_api AS 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v1/echo';",
    );
  });

  it("put the resource URL under the integration's allowed prefix, as Snowflake requires", () => {
    const sql = String(output(mainTemplate, 'CreateApiIntegrationSql'));
    const prefix = /API_ALLOWED_PREFIXES = \('([^']+)'\)/.exec(sql)?.[1] ?? '';

    expect(prefix).not.toBe('');
    expect(URL.startsWith(prefix)).toBe(true);
  });

  it('say the link is pending before the second deploy', () => {
    expect(output(mainTemplate, 'SnowflakeTrustLinkStatus')).toMatch(
      /^pending: run CreateApiIntegrationSql in Snowflake/,
    );
  });

  it('say the link is in force, with the ids it confirmed, once both values are given', () => {
    const status = output(mainTemplate, 'SnowflakeTrustLinkStatus', { ...STACK_VALUES, ...LINK_VALUES });

    expect(status).toBe(
      `in force: ${LINK_VALUES.SnowflakeIamUserArn} may assume ${STACK_VALUES.SnowflakeRole} ` +
        `with external id(s) ${STACK_VALUES['SnowflakeTrustLink.ExternalIds']}`,
    );
  });

  it('still export the link function and its role, for stacks that imported them before, and the example imports neither', () => {
    const values = { ...STACK_VALUES, TrustLinkStackName: 'snowflake-trust-link' };
    const imports = JSON.stringify(storageTemplate.Resources);

    expect(output(mainTemplate, 'TrustLinkServiceToken')).toBe(STACK_VALUES['TrustLinkFunction.Arn']);
    expect(output(mainTemplate, 'TrustLinkFunctionRoleName')).toBe(STACK_VALUES.TrustLinkFunctionRole);
    for (const name of ['TrustLinkServiceToken', 'TrustLinkFunctionRoleName']) {
      expect(exportName(mainTemplate, name, values)).toBe(`snowflake-trust-link-${name}`);
    }
    expect(imports).not.toContain('Fn::ImportValue');
  });
});

describe('outputs per flow', () => {
  it.each([
    ['template.yaml', mainTemplate, 'CreateApiIntegrationSql'],
    ['template.yaml', mainTemplate, 'CreateExternalFunctionSql'],
    ['the storage example', storageTemplate, 'CreateStorageIntegrationSql'],
    ['the storage example', storageTemplate, 'CreateStageSql'],
  ])('%s shows %s ("run in Snowflake") in the two-step flow only', (_name, template, output) => {
    expect(shown(template, output, STACK_VALUES)).toBe(true);
    expect(shown(template, output, { ...STACK_VALUES, ...LINK_VALUES })).toBe(true);
    expect(shown(template, output, ONE_DEPLOY)).toBe(false);
  });

  it('template.yaml shows the external function the deploy proved in the one-deploy flow only', () => {
    expect(shown(mainTemplate, 'ExternalFunction', ONE_DEPLOY)).toBe(true);
    expect(shown(mainTemplate, 'ExternalFunction', STACK_VALUES)).toBe(false);
  });

  it.each([
    [mainTemplate, 'ApiAwsRoleArn'],
    [mainTemplate, 'ResourceUrl'],
    [mainTemplate, 'SnowflakeTrustLinkStatus'],
    [mainTemplate, 'TrustLinkServiceToken'],
    [mainTemplate, 'TrustLinkFunctionRoleName'],
    [storageTemplate, 'StorageAwsRoleArn'],
    [storageTemplate, 'SnowflakeTrustLinkStatus'],
  ])('keeps %#: %s in both flows (npm run link and importing stacks read it)', (template, output) => {
    expect(shown(template, output, STACK_VALUES)).toBe(true);
    expect(shown(template, output, ONE_DEPLOY)).toBe(true);
  });

  it('marks every exported output as exported in its description, and exports nothing else', () => {
    const outputs = Object.entries(mainTemplate.Outputs ?? {});
    const exported = outputs.filter(([, output]) => output.Export !== undefined).map(([name]) => name);

    expect(exported).toEqual(['TrustLinkServiceToken', 'TrustLinkFunctionRoleName']);
    for (const name of exported) {
      expect(mainTemplate.Outputs?.[name]?.Description).toMatch(/^Exported, deprecated: kept because/);
      expect(mainTemplate.Outputs?.[name]?.Condition).toBeUndefined();
    }
    expect(JSON.stringify(storageTemplate.Outputs)).not.toContain('Export');
  });
});
