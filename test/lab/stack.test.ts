import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CloudFormationStandIn,
  type CustomResourceOutcome,
  loadTemplate,
  parseTemplate,
  type Stack,
  StackValidationError,
  type Template,
} from '../../lab/cloudformation';
import { IamStandIn } from '../../lab/iam';
import { handlerDir } from './tiny-handlers';

// Answers as asked through its properties: FailOn lists request types to fail, Value "silent" never answers.
const THING = `
const p = event.ResourceProperties;
if (p.Value === 'silent') return;
const failing = (p.FailOn || '').split(',').includes(event.RequestType);
const body = failing
  ? answer(event, { Status: 'FAILED', Reason: 'asked to fail on ' + event.RequestType, PhysicalResourceId: event.PhysicalResourceId || 'failed-' + p.Name })
  : answer(event, { PhysicalResourceId: event.RequestType === 'Delete' ? event.PhysicalResourceId : 'thing-' + p.Name, Data: { Echo: p.Value + '!' } });
await send(event, body, {});`;

const handlers = handlerDir();
let iam: IamStandIn;
let cfn: CloudFormationStandIn;
let template: Template;
let stack: Stack;

beforeAll(async () => {
  iam = await IamStandIn.start();
  cfn = await CloudFormationStandIn.start({
    iamEndpoint: iam.endpoint,
    serviceTimeoutMs: 1500,
    functions: { ThingFunction: { modulePath: handlers.write('thing', THING), asyncRetries: 0 } },
  });
  template = loadTemplate('test/lab/fixtures/stack.yaml');
});

beforeEach(() => {
  stack = cfn.stack(`lab-${Math.random().toString(36).slice(2, 8)}`);
});

afterAll(async () => {
  await cfn.close();
  await iam.close();
  handlers.remove();
});

function requests(outcomes: CustomResourceOutcome[]): string[] {
  return outcomes.map(
    ({ event, status }) =>
      `${event.RequestType} ${event.LogicalResourceId} ${event.PhysicalResourceId ?? '-'} ${status}`,
  );
}

describe('CloudFormation stand-in stacks', () => {
  it('creates the template’s resources in dependency order, the role in IAM', async () => {
    const result = await stack.create(template, { WithFollower: 'yes' });

    const roleName = stack.resource('Role')?.physicalId ?? '';
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(iam.trustPolicy(roleName)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' },
      ],
    });
    expect(requests(result.requests)).toEqual(['Create Thing - SUCCESS', 'Create Follower - SUCCESS']);
    expect(result.requests[1]?.event.ResourceProperties).toMatchObject({
      Name: 'firstfollower',
      Value: 'v1!',
    });
  });

  it('sends properties as strings, with ServiceToken and the resolved Ref of the role', async () => {
    const result = await stack.create(template);

    expect(result.requests[0]?.event).toMatchObject({
      ResourceType: 'Custom::Thing',
      StackId: stack.stackId,
      ServiceToken: expect.stringMatching(
        /^arn:aws:lambda:us-east-1:123456789012:function:lab-\w+-ThingFunction-/,
      ),
      ResourceProperties: {
        Count: '3',
        Flag: 'true',
        ServiceTimeout: '2',
        RoleName: stack.resource('Role')?.physicalId,
      },
    });
  });

  it('updates in place when the physical id stays, with the old properties alongside', async () => {
    await stack.create(template);

    const result = await stack.update({ parameters: { Value: 'v2' } });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(requests(result.requests)).toEqual(['Update Thing thing-first SUCCESS']);
    expect(result.requests[0]?.event.OldResourceProperties).toMatchObject({ Value: 'v1' });
  });

  it('sends no request for a resource whose properties did not change', async () => {
    await stack.create(template);

    const result = await stack.update({ parameters: {} });

    expect(result).toMatchObject({ status: 'UPDATE_COMPLETE', requests: [] });
  });

  it('deletes the old physical id after an update that returns a new one', async () => {
    await stack.create(template);

    const result = await stack.update({ parameters: { Name: 'second' } });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(requests(result.requests)).toEqual([
      'Update Thing thing-first SUCCESS',
      'Delete Thing thing-first SUCCESS',
    ]);
    expect(stack.resource('Thing')?.physicalId).toBe('thing-second');
  });

  it('rolls a FAILED update back with an Update whose new properties are the old ones', async () => {
    await stack.create(template);

    const result = await stack.update({ parameters: { Value: 'v2', FailOn: 'Update' } });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(requests(result.requests)).toEqual([
      'Update Thing thing-first FAILED',
      'Update Thing thing-first SUCCESS',
    ]);
    expect(result.requests[1]?.event.ResourceProperties).toMatchObject({ Value: 'v1', FailOn: '' });
    expect(result.requests[1]?.event.OldResourceProperties).toMatchObject({ Value: 'v2', FailOn: 'Update' });
  });

  it('deletes the new physical id, not the old, when a replacement is rolled back', async () => {
    await stack.create(template, { WithFollower: 'yes' });

    const result = await stack.update({ parameters: { Name: 'second', FollowerFailOn: 'Update' } });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(requests(result.requests)).toEqual([
      'Update Thing thing-first SUCCESS',
      'Update Follower thing-firstfollower FAILED',
      'Update Follower thing-firstfollower SUCCESS',
      'Delete Thing thing-second SUCCESS',
    ]);
    expect(stack.resource('Thing')?.physicalId).toBe('thing-first');
  });

  it('deletes a FAILED create with the physical id it answered, and rolls the stack back', async () => {
    const result = await stack.create(template, { FailOn: 'Create' });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const roleName = result.events.find((e) => e.logicalResourceId === 'Role')?.physicalResourceId;
    expect(requests(result.requests)).toEqual(['Create Thing - FAILED', 'Delete Thing failed-first SUCCESS']);
    expect(iam.role(roleName ?? '')).toBeUndefined();
    expect(iam.callsOf('DeleteRole', roleName)).toHaveLength(1);
  });

  it('fails a resource that does not answer within its ServiceTimeout, and its rollback Delete too', async () => {
    const result = await stack.create(template, { Value: 'silent' });

    expect(result.status).toBe('ROLLBACK_FAILED');
    expect(
      result.events.filter((e) => e.logicalResourceId === 'Thing').map((e) => [e.status, e.reason]),
    ).toEqual([
      ['CREATE_IN_PROGRESS', undefined],
      ['CREATE_FAILED', expect.stringContaining('did not receive a response')],
      ['DELETE_IN_PROGRESS', undefined],
      ['DELETE_FAILED', expect.stringContaining('did not receive a response')],
    ]);
  });

  it('deletes a resource whose condition turns false, in the cleanup', async () => {
    await stack.create(template, { WithFollower: 'yes' });

    const result = await stack.update({ parameters: { WithFollower: 'no' } });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(requests(result.requests)).toEqual(['Delete Follower thing-firstfollower SUCCESS']);
  });

  it('deletes every resource, dependents first', async () => {
    await stack.create(template, { WithFollower: 'yes' });
    const roleName = stack.resource('Role')?.physicalId ?? '';

    const result = await stack.delete();

    expect(result.status).toBe('DELETE_COMPLETE');
    expect(requests(result.requests)).toEqual([
      'Delete Follower thing-firstfollower SUCCESS',
      'Delete Thing thing-first SUCCESS',
    ]);
    expect(iam.role(roleName)).toBeUndefined();
  });

  it('resolves Outputs, attributes of custom resources included, where their condition holds', async () => {
    await stack.create(template, { WithFollower: 'yes' });

    expect(stack.outputs()).toEqual({
      RoleArn: `arn:aws:iam::123456789012:role/${stack.resource('Role')?.physicalId}`,
      Echo: 'v1!',
      FollowerEcho: 'v1!!',
    });
  });

  it('refuses to change a custom resource’s ServiceToken, as CloudFormation does', async () => {
    await stack.create(template);
    const changed = structuredClone(template);
    const thing = changed.Resources.Thing?.Properties ?? {};
    thing.ServiceToken = 'arn:aws:lambda:us-east-1:123456789012:function:another';

    const result = await stack.update({ template: changed });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.events).toContainEqual(
      expect.objectContaining({
        logicalResourceId: 'Thing',
        reason: 'Modifying service token is not allowed.',
      }),
    );
  });

  it('refuses parameter values that break their constraints before anything moves', async () => {
    const calls = iam.calls.length;

    await expect(stack.create(template, { Name: 'Not-Allowed' })).rejects.toThrow(StackValidationError);
    await expect(stack.create(template, { Unknown: 'x' })).rejects.toThrow('do not exist in the template');
    expect(iam.calls.length).toBe(calls);
  });

  it('finds no problem with the responses of a well-behaved handler', async () => {
    await stack.create(template, { WithFollower: 'yes' });
    await stack.delete();
    await cfn.settled();

    expect(cfn.violations.filter((v) => v.slot.StackId === stack.stackId)).toEqual([]);
  });

  it('names a bucket in lower case as CloudFormation does, or as its BucketName says', async () => {
    const buckets = parseTemplate(
      'Resources:\n  Generated: { Type: AWS::S3::Bucket }\n  Named: { Type: AWS::S3::Bucket, Properties: { BucketName: my-bucket } }\n',
    );
    const upperCase = cfn.stack('Lab-Buckets');

    await upperCase.create(buckets);

    expect(upperCase.resource('Generated')?.physicalId).toMatch(/^lab-buckets-generated-[a-z0-9]{12}$/);
    expect(upperCase.resource('Named')?.physicalId).toBe('my-bucket');
  });
});
