// What the SAM transform makes of an AWS::Serverless::Api, as far as a stack's order and values need it:
// the REST API under the same logical id, a deployment, and a stage that depends on the deployment. A
// reference to `<Api>.Stage` (`!Ref Api.Stage`, or `${Api.Stage}` in Fn::Sub) becomes a Ref of that
// stage, so what uses it waits for the stage; a Ref of the API alone waits only for the REST API.
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources-api.html
// Not modelled: the deployment's hash suffix (a new deployment on every change; AlwaysDeploy), and the
// rest of the transform (Auth, usage plans, domains).
import { TemplateError } from './intrinsics';
import type { Template, TemplateResource } from './template';

const SERVERLESS_API = 'AWS::Serverless::Api';

/** The template with each AWS::Serverless::Api expanded and its `.Stage` / `.Deployment` references resolved. */
export function expandServerlessApis(template: Template): Template {
  const generated = new Map<string, string>();
  const resources: Record<string, TemplateResource> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== SERVERLESS_API) {
      resources[logicalId] = resource;
      continue;
    }
    const { deploymentId, stageId } = generatedIds(logicalId, resource);
    generated.set(`${logicalId}.Deployment`, deploymentId);
    generated.set(`${logicalId}.Stage`, stageId);
    const condition = resource.Condition === undefined ? {} : { Condition: resource.Condition };
    resources[logicalId] = { ...resource, Type: 'AWS::ApiGateway::RestApi' };
    resources[deploymentId] = {
      Type: 'AWS::ApiGateway::Deployment',
      ...condition,
      Properties: { RestApiId: { Ref: logicalId } },
    };
    resources[stageId] = {
      Type: 'AWS::ApiGateway::Stage',
      ...condition,
      Properties: {
        RestApiId: { Ref: logicalId },
        DeploymentId: { Ref: deploymentId },
        StageName: resource.Properties?.StageName,
      },
    };
  }
  if (generated.size === 0) return template;
  const rewritten = rewriteReferences({ ...template, Resources: resources }, generated);
  return rewritten as Template;
}

// SAM names the stage after a literal StageName (ApiprodStage), and `<Api>Stage` when StageName is an
// intrinsic such as a parameter's Ref (as samtranslator 1.110 does): hence references go through `.Stage`.
function generatedIds(
  logicalId: string,
  resource: TemplateResource,
): { deploymentId: string; stageId: string } {
  const stageName = resource.Properties?.StageName;
  if (stageName === undefined)
    throw new TemplateError(`${logicalId}: an AWS::Serverless::Api needs StageName.`);
  if (typeof stageName === 'string' && !/^[A-Za-z0-9]+$/.test(stageName)) {
    throw new TemplateError(
      `${logicalId}: the lab names only alphanumeric stages, not ${JSON.stringify(stageName)}.`,
    );
  }
  const literal = typeof stageName === 'string' ? stageName : '';
  return { deploymentId: `${logicalId}Deployment`, stageId: `${logicalId}${literal}Stage` };
}

function rewriteReferences(value: unknown, generated: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteReferences(item, generated));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [key, argument] = entries[0] ?? [];
  if (entries.length === 1 && key === 'Ref' && typeof argument === 'string') {
    return { Ref: generated.get(argument) ?? argument };
  }
  if (entries.length === 1 && key === 'Fn::Sub') {
    const [text, variables] = Array.isArray(argument) ? argument : [argument, undefined];
    const substituted = String(text).replace(/\$\{([^!}][^}]*)\}/g, (whole, name: string) => {
      const target = generated.get(name);
      return target === undefined ? whole : `\${${target}}`;
    });
    return {
      'Fn::Sub':
        variables === undefined ? substituted : [substituted, rewriteReferences(variables, generated)],
    };
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, rewriteReferences(v, generated)]));
}
