// Nested stacks: AWS::CloudFormation::Stack and SAM's AWS::Serverless::Application. Their template is
// read from a local path as `sam package` reads it, stored under its content's digest (so a changed file
// is a changed TemplateURL, and a rollback finds the old one), and run as a stack of its own whose
// outputs the parent reads with Fn::GetAtt <LogicalId>.Outputs.<Name>.
//   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stack.html
//   https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-application.html
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import {
  generatedName,
  type NestedStackHost,
  type Provider,
  type ProviderContext,
  ResourceFailure,
  type ResourceState,
} from './resource';
import type { Stack, StackOperationResult } from './stack';
import { parseTemplate, type Template } from './template';

const NESTED_TYPES = new Set(['AWS::CloudFormation::Stack', 'AWS::Serverless::Application']);
const PACKAGE_BUCKET = 'https://lab-packages.s3.amazonaws.com';

/** Whether a resource type is a nested stack. */
export function isNestedStackType(type: string): boolean {
  return NESTED_TYPES.has(type);
}

/**
 * A nested stack's properties as `sam package` leaves them: the local template (or the published
 * application the lab maps to one) replaced by the URL of its stored copy.
 */
export function packageNestedTemplate(
  type: string,
  properties: Record<string, unknown>,
  templateDir: string,
  host: NestedStackHost,
): Record<string, unknown> {
  const key = type === 'AWS::Serverless::Application' ? 'Location' : 'TemplateURL';
  const location = properties[key];
  if (typeof location === 'string' && location.startsWith(PACKAGE_BUCKET)) return properties;
  const path = localTemplatePath(location, templateDir, host);
  const text = readFileSync(path, 'utf8');
  const url = `${PACKAGE_BUCKET}/${createHash('sha256').update(text).digest('hex')}/${basename(path)}`;
  if (!host.packages.has(url)) {
    host.packages.set(url, {
      template: withPackagedCode(parseTemplate(text), dirname(path)),
      templateDir: dirname(path),
    });
  }
  return { ...properties, [key]: url };
}

// sam package uploads a nested template's code too, each under its own key: code from another folder is
// another CodeUri, so the function is updated (the lab names the code by its folder, not its digest).
function withPackagedCode(template: Template, templateDir: string): Template {
  for (const resource of Object.values(template.Resources)) {
    const codeUri = resource.Properties?.CodeUri;
    if (resource.Type === 'AWS::Serverless::Function' && typeof codeUri === 'string')
      resource.Properties = { ...resource.Properties, CodeUri: resolve(templateDir, codeUri) };
  }
  return template;
}

function localTemplatePath(location: unknown, templateDir: string, host: NestedStackHost): string {
  if (typeof location === 'string') {
    if (/^https?:\/\//.test(location))
      throw new ResourceFailure(`The lab reads nested templates from local paths only, not ${location}.`);
    return resolve(templateDir, location);
  }
  // SAM's ApplicationLocationObject: an application published to the Serverless Application Repository.
  const { ApplicationId, SemanticVersion } = (location ?? {}) as Record<string, unknown>;
  const published = host.applications[`${String(ApplicationId)}@${String(SemanticVersion)}`];
  if (published === undefined) {
    throw new ResourceFailure(
      `The lab knows no published application ${String(ApplicationId)} version ${String(SemanticVersion)}: ` +
        'give it in the stand-in\'s "applications".',
    );
  }
  return resolve(published);
}

export const nestedStack: Provider = {
  async create(ctx, logicalId, type, properties) {
    const { template, templateDir } = packaged(ctx, type, properties);
    const parameters = nestedParameters(properties);
    // CloudFormation names a nested stack <parent>-<logical id>-<random> (stack names reach 128 characters).
    const child = ctx.nested.newStack(generatedName(ctx.stackName, logicalId, 128), templateDir);
    const result = await validated(() => child.create(template, parameters));
    if (result.status !== 'CREATE_COMPLETE') {
      throw new ResourceFailure(
        `Embedded stack ${child.stackId} was not successfully created: ${failedResources(child, result, 'create')}`,
        child.stackId,
      );
    }
    return { logicalId, type, physicalId: child.stackId, properties, attributes: outputsOf(child) };
  },

  async update(ctx, current, properties) {
    const child = existing(ctx, current);
    // A parent updates a nested stack once an operation: a second update is the parent's rollback.
    if (child.updatePending) {
      const result = await child.rollbackUpdate();
      if (result.status !== 'UPDATE_ROLLBACK_COMPLETE') {
        throw new ResourceFailure(`Embedded stack ${child.stackId} could not be rolled back.`);
      }
      return { ...current, properties, attributes: outputsOf(child) };
    }
    const { template } = packaged(ctx, current.type, properties);
    const parameters = nestedParameters(properties);
    // A nested stack gets every parameter from its parent: one left out takes its default, not its old value.
    const result = await validated(() =>
      child.update({ template, parameters, usePreviousParameters: false, deferCleanup: true }),
    );
    if (result.status !== 'UPDATE_COMPLETE') {
      throw new ResourceFailure(
        `Embedded stack ${child.stackId} was not successfully updated: ${failedResources(child, result, 'update')}`,
      );
    }
    return { ...current, properties, attributes: outputsOf(child) };
  },

  async delete(ctx, state) {
    const child = ctx.nested.stackById(state.physicalId);
    if (child === undefined) return;
    const result = await child.delete();
    if (result.status !== 'DELETE_COMPLETE') {
      throw new ResourceFailure(
        `Embedded stack ${child.stackId} was not successfully deleted: ${failedResources(child, result, 'delete')}`,
      );
    }
  },
};

function packaged(ctx: ProviderContext, type: string, properties: Record<string, unknown>) {
  const key = type === 'AWS::Serverless::Application' ? 'Location' : 'TemplateURL';
  const url = String(packageNestedTemplate(type, properties, ctx.templateDir, ctx.nested)[key]);
  const found = ctx.nested.packages.get(url);
  if (found === undefined) throw new ResourceFailure(`No template was packaged at ${url}.`);
  return found;
}

// A nested stack takes strings only: a CommaDelimitedList must be joined first.
//   https://repost.aws/knowledge-center/cloudformation-parameters-nested-stacks
function nestedParameters(properties: Record<string, unknown>): Record<string, string> {
  const given = (properties.Parameters ?? {}) as Record<string, unknown>;
  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (typeof value === 'object' && value !== null) {
      throw new ResourceFailure(
        `Value of property Parameters must be an object with String (or simple type) properties: ${name} is ` +
          'a list or an object (join a list with Fn::Join).',
        undefined,
        true,
      );
    }
    parameters[name] = String(value);
  }
  return parameters;
}

function existing(ctx: ProviderContext, state: ResourceState): Stack {
  const child = ctx.nested.stackById(state.physicalId);
  if (child === undefined) throw new ResourceFailure(`Stack ${state.physicalId} does not exist.`);
  return child;
}

// A nested template CloudFormation refuses before it starts (a parameter's constraint) fails the resource.
async function validated(operation: () => Promise<StackOperationResult>): Promise<StackOperationResult> {
  try {
    return await operation();
  } catch (error) {
    throw new ResourceFailure(error instanceof Error ? error.message : String(error));
  }
}

function failedResources(
  child: Stack,
  result: StackOperationResult,
  verb: 'create' | 'update' | 'delete',
): string {
  const failedEvents = result.events.filter(
    (e) => e.status === `${verb.toUpperCase()}_FAILED` && e.logicalResourceId !== child.stackName,
  );
  const failed = [...new Set(failedEvents.map((e) => e.logicalResourceId))];
  const first = failedEvents.find((e) => e.reason)?.reason;
  return `The following resource(s) failed to ${verb}: [${failed.join(', ')}].${first ? ` ${first}` : ''}`;
}

function outputsOf(child: Stack): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(child.outputs()).map(([name, value]) => [`Outputs.${name}`, value]),
  );
}
