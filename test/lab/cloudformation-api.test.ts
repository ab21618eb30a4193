import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab, type Template } from '../../lab';

let lab: Lab;
let client: CloudFormationClient;

// 120 roles: more than one page of ListStackResources.
const MANY_ROLES: Template = {
  Resources: Object.fromEntries(
    Array.from({ length: 120 }, (_, i) => [
      `Role${i}`,
      {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
            ],
          },
        },
      },
    ]),
  ),
  Outputs: { First: { Value: { Ref: 'Role0' } } },
};

beforeAll(async () => {
  lab = await startLab();
  client = new CloudFormationClient({
    endpoint: (await lab.cfn.api()).endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIALABLABLABLABLAB1', secretAccessKey: 'lab' },
  });
});
afterAll(async () => {
  client.destroy();
  await lab.close();
});

describe("the lab's CloudFormation read API", () => {
  it('describes a stack as the SDK reads it: id, status and outputs', async () => {
    const stack = lab.cfn.stack('api-describe');
    await stack.create(MANY_ROLES);

    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: 'api-describe' }));

    expect(Stacks).toEqual([
      expect.objectContaining({
        StackName: 'api-describe',
        StackId: stack.stackId,
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          expect.objectContaining({ OutputKey: 'First', OutputValue: stack.resource('Role0')?.physicalId }),
        ],
      }),
    ]);
  });

  it('lists every resource across pages', async () => {
    const stack = lab.cfn.stack('api-list');
    await stack.create(MANY_ROLES);

    const first = await client.send(new ListStackResourcesCommand({ StackName: 'api-list' }));
    const second = await client.send(
      new ListStackResourcesCommand({ StackName: 'api-list', NextToken: first.NextToken }),
    );

    expect(first.StackResourceSummaries).toHaveLength(100);
    expect(second.StackResourceSummaries).toHaveLength(20);
    expect(second.NextToken).toBeUndefined();
    expect(second.StackResourceSummaries?.[0]).toMatchObject({
      ResourceType: 'AWS::IAM::Role',
      ResourceStatus: 'CREATE_COMPLETE',
    });
  });

  it('answers ValidationError for a stack that does not exist, and for a deleted one by name', async () => {
    const stack = lab.cfn.stack('api-deleted');
    await stack.create(MANY_ROLES);
    await stack.delete();

    const byName = client.send(new DescribeStacksCommand({ StackName: 'api-deleted' }));
    await expect(byName).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id api-deleted does not exist',
    });
    const byId = await client.send(new DescribeStacksCommand({ StackName: stack.stackId }));
    expect(byId.Stacks?.[0]?.StackStatus).toBe('DELETE_COMPLETE');
  });
});
