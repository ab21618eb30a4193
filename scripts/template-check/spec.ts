// The CloudFormation and SAM resource specification of @aws-cdk/aws-service-spec, seen as what the checks
// need: for a resource type, its properties, its attributes and the transform it requires.
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, TypeDefinition } from '@aws-cdk/service-spec-types';
import { CUSTOM_TYPES } from './custom-types';
import { GENERATED_TYPES } from './serverless';

/** What a resource type accepts and offers. */
export interface ResourceSchema {
  readonly properties: Readonly<Record<string, Property>>;
  /** When false, the type takes any property (a custom resource the checker does not know). */
  readonly closed: boolean;
  readonly requiredOneOf: readonly (readonly string[])[];
  /** Attribute names for Fn::GetAtt, or undefined when any name may be valid. */
  readonly attributes: readonly string[] | undefined;
  /** The transform the template must declare to use the type. */
  readonly transform: string | undefined;
}

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;

const CUSTOM_RESOURCE = 'AWS::CloudFormation::CustomResource';

/** Lookups over the specification database. */
export class ResourceSpec {
  constructor(private readonly db: SpecDatabase) {}

  /** The schema of a resource type, or undefined when the specification does not know the type. */
  schemaOf(type: string): ResourceSchema | undefined {
    if (type.startsWith('Custom::')) return this.customSchema(type);
    const resource = this.resource(type);
    if (resource === undefined) return undefined;
    const generated = GENERATED_TYPES[type];
    const attributesFrom = generated === undefined ? resource : this.resource(generated);
    return {
      properties: resource.properties,
      closed: true,
      requiredOneOf: [],
      attributes: Object.keys(attributesFrom?.attributes ?? {}),
      transform: resource.cloudFormationTransform,
    };
  }

  /** The definition a `ref` property type points at. */
  definition(type: Extract<PropertyType, { type: 'ref' }>): TypeDefinition {
    return this.db.get('typeDefinition', type.reference);
  }

  private resource(type: string) {
    return this.db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
  }

  private customSchema(type: string): ResourceSchema {
    const base = this.resource(CUSTOM_RESOURCE)?.properties ?? {};
    const custom = CUSTOM_TYPES[type];
    return {
      properties: { ...base, ...custom?.properties },
      closed: custom !== undefined,
      requiredOneOf: custom?.requiredOneOf ?? [],
      attributes: custom?.attributes,
      transform: undefined,
    };
  }
}

let loaded: ResourceSpec | undefined;

/** The specification shipped in @aws-cdk/aws-service-spec, loaded once (it takes about a second). */
export function resourceSpec(): ResourceSpec {
  loaded ??= new ResourceSpec(loadAwsServiceSpecSync());
  return loaded;
}
