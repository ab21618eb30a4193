// Custom::SnowflakeApiIntegration, Custom::SnowflakeStorageIntegration, Custom::SnowflakeExternalFunction and
// Custom::SnowflakeStage: the Lambda entry point, a thin dispatcher on the resource type and the request type.

import type { Context } from 'aws-lambda';
import { CustomResourceError } from '../framework/errors';
import type { CfnEvent } from '../framework/event';
import { answerCloudFormation, type Invocation, type Outcome } from '../framework/framework';
import { apiIntegration } from './resources/api-integration';
import { createFunction, deleteFunction, updateFunction } from './resources/external-function';
import {
  createIntegration,
  deleteIntegration,
  type IntegrationKind,
  type IntegrationSpec,
  updateIntegration,
} from './resources/integration';
import { failedCreateId } from './resources/ownership';
import { type SnowflakeInvocation, snowflakeSettings } from './resources/session';
import { createStage, deleteStage, updateStage } from './resources/stage';
import { storageIntegration } from './resources/storage-integration';

const SLOW_CAUSE =
  'Snowflake did not answer in time, or Verify kept waiting for IAM to let Snowflake assume the role';

export async function handler(event: unknown, context: Context): Promise<void> {
  await answerCloudFormation(event, context, { dispatch, failedCreateId, slowCause: SLOW_CAUSE });
}

/** Not one of the three resource types this function serves. */
export class UnknownResourceTypeError extends CustomResourceError {}

function dispatch(event: CfnEvent, invocation: Invocation): Promise<Outcome> {
  // The same object: the lifecycle moves its failedPhysicalId and undo for the framework to see.
  const snowflake: SnowflakeInvocation = Object.assign(invocation, snowflakeSettings());
  switch (event.ResourceType) {
    case 'Custom::SnowflakeApiIntegration':
      return integrationRequest(apiIntegration, event, snowflake);
    case 'Custom::SnowflakeStorageIntegration':
      return integrationRequest(storageIntegration, event, snowflake);
    case 'Custom::SnowflakeExternalFunction':
      return functionRequest(event, snowflake);
    case 'Custom::SnowflakeStage':
      return stageRequest(event, snowflake);
    default:
      throw new UnknownResourceTypeError(
        `This function serves Custom::SnowflakeApiIntegration, Custom::SnowflakeStorageIntegration, Custom::SnowflakeExternalFunction and Custom::SnowflakeStage, not ${event.ResourceType}.`,
      );
  }
}

function integrationRequest<Spec extends IntegrationSpec>(
  kind: IntegrationKind<Spec>,
  event: CfnEvent,
  invocation: SnowflakeInvocation,
): Promise<Outcome> {
  const physicalId = event.PhysicalResourceId ?? '';
  switch (event.RequestType) {
    case 'Create':
      return createIntegration(kind, event.ResourceProperties, invocation);
    case 'Update':
      return updateIntegration(
        kind,
        event.ResourceProperties,
        event.OldResourceProperties,
        physicalId,
        invocation,
      );
    case 'Delete':
      return deleteIntegration(kind, event.ResourceProperties, physicalId, invocation);
  }
}

function functionRequest(event: CfnEvent, invocation: SnowflakeInvocation): Promise<Outcome> {
  const physicalId = event.PhysicalResourceId ?? '';
  switch (event.RequestType) {
    case 'Create':
      return createFunction(event.ResourceProperties, invocation);
    case 'Update':
      return updateFunction(event.ResourceProperties, event.OldResourceProperties, physicalId, invocation);
    case 'Delete':
      return deleteFunction(event.ResourceProperties, physicalId, invocation);
  }
}

function stageRequest(event: CfnEvent, invocation: SnowflakeInvocation): Promise<Outcome> {
  const physicalId = event.PhysicalResourceId ?? '';
  switch (event.RequestType) {
    case 'Create':
      return createStage(event.ResourceProperties, invocation);
    case 'Update':
      return updateStage(event.ResourceProperties, event.OldResourceProperties, physicalId, invocation);
    case 'Delete':
      return deleteStage(event.ResourceProperties, physicalId, invocation);
  }
}
