// The Snowflake account's objects that the stand-in keeps: API and storage integrations (one IAM
// user for the whole account, a new external id on every create or replace), external functions,
// external stages, and databases with their schemas.
import { randomBytes } from 'node:crypto';
import type { IntegrationCategory } from './sql/statements';

/** An integration as stored: its properties as set (lists as arrays, ENABLED as 'true'/'false'). */
export interface IntegrationRecord {
  name: string;
  category: IntegrationCategory;
  /** The role that created it: it alone (and ACCOUNTADMIN) may see, alter, drop and use it. */
  owner: string;
  createdOn: Date;
  externalId: string;
  values: Map<string, string | string[]>;
}

/** An external function as stored. */
export interface FunctionRecord {
  database: string;
  schema: string;
  name: string;
  parameters: Array<{ name: string; type: string }>;
  returns: string;
  integration: string;
  url: string;
  owner: string;
}

/** An external stage as stored. */
export interface StageRecord {
  database: string;
  schema: string;
  name: string;
  url: string;
  /** The storage integration it reads through; undefined for a stage without one. */
  integration: string | undefined;
  comment: string | undefined;
  owner: string;
  createdOn: Date;
}

/** Integrations by name, functions by qualified name and arity, stages by qualified name, databases and their schemas. */
export class Catalog {
  private readonly integrationsByName = new Map<string, IntegrationRecord>();
  private readonly functions = new Map<string, FunctionRecord>();
  private readonly stages = new Map<string, StageRecord>();
  private readonly databases = new Map<string, Set<string>>();

  constructor(
    /** The account locator, the prefix of every external id. */
    readonly accountLocator: string,
    /** The one IAM user through which Snowflake reaches AWS for every integration of the account. */
    readonly iamUserArn: string,
  ) {}

  /** A new external id, shaped as Snowflake's: `<LOCATOR>_SFCRole=<n>_<base64>` (with + / =). */
  newExternalId(): string {
    return `${this.accountLocator}_SFCRole=2_${randomBytes(20).toString('base64')}`;
  }

  integration(name: string): IntegrationRecord | undefined {
    return this.integrationsByName.get(name);
  }

  integrations(): IntegrationRecord[] {
    return [...this.integrationsByName.values()];
  }

  putIntegration(record: IntegrationRecord): void {
    this.integrationsByName.set(record.name, record);
  }

  removeIntegration(name: string): void {
    this.integrationsByName.delete(name);
  }

  /** The function of this name taking `arity` arguments, or undefined. */
  function(database: string, schema: string, name: string, arity: number): FunctionRecord | undefined {
    return this.functions.get(functionKey(database, schema, name, arity));
  }

  /** Every function, for assertions. */
  allFunctions(): FunctionRecord[] {
    return [...this.functions.values()];
  }

  putFunction(record: FunctionRecord): void {
    this.functions.set(
      functionKey(record.database, record.schema, record.name, record.parameters.length),
      record,
    );
  }

  removeFunction(record: FunctionRecord): void {
    this.functions.delete(functionKey(record.database, record.schema, record.name, record.parameters.length));
  }

  /** The stage of this qualified name, or undefined. */
  stage(database: string, schema: string, name: string): StageRecord | undefined {
    return this.stages.get(stageKey(database, schema, name));
  }

  /** Every stage, for assertions. */
  allStages(): StageRecord[] {
    return [...this.stages.values()];
  }

  putStage(record: StageRecord): void {
    this.stages.set(stageKey(record.database, record.schema, record.name), record);
  }

  removeStage(record: StageRecord): void {
    this.stages.delete(stageKey(record.database, record.schema, record.name));
  }

  /** Creates a database with its schemas (PUBLIC always). */
  createDatabase(name: string, schemas: readonly string[] = []): void {
    const existing = this.databases.get(name) ?? new Set<string>(['PUBLIC']);
    for (const schema of schemas) existing.add(schema);
    this.databases.set(name, existing);
  }

  hasDatabase(name: string): boolean {
    return this.databases.has(name);
  }

  hasSchema(database: string, schema: string): boolean {
    return this.databases.get(database)?.has(schema) ?? false;
  }
}

function functionKey(database: string, schema: string, name: string, arity: number): string {
  return JSON.stringify([database, schema, name, arity]);
}

function stageKey(database: string, schema: string, name: string): string {
  return JSON.stringify([database, schema, name]);
}
