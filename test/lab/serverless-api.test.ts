// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} is CloudFormation's Fn::Sub syntax here
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CloudFormationStandIn,
  expandServerlessApis,
  loadTemplate,
  parseTemplate,
  TemplateError,
} from '../../lab/cloudformation';
import { referencedNames } from '../../lab/cloudformation/graph';

const API = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  StageParam: { Type: String, Default: prod }
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: STAGE
  Caller:
    Type: Custom::Caller
    Properties:
      ServiceToken: arn
      Url: !Sub 'https://\${Api}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/\${Api.Stage}/echo'
      Stage: !Ref Api.Stage
      ApiOnly: !Ref Api
`;

function expanded(stageName: string) {
  return expandServerlessApis(parseTemplate(API.replace('STAGE', stageName)));
}

describe('the lab reads an AWS::Serverless::Api as SAM generates it', () => {
  it('makes the REST API, a deployment and a stage that waits for the deployment', () => {
    const { Resources } = expanded('!Ref StageParam');

    expect(Resources.Api?.Type).toBe('AWS::ApiGateway::RestApi');
    expect(Resources.ApiDeployment?.Type).toBe('AWS::ApiGateway::Deployment');
    expect(Resources.ApiStage).toEqual({
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: { Ref: 'Api' },
        DeploymentId: { Ref: 'ApiDeployment' },
        StageName: { Ref: 'StageParam' },
      },
    });
    expect([...referencedNames(Resources.ApiStage?.Properties)].sort()).toEqual([
      'Api',
      'ApiDeployment',
      'StageParam',
    ]);
  });

  it('turns Api.Stage into the stage, in Ref and in Fn::Sub, so its user waits for the stage', () => {
    const { Resources } = expanded('!Ref StageParam');
    const caller = Resources.Caller?.Properties;

    expect(caller?.Stage).toEqual({ Ref: 'ApiStage' });
    expect(caller?.Url).toEqual({
      'Fn::Sub': 'https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${ApiStage}/echo',
    });
    expect(referencedNames(caller)).toContain('ApiStage');
  });

  it('names the stage after a literal StageName, as SAM does', () => {
    expect(Object.keys(expanded('prod').Resources)).toContain('ApiprodStage');
    expect(expanded('prod').Resources.Caller?.Properties?.Stage).toEqual({ Ref: 'ApiprodStage' });
  });

  it('leaves a Ref of the API alone waiting for the REST API only, not the stage', () => {
    const caller = expanded('prod').Resources.Caller?.Properties;

    expect(caller?.ApiOnly).toEqual({ Ref: 'Api' });
    expect(referencedNames({ ApiOnly: caller?.ApiOnly })).not.toContain('ApiprodStage');
  });

  it('refuses a stage name it cannot name a logical id after', () => {
    expect(() => expanded("'my-stage'")).toThrow(TemplateError);
  });

  it("makes template.yaml's verified external function wait for the API's stage", () => {
    const { Resources } = expandServerlessApis(loadTemplate('template.yaml'));
    const stageIds = Object.keys(Resources).filter((id) => Resources[id]?.Type === 'AWS::ApiGateway::Stage');

    expect(stageIds).toEqual(['SnowflakeApiStage']);
    expect(referencedNames(Resources.SnowflakeExternalFunction?.Properties)).toContain('SnowflakeApiStage');
  });
});

describe('a stack with an AWS::Serverless::Api in the lab', () => {
  // No IAM resources, so the stand-in never calls its IAM endpoint.
  const STACK = API.replace('STAGE', '!Ref StageParam').replace(
    'Type: Custom::Caller\n    Properties:\n      ServiceToken: arn',
    'Type: AWS::Logs::LogGroup\n    Properties:',
  );

  it('creates what uses Api.Stage after the stage, and a new stage name replaces the stage', async () => {
    const cfn = await CloudFormationStandIn.start({ iamEndpoint: 'http://127.0.0.1:9' });
    const stack = cfn.stack('api-lab');
    try {
      const created = await stack.create(parseTemplate(STACK));
      const order = created.events.map((e) => `${e.logicalResourceId} ${e.status}`);

      expect(created.status).toBe('CREATE_COMPLETE');
      expect(order.indexOf('ApiStage CREATE_COMPLETE')).toBeGreaterThan(
        order.indexOf('ApiDeployment CREATE_COMPLETE'),
      );
      expect(order.indexOf('Caller CREATE_IN_PROGRESS')).toBeGreaterThan(
        order.indexOf('ApiStage CREATE_COMPLETE'),
      );
      expect(stack.resource('Caller')?.properties.Url).toMatch(/\/prod\/echo$/);

      const updated = await stack.update({ parameters: { StageParam: 'v2' } });

      expect(updated.status).toBe('UPDATE_COMPLETE');
      expect(stack.resource('ApiStage')?.physicalId).toBe('v2');
      expect(stack.resource('Caller')?.properties.Url).toMatch(/\/v2\/echo$/);
      expect(
        updated.events.map((e) => `${e.logicalResourceId} ${e.status} ${e.physicalResourceId ?? ''}`),
      ).toContain('ApiStage DELETE_IN_PROGRESS prod');
    } finally {
      await cfn.close();
    }
  });
});

describe('the lab stays self-contained', () => {
  it('imports nothing from the project outside lab/ (scripts/, handler/, test/)', () => {
    const files = (readdirSync('lab', { recursive: true }) as string[]).filter((f) =>
      /\.(ts|cjs|mjs)$/.test(f),
    );
    const climbing = files.filter((file) =>
      /from '(\.\.\/)+(scripts|handler|test)\//.test(readFileSync(join('lab', file), 'utf8')),
    );

    expect(files.length).toBeGreaterThan(20);
    expect(climbing).toEqual([]);
  });
});
