// A deployed stack as the link sees it: read from DescribeStacks once, into plain values.

/** What DescribeStacks says about one stack. */
export interface DeployedStack {
  readonly name: string;
  /** StackStatus: UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, ... */
  readonly status: string;
  /** LastUpdatedTime as ISO text; it moves whenever a change set is executed. */
  readonly lastUpdated?: string;
  readonly parameters: ReadonlyMap<string, string>;
  readonly outputs: ReadonlyMap<string, string>;
}

/** Whether CloudFormation finished and kept what it did: *_COMPLETE, and no rollback. */
export function isSettled(status: string): boolean {
  return status.endsWith('_COMPLETE') && !status.includes('ROLLBACK');
}
