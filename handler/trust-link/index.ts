// Custom::SnowflakeTrustLink: the Lambda entry point, a thin dispatcher.

import type { Context } from 'aws-lambda';
import type { CfnEvent } from '../framework/event';
import { answerCloudFormation, type Invocation, type Outcome } from '../framework/framework';
import { onCreate, onDelete, onUpdate } from './lifecycle';
import { createFailedPhysicalId } from './physical-id';
import { onRevocationCreateOrUpdate, onRevocationDelete, REVOCATION_TYPE } from './revocation';
import { linkSettings } from './settings';

const SLOW_CAUSE = 'IAM did not answer in time, or other links on the same role held it that long';

export async function handler(event: unknown, context: Context): Promise<void> {
  await answerCloudFormation(event, context, {
    dispatch,
    failedCreateId: createFailedPhysicalId,
    slowCause: SLOW_CAUSE,
  });
}

function dispatch(event: CfnEvent, invocation: Invocation): Promise<Outcome> {
  // The same object: the lifecycle moves its failedPhysicalId and undo for the framework to see.
  const link = Object.assign(invocation, linkSettings());
  if (event.ResourceType === REVOCATION_TYPE) {
    return event.RequestType === 'Delete'
      ? onRevocationDelete(event.PhysicalResourceId ?? '', link)
      : onRevocationCreateOrUpdate(event.ResourceProperties, link);
  }
  switch (event.RequestType) {
    case 'Create':
      return onCreate(event.ResourceProperties, link);
    case 'Update':
      return onUpdate(
        event.ResourceProperties,
        event.OldResourceProperties,
        event.PhysicalResourceId ?? '',
        link,
      );
    case 'Delete':
      return onDelete(event.PhysicalResourceId ?? '', event.ResourceProperties, link);
  }
}
