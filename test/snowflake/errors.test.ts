// The Snowflake side's errors reach CloudFormation as written: their message is the Reason, never wrapped
// as an "Unexpected error" pointing at the logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerCloudFormation } from '../../handler/framework/framework';
import {
  JwtRejectedError,
  SecretMissingError,
  SnowflakeUnavailableError,
  StatementTimeoutError,
} from '../../handler/snowflake/client/errors';
import { lambdaContext } from '../helpers/lambda-context';
import { type ResponseReceiver, startResponseReceiver } from '../helpers/response-receiver';

let receiver: ResponseReceiver;

beforeAll(async () => {
  receiver = await startResponseReceiver();
});

afterAll(async () => {
  await receiver.close();
});

describe('Snowflake errors', () => {
  it.each([
    new SecretMissingError('The Snowflake connection secret "s" does not exist: create it.'),
    new JwtRejectedError('Snowflake refused the key-pair JWT: fix "account".', 'A.U.SHA256:x', 'SHA256:x'),
    new StatementTimeoutError('CREATE API INTEGRATION "X" ran past its timeout: raise it.'),
    new SnowflakeUnavailableError('Snowflake did not answer after 5 tries. Retry the stack operation.'),
  ])('answer FAILED with their own message as the Reason: $name', async (error) => {
    const event = {
      RequestType: 'Create',
      ResponseURL: receiver.url,
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/errors/1',
      RequestId: `request-${error.name}`,
      LogicalResourceId: 'Thing',
      ResourceType: 'Custom::SnowflakeApiIntegration',
      ResourceProperties: {},
    };
    const failing = {
      dispatch: () => Promise.reject(error),
      failedCreateId: (requestId: string) => `Failed:${requestId}`,
      slowCause: 'slow',
    };

    await answerCloudFormation(event, lambdaContext(), failing);

    expect(receiver.received.at(-1)?.body).toMatchObject({ Status: 'FAILED', Reason: error.message });
  });
});
