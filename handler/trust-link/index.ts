// Custom::SnowflakeTrustLink: the Lambda entry point, a thin dispatcher.

import type { Context } from 'aws-lambda';
import type { CfnEvent } from './event';
import { answerCloudFormation } from './framework';
import { type Invocation, type Outcome, onCreate, onDelete, onUpdate } from './lifecycle';

export async function handler(event: unknown, context: Context): Promise<void> {
  await answerCloudFormation(event, context, dispatch);
}

function dispatch(event: CfnEvent, invocation: Invocation): Promise<Outcome> {
  switch (event.RequestType) {
    case 'Create':
      return onCreate(event.ResourceProperties, invocation);
    case 'Update':
      return onUpdate(
        event.ResourceProperties,
        event.OldResourceProperties,
        event.PhysicalResourceId ?? '',
        invocation,
      );
    case 'Delete':
      return onDelete(event.PhysicalResourceId ?? '', event.ResourceProperties, invocation);
  }
}
