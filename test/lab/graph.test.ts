// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} is CloudFormation's Fn::Sub syntax here
import { describe, expect, it } from 'vitest';
import { referencedNames, runInOrder } from '../../lab/cloudformation/graph';

const graph = () =>
  new Map([
    ['Role', new Set<string>()],
    ['Function', new Set<string>()],
    ['LinkA', new Set(['Role', 'Function'])],
    ['LinkB', new Set(['Role', 'Function'])],
  ]);

function recorder() {
  const events: string[] = [];
  const work = async (node: string) => {
    events.push(`start ${node}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    events.push(`end ${node}`);
  };
  return { events, work };
}

describe('runInOrder', () => {
  it('starts a node once its dependencies are done, independent nodes together', async () => {
    const { events, work } = recorder();

    const { completed } = await runInOrder(graph(), work);

    expect(events.slice(0, 2).sort()).toEqual(['start Function', 'start Role']);
    expect(events.indexOf('start LinkA')).toBeGreaterThan(
      Math.max(events.indexOf('end Role'), events.indexOf('end Function')),
    );
    expect(events.indexOf('start LinkB')).toBeLessThan(events.indexOf('end LinkA'));
    expect(completed.sort()).toEqual(['Function', 'LinkA', 'LinkB', 'Role']);
  });

  it('runs dependents first in reverse', async () => {
    const { events, work } = recorder();

    await runInOrder(graph(), work, { reverse: true });

    expect(events.indexOf('start Role')).toBeGreaterThan(
      Math.max(events.indexOf('end LinkA'), events.indexOf('end LinkB')),
    );
  });

  it('starts nothing new after a failure and reports the first one', async () => {
    const started: string[] = [];

    const result = await runInOrder(graph(), async (node) => {
      started.push(node);
      if (node === 'Role') throw new Error('role failed');
    });

    expect(result.failure).toEqual(new Error('role failed'));
    expect(started.sort()).toEqual(['Function', 'Role']);
  });
});

describe('referencedNames', () => {
  it('finds the names of Ref, Fn::GetAtt and Fn::Sub, nested anywhere, leaving out pseudo parameters and Sub variables', () => {
    const properties = {
      A: { Ref: 'Role' },
      B: [{ 'Fn::GetAtt': ['Function', 'Arn'] }, { 'Fn::GetAtt': 'Api.RootResourceId' }],
      C: { 'Fn::Sub': 'arn:${AWS::Partition}:x:${Bucket}/${Table.Arn}/${!Literal}' },
      D: { 'Fn::Sub': ['${X}', { X: { Ref: 'Param' } }] },
    };

    expect([...referencedNames(properties)].sort()).toEqual([
      'Api',
      'Bucket',
      'Function',
      'Param',
      'Role',
      'Table',
    ]);
  });
});
