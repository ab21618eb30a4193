// The statements the stand-in understands, as typed values: what the parsers produce and the
// executor runs. Names are as Snowflake resolves them: unquoted upper case, quoted as written.
import type { PropertyValue } from './cursor';

/** Which kind of integration a statement names; undefined when it says only INTEGRATION. */
export type IntegrationCategory = 'API' | 'STORAGE';

/** The context functions the stand-in answers: who the session is. */
export type ContextFunction = 'CURRENT_USER' | 'CURRENT_ROLE';

/** A name with its optional database and schema. */
export interface QualifiedName {
  database?: string;
  schema?: string;
  name: string;
}

/** A literal argument of a function call, or a `?` that takes the request's binding of that position. */
export type Argument =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'binding'; index: number };

export type Statement =
  | {
      type: 'createIntegration';
      category: IntegrationCategory;
      name: string;
      orReplace: boolean;
      ifNotExists: boolean;
      properties: Record<string, PropertyValue>;
    }
  | {
      type: 'alterIntegration';
      category: IntegrationCategory | undefined;
      name: string;
      ifExists: boolean;
      set: Record<string, PropertyValue>;
      unset: string[];
    }
  | { type: 'describeIntegration'; category: IntegrationCategory | undefined; name: string }
  | { type: 'showIntegrations'; category: IntegrationCategory | undefined; like: string | undefined }
  | { type: 'dropIntegration'; category: IntegrationCategory | undefined; name: string; ifExists: boolean }
  | {
      type: 'createExternalFunction';
      name: QualifiedName;
      orReplace: boolean;
      ifNotExists: boolean;
      parameters: Array<{ name: string; type: string }>;
      returns: string;
      integration: string;
      url: string;
    }
  | { type: 'dropFunction'; name: QualifiedName; ifExists: boolean; argumentTypes: string[] }
  | { type: 'callFunction'; name: QualifiedName; arguments: Argument[]; column: string }
  | { type: 'contextFunctions'; functions: ContextFunction[] }
  | {
      type: 'createStage';
      name: QualifiedName;
      orReplace: boolean;
      ifNotExists: boolean;
      url: string;
      integration?: string;
      comment?: string;
    }
  | { type: 'dropStage'; name: QualifiedName; ifExists: boolean }
  | {
      type: 'alterStage';
      name: QualifiedName;
      ifExists: boolean;
      url?: string;
      integration?: string;
      comment?: string;
    }
  | {
      type: 'alterFunction';
      name: QualifiedName;
      ifExists: boolean;
      argumentTypes: string[];
      /** The one property set (SET) or removed (UNSET), as the ALTER FUNCTION forms take one each. */
      set?: { property: FunctionProperty; value: string };
      unset?: FunctionProperty;
    }
  | {
      type: 'grantOnFunction';
      privileges: string[];
      name: QualifiedName;
      argumentTypes: string[];
      role: string;
      grantOption: boolean;
    }
  | { type: 'showGrantsOnFunction'; name: QualifiedName; argumentTypes: string[] }
  | {
      type: 'createPipe';
      name: QualifiedName;
      orReplace: boolean;
      ifNotExists: boolean;
      table: QualifiedName;
      stage: QualifiedName;
    }
  | { type: 'listStage'; stage: QualifiedName }
  | {
      type: 'createExternalTable';
      name: QualifiedName;
      orReplace: boolean;
      ifNotExists: boolean;
      stage: QualifiedName;
    };

/** What ALTER FUNCTION … SET / UNSET may change on an external function (alter-function, "External functions"). */
export type FunctionProperty =
  | 'API_INTEGRATION'
  | 'HEADERS'
  | 'CONTEXT_HEADERS'
  | 'MAX_BATCH_ROWS'
  | 'COMPRESSION'
  | 'REQUEST_TRANSLATOR'
  | 'RESPONSE_TRANSLATOR'
  | 'COMMENT';
