// Runs one parsed statement on the account: the dispatcher from statement type to its rules. Each rule's
// page is cited where it is modelled (integrations.ts, functions.ts, stages.ts, validate-storage.ts).
import { contextFunctions } from './context';
import {
  alterFunction,
  callFunction,
  createExternalFunction,
  dropFunction,
  grantOnFunction,
  showGrantsOnFunction,
} from './functions';
import {
  alterIntegration,
  createIntegration,
  describeIntegration,
  dropIntegration,
  showIntegrations,
} from './integrations';
import type { ResultSet } from './results';
import type { Session, Workspace } from './session';
import type { Statement } from './sql/statements';
import { alterStage, createExternalTable, createPipe, createStage, dropStage, listStage } from './stages';

/** The statement's result; throws the SnowflakeError Snowflake would answer with. */
export async function execute(statement: Statement, session: Session, space: Workspace): Promise<ResultSet> {
  switch (statement.type) {
    case 'createIntegration':
      return createIntegration(statement, session, space);
    case 'alterIntegration':
      return alterIntegration(statement, session, space);
    case 'describeIntegration':
      return describeIntegration(statement, session, space);
    case 'showIntegrations':
      return showIntegrations(statement, session, space);
    case 'dropIntegration':
      return dropIntegration(statement, session, space);
    case 'createExternalFunction':
      return createExternalFunction(statement, session, space);
    case 'dropFunction':
      return dropFunction(statement, session, space);
    case 'callFunction':
      return callFunction(statement, session, space);
    case 'contextFunctions':
      return contextFunctions(statement.functions, session);
    case 'createStage':
      return createStage(statement, session, space);
    case 'dropStage':
      return dropStage(statement, session, space);
    case 'alterStage':
      return alterStage(statement, session, space);
    case 'alterFunction':
      return alterFunction(statement, session, space);
    case 'grantOnFunction':
      return grantOnFunction(statement, session, space);
    case 'showGrantsOnFunction':
      return showGrantsOnFunction(statement, session, space);
    case 'createPipe':
      return createPipe(statement, session, space);
    case 'listStage':
      return listStage(statement, session, space);
    case 'createExternalTable':
      return createExternalTable(statement, session, space);
  }
}
