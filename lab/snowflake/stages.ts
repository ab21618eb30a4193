// The stage statements on the catalog, with the rules the other objects follow: the database and schema
// must exist; the storage integration must be one the role may see (standing in for USAGE on it); a stage
// is seen, replaced and dropped only by its owner role and ACCOUNTADMIN.
import { alreadyExists, doesNotExist, insufficientPrivilegesOn } from './errors';
import { located, ownedBy } from './functions';
import { visibleTo } from './integrations';
import { type ResultSet, statusResult } from './results';
import type { Session, Workspace } from './session';
import type { Statement } from './sql/statements';

type Of<T extends Statement['type']> = Extract<Statement, { type: T }>;

/** CREATE [OR REPLACE] STAGE [IF NOT EXISTS] name URL = '...' [STORAGE_INTEGRATION = name] [COMMENT = '...']. */
export function createStage(statement: Of<'createStage'>, session: Session, space: Workspace): ResultSet {
  const { database, schema } = located(statement.name, session, space, 'CREATE STAGE');
  const name = statement.name.name;
  const existing = space.catalog.stage(database, schema, name);
  if (existing !== undefined && statement.ifNotExists) {
    return statusResult(`${name} already exists, statement succeeded.`);
  }
  if (existing !== undefined && !statement.orReplace) throw alreadyExists(name);
  if (existing !== undefined && !ownedBy(existing, session)) throw insufficientPrivilegesOn('stage', name);
  if (statement.integration !== undefined) {
    const integration = space.catalog.integration(statement.integration);
    if (!visibleTo(integration, session) || integration?.category !== 'STORAGE') {
      throw doesNotExist('Integration', statement.integration);
    }
  }
  space.catalog.putStage({
    database,
    schema,
    name,
    url: statement.url,
    integration: statement.integration,
    comment: statement.comment,
    owner: session.role,
    createdOn: new Date(),
  });
  return statusResult(`Stage area ${name} successfully created.`);
}

/** DROP STAGE [IF EXISTS] name: a stage the role does not own is, to it, one that does not exist. */
export function dropStage(statement: Of<'dropStage'>, session: Session, space: Workspace): ResultSet {
  const { database, schema } = located(statement.name, session, space, 'DROP STAGE');
  const name = statement.name.name;
  const stage = space.catalog.stage(database, schema, name);
  if (stage === undefined || !ownedBy(stage, session)) {
    if (statement.ifExists)
      return statusResult(`Drop statement executed successfully (${name} already dropped).`);
    throw doesNotExist('Stage', name);
  }
  space.catalog.removeStage(stage);
  return statusResult(`${name} successfully dropped.`);
}
