import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloudFormationStandIn,
  type CustomResourceOutcome,
  loadTemplate,
  type Stack,
  type Template,
} from '../../lab/cloudformation';
import { IamStandIn } from '../../lab/iam';
import { handlerDir } from './tiny-handlers';

// Answers with what it serves, who asked and which code runs; FailOn lists request types to fail.
const PROVIDER = `
const p = event.ResourceProperties;
const failing = (p.FailOn || '').split(',').includes(event.RequestType);
const body = failing
  ? answer(event, { Status: 'FAILED', Reason: 'asked to fail on ' + event.RequestType, PhysicalResourceId: event.PhysicalResourceId || 'failed' })
  : answer(event, { PhysicalResourceId: 'thing', Data: { Served: process.env.SERVES, Asker: event.StackId, Code: process.env.CODE_VERSION } });
await send(event, body, {});`;

const FIXTURES = 'test/lab/fixtures/nested';
const handlers = handlerDir();
let iam: IamStandIn;
let cfn: CloudFormationStandIn;
let parent: Template;

beforeAll(async () => {
  iam = await IamStandIn.start();
  const modulePath = handlers.write('provider', PROVIDER);
  cfn = await CloudFormationStandIn.start({
    iamEndpoint: iam.endpoint,
    serviceTimeoutMs: 3000,
    templateDir: FIXTURES,
    functions: {
      ProviderFunction: { modulePath, asyncRetries: 0 },
      RenamedFunction: { modulePath, asyncRetries: 0 },
    },
    applications: {
      'arn:aws:serverlessrepo:us-east-1:123456789012:applications/provider@1.0.0': join(
        FIXTURES,
        'provider.yaml',
      ),
      'arn:aws:serverlessrepo:us-east-1:123456789012:applications/provider@1.1.0': join(
        FIXTURES,
        'provider-v2.yaml',
      ),
    },
  });
  parent = loadTemplate(join(FIXTURES, 'parent.yaml'));
});

afterAll(async () => {
  await cfn.close();
  await iam.close();
  handlers.remove();
});

let count = 0;
function newStack(): Stack {
  count += 1;
  return cfn.stack(`nest${count}`);
}

/** The parent with its provider's Location replaced. */
function withLocation(location: unknown, template = parent): Template {
  const changed = structuredClone(template);
  const provider = changed.Resources.Provider?.Properties ?? {};
  provider.Location = location;
  return changed;
}

function requestLines(outcomes: CustomResourceOutcome[]): string[] {
  return outcomes.map(({ event, status }) => `${event.RequestType} ${event.LogicalResourceId} ${status}`);
}

function providerStack(stack: Stack): Stack {
  const id = stack.resource('Provider')?.physicalId ?? '';
  const child = cfn.stackById(id);
  if (child === undefined) throw new Error(`no nested stack ${id}`);
  return child;
}

describe('CloudFormation stand-in: nested stacks', () => {
  it('creates the nested template as a stack of its own, named after the parent and the logical id', async () => {
    const stack = newStack();

    const result = await stack.create(parent);

    expect(result.status).toBe('CREATE_COMPLETE');
    const child = providerStack(stack);
    expect(child.stackName).toMatch(new RegExp(`^${stack.stackName}-Provider-[A-Z0-9]{12}$`));
    expect(child.stackId).not.toBe(stack.stackId);
    expect(stack.outputs().ProviderStackId).toBe(child.stackId);
    expect(iam.role(child.resource('ProviderRole')?.physicalId ?? '')).toBeDefined();
  });

  it('sends a parent resource’s requests with the parent’s stack id to the nested stack’s function', async () => {
    const stack = newStack();

    const result = await stack.create(parent);

    expect(requestLines(result.requests)).toEqual(['Create Thing SUCCESS']);
    expect(result.requests[0]?.event.StackId).toBe(stack.stackId);
    expect(stack.resource('Thing')?.attributes).toMatchObject({
      Served: stack.stackId,
      Asker: stack.stackId,
    });
  });

  it('runs AWS::CloudFormation::Stack from its TemplateURL the same way', async () => {
    const stack = newStack();
    const plain = structuredClone(parent);
    const { Location, ...others } = plain.Resources.Provider?.Properties ?? {};
    plain.Resources.Provider = {
      Type: 'AWS::CloudFormation::Stack',
      Properties: { ...others, TemplateURL: Location },
    };

    const result = await stack.create(plain);

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(stack.outputs().ProviderStackId).toBe(providerStack(stack).stackId);
    expect(stack.resource('Thing')?.attributes.Served).toBe(stack.stackId);
  });

  it('leaves an unchanged nested stack alone on an update of the parent', async () => {
    const stack = newStack();
    await stack.create(parent);

    const result = await stack.update({ parameters: { Value: 'v2' } });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(result.events.filter((e) => e.logicalResourceId === 'Provider')).toEqual([]);
    expect(requestLines(result.requests)).toEqual(['Update Thing SUCCESS']);
  });

  it('updates the nested stack in place when its template changes: same function, same ServiceToken', async () => {
    const stack = newStack();
    await stack.create(parent);
    const token = stack.resource('Thing')?.properties.ServiceToken;
    const child = providerStack(stack);

    const result = await stack.update({
      template: withLocation('provider-v2.yaml'),
      parameters: { Value: 'v2' },
    });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(stack.resource('Provider')?.physicalId).toBe(child.stackId);
    expect(stack.resource('Thing')?.properties.ServiceToken).toBe(token);
    expect(stack.resource('Thing')?.attributes.Code).toBe('v2');
    expect(requestLines(result.requests)).toEqual(['Update Thing SUCCESS']);
  });

  it('refuses a parent update that moves a custom resource to another ServiceToken, and rolls the nested stack back', async () => {
    const stack = newStack();
    await stack.create(parent);
    const child = providerStack(stack);
    const oldFunction = child.resource('ProviderFunction');

    const result = await stack.update({
      template: withLocation('provider-renamed.yaml'),
      parameters: { Value: 'v2' },
    });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.events).toContainEqual(
      expect.objectContaining({
        logicalResourceId: 'Thing',
        reason: 'Modifying service token is not allowed.',
      }),
    );
    // No request reached either function for the refused update; the nested stack is as it was.
    expect(result.requests.map((r) => r.event.RequestType)).not.toContain('Update');
    expect(child.resource('ProviderFunction')?.attributes.Arn).toBe(oldFunction?.attributes.Arn);
    expect(child.resource('RenamedFunction')).toBeUndefined();
  });

  it('rolls a nested stack back to its old template when the parent’s update fails after it', async () => {
    const stack = newStack();
    await stack.create(parent);
    const child = providerStack(stack);

    const result = await stack.update({
      template: withLocation('provider-v2.yaml'),
      parameters: { Value: 'v2', FailOn: 'Update' },
    });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(child.resource('ProviderFunction')?.properties).toMatchObject({
      Environment: { Variables: { CODE_VERSION: 'v1' } },
    });
  });

  it('lets a nested stack whose own update failed roll itself back, and updates it normally the next time', async () => {
    const stack = newStack();
    await stack.create(parent);
    const child = providerStack(stack);
    const text = readFileSync(join(FIXTURES, 'provider-v2.yaml'), 'utf8');
    const otherTrust = join(handlers.dir, 'provider-other-trust.yaml');
    writeFileSync(otherTrust, text.replace('lambda.amazonaws.com', 'edgelambda.amazonaws.com'));
    iam.faults.serviceFailure({ action: 'UpdateAssumeRolePolicy', times: 3 });

    const failed = await stack.update({ template: withLocation(otherTrust), parameters: { Value: 'v2' } });

    expect(failed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(
      failed.events.find((e) => e.logicalResourceId === 'Provider' && e.status === 'UPDATE_FAILED')?.reason,
    ).toMatch(/was not successfully updated: The following resource\(s\) failed to update: \[ProviderRole\]/);
    expect(child.updatePending).toBe(false);
    const next = await stack.update({
      template: withLocation('provider-v2.yaml'),
      parameters: { Value: 'v3' },
    });
    expect(next.status).toBe('UPDATE_COMPLETE');
    expect(stack.resource('Thing')?.attributes.Code).toBe('v2');
  });

  it('fails the parent when the nested stack fails, naming the embedded stack, and rolls both back', async () => {
    const stack = newStack();
    const broken = withLocation('provider.yaml');
    const params = broken.Resources.Provider?.Properties?.Parameters as Record<string, unknown>;
    params.Version = { 'Fn::Split': [',', 'a,b'] };

    const result = await stack.create(broken);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.events).toContainEqual(
      expect.objectContaining({
        logicalResourceId: 'Provider',
        status: 'CREATE_FAILED',
        reason: expect.stringContaining('Value of property Parameters must be an object with String'),
      }),
    );
    expect(result.requests).toEqual([]);
  });

  it('reports a nested stack whose resource failed as an embedded stack not created', async () => {
    const stack = newStack();
    const failing = structuredClone(parent);
    const provider = failing.Resources.Provider?.Properties ?? {};
    provider.Location = 'provider.yaml';
    provider.Parameters = { OwnerStackId: { Ref: 'AWS::StackId' }, Version: 'v1' };
    // IAM failing the nested stack's role makes the nested stack fail.
    iam.faults.serviceFailure({ action: 'CreateRole', times: 3 });

    const result = await stack.create(failing);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const failed = result.events.find(
      (e) => e.logicalResourceId === 'Provider' && e.status === 'CREATE_FAILED',
    );
    expect(failed?.reason).toMatch(
      /^Embedded stack arn:aws:cloudformation:.*was not successfully created: The following resource\(s\) failed to create: \[ProviderRole\]/,
    );
    const child = cfn.stackById(failed?.physicalResourceId ?? '');
    expect(child?.stackName).toMatch(new RegExp(`^${stack.stackName}-Provider-`));
    expect(child?.resource('ProviderRole')).toBeUndefined();
    expect(child?.resource('ProviderFunction')).toBeUndefined();
  });

  it('runs a published application named by ApplicationId and SemanticVersion, and moves it to a new version in place', async () => {
    const stack = newStack();
    const applicationId = 'arn:aws:serverlessrepo:us-east-1:123456789012:applications/provider';
    await stack.create(withLocation({ ApplicationId: applicationId, SemanticVersion: '1.0.0' }));
    const token = stack.resource('Thing')?.properties.ServiceToken;

    const result = await stack.update({
      template: withLocation({ ApplicationId: applicationId, SemanticVersion: '1.1.0' }),
      parameters: { Value: 'v2' },
    });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(stack.resource('Thing')?.properties.ServiceToken).toBe(token);
    expect(stack.resource('Thing')?.attributes.Code).toBe('v2');
  });

  it('refuses an application the lab does not know', async () => {
    const stack = newStack();

    const result = await stack.create(
      withLocation({
        ApplicationId: 'arn:aws:serverlessrepo:us-east-1:1:applications/x',
        SemanticVersion: '9.9.9',
      }),
    );

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.events.find((e) => e.status === 'CREATE_FAILED')?.reason).toContain(
      'knows no published application',
    );
  });

  it('deletes the parent’s custom resources before the nested stack, and the nested stack’s resources with it', async () => {
    const stack = newStack();
    await stack.create(parent);
    const child = providerStack(stack);
    const roleName = child.resource('ProviderRole')?.physicalId ?? '';

    const result = await stack.delete();

    expect(result.status).toBe('DELETE_COMPLETE');
    expect(requestLines(result.requests)).toEqual(['Delete Thing SUCCESS']);
    const order = result.events.filter((e) => e.status === 'DELETE_COMPLETE').map((e) => e.logicalResourceId);
    expect(order.indexOf('Thing')).toBeLessThan(order.indexOf('Provider'));
    expect(iam.role(roleName)).toBeUndefined();
    expect(child.resource('ProviderFunction')).toBeUndefined();
  });
});
