// The Snowflake account's objects that the stand-in keeps: API and storage integrations (one IAM
// user for the whole account, a new external id on every create or replace), external functions,
// external stages, pipes, and databases with their schemas. Objects that refer to others hold their
// hidden id, not their name, as Snowflake's do: a stage its storage integration
// (https://docs.snowflake.com/en/user-guide/tables-external-ts, error 003139: "The stage links to the storage
// integration using a hidden ID rather than the name"), a pipe its stage
// (https://docs.snowflake.com/en/sql-reference/sql/create-stage, usage notes: recreating a stage stops the
// pipes that reference it, STOPPED_STAGE_DROPPED).
import { randomBytes } from 'node:crypto';
import type { IntegrationCategory } from './sql/statements';

/** An integration as stored: its properties as set (lists as arrays, ENABLED as 'true'/'false'). */
export interface IntegrationRecord {
  /** The hidden id: new on every CREATE (OR REPLACE), kept by ALTER. */
  id: number;
  name: string;
  category: IntegrationCategory;
  /** The role that created it: it alone (and ACCOUNTADMIN) may see, alter, drop and use it. */
  owner: string;
  createdOn: Date;
  externalId: string;
  values: Map<string, string | string[]>;
}

/** A privilege another role holds on a function (GRANT … ON FUNCTION … TO ROLE). */
export interface FunctionGrant {
  privilege: string;
  role: string;
  grantOption: boolean;
  grantedBy: string;
  createdOn: Date;
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
  comment?: string;
  /** Grants to other roles: a CREATE OR REPLACE starts with none (CREATE EXTERNAL FUNCTION has no COPY GRANTS). */
  grants: FunctionGrant[];
}

/** An external stage as stored. */
export interface StageRecord {
  /** The hidden id: new on every CREATE (OR REPLACE), kept by ALTER. */
  id: number;
  database: string;
  schema: string;
  name: string;
  url: string;
  /** The storage integration's name as written when the stage was linked; undefined for a stage without one. */
  integration: string | undefined;
  /** The hidden id of that integration: what the stage really reads through. */
  integrationId: number | undefined;
  comment: string | undefined;
  owner: string;
  createdOn: Date;
}

/** A pipe as stored: the stage it loads from, by the stage's hidden id. */
export interface PipeRecord {
  database: string;
  schema: string;
  name: string;
  stageId: number;
  /** The stage as written in COPY INTO … FROM @stage, for messages. */
  stageName: string;
  table: string;
  owner: string;
  createdOn: Date;
}

/** An external table as stored: the stage its files are in, by the stage's hidden id. */
export interface ExternalTableRecord {
  database: string;
  schema: string;
  name: string;
  stageId: number;
  owner: string;
}

/**
 * Integrations by name, functions by qualified name and argument types (Snowflake overloads: "functions are
 * identified and resolved by their name and argument types", create-external-function), stages and pipes by
 * qualified name, databases and their schemas.
 */
export class Catalog {
  private readonly integrationsByName = new Map<string, IntegrationRecord>();
  private readonly functions = new Map<string, FunctionRecord>();
  private readonly stages = new Map<string, StageRecord>();
  private readonly pipes = new Map<string, PipeRecord>();
  private readonly externalTables = new Map<string, ExternalTableRecord>();
  private readonly databases = new Map<string, Set<string>>();
  private lastId = 0;

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

  /** A new hidden object id. */
  newId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  integration(name: string): IntegrationRecord | undefined {
    return this.integrationsByName.get(name);
  }

  /** The integration that has this hidden id now, or undefined once it was dropped or replaced. */
  integrationById(id: number): IntegrationRecord | undefined {
    return [...this.integrationsByName.values()].find((integration) => integration.id === id);
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

  /** The function of this name and argument types, or undefined. */
  function(
    database: string,
    schema: string,
    name: string,
    types: readonly string[],
  ): FunctionRecord | undefined {
    return this.functions.get(functionKey(database, schema, name, types));
  }

  /** Every function of this name taking `arity` arguments: the candidates a call resolves among. */
  functionsOf(database: string, schema: string, name: string, arity: number): FunctionRecord[] {
    return [...this.functions.values()].filter(
      (f) =>
        f.database === database && f.schema === schema && f.name === name && f.parameters.length === arity,
    );
  }

  /** Every function, for assertions. */
  allFunctions(): FunctionRecord[] {
    return [...this.functions.values()];
  }

  putFunction(record: FunctionRecord): void {
    this.functions.set(functionKey(record.database, record.schema, record.name, typesOf(record)), record);
  }

  removeFunction(record: FunctionRecord): void {
    this.functions.delete(functionKey(record.database, record.schema, record.name, typesOf(record)));
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

  /** The stage that has this hidden id now, or undefined once it was dropped or replaced. */
  stageById(id: number): StageRecord | undefined {
    return [...this.stages.values()].find((stage) => stage.id === id);
  }

  /** The pipe of this qualified name, or undefined. */
  pipe(database: string, schema: string, name: string): PipeRecord | undefined {
    return this.pipes.get(stageKey(database, schema, name));
  }

  /** Every pipe, for assertions. */
  allPipes(): PipeRecord[] {
    return [...this.pipes.values()];
  }

  /** The external table of this qualified name, or undefined. */
  externalTable(database: string, schema: string, name: string): ExternalTableRecord | undefined {
    return this.externalTables.get(stageKey(database, schema, name));
  }

  /** Every external table, for assertions. */
  allExternalTables(): ExternalTableRecord[] {
    return [...this.externalTables.values()];
  }

  putExternalTable(record: ExternalTableRecord): void {
    this.externalTables.set(stageKey(record.database, record.schema, record.name), record);
  }

  putPipe(record: PipeRecord): void {
    this.pipes.set(stageKey(record.database, record.schema, record.name), record);
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

function functionKey(database: string, schema: string, name: string, types: readonly string[]): string {
  return JSON.stringify([database, schema, name, types.map(signatureType)]);
}

function typesOf(record: FunctionRecord): string[] {
  return record.parameters.map((p) => p.type);
}

// Synonyms name one type in a signature, and precision does not count
// (https://docs.snowflake.com/en/sql-reference/intro-summary-data-types): VARCHAR(10) and STRING are VARCHAR.
const SYNONYMS: Record<string, string> = {
  STRING: 'VARCHAR',
  TEXT: 'VARCHAR',
  CHAR: 'VARCHAR',
  CHARACTER: 'VARCHAR',
  INT: 'NUMBER',
  INTEGER: 'NUMBER',
  BIGINT: 'NUMBER',
  SMALLINT: 'NUMBER',
  TINYINT: 'NUMBER',
  BYTEINT: 'NUMBER',
  DECIMAL: 'NUMBER',
  NUMERIC: 'NUMBER',
  DOUBLE: 'FLOAT',
  REAL: 'FLOAT',
  FLOAT4: 'FLOAT',
  FLOAT8: 'FLOAT',
  DATETIME: 'TIMESTAMP_NTZ',
  VARBINARY: 'BINARY',
};

/** A type as it counts in a function's signature. */
export function signatureType(type: string): string {
  const base = type.replace(/\(.*$/, '').toUpperCase();
  return SYNONYMS[base] ?? base;
}

function stageKey(database: string, schema: string, name: string): string {
  return JSON.stringify([database, schema, name]);
}
