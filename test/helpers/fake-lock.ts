// The link function's lock table behind a mocked DynamoDBClient: every lease is granted at once and every
// release lands. Tests of the lease itself (lock.test.ts) or of waiting on it program the mock further.

import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

export const dynamodbMock = mockClient(DynamoDBClient);

/** Resets the mock, grants every lease, and sets TRUST_LINK_LOCK_TABLE (the link refuses to run without). */
export function fakeLockTable(table = 'locks'): void {
  dynamodbMock.reset();
  dynamodbMock.on(UpdateItemCommand).resolves({});
  process.env.TRUST_LINK_LOCK_TABLE = table;
}
