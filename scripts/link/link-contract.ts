// What the link needs of a template, any template: a Custom::SnowflakeTrustLink whose SnowflakeIamUserArn
// and SnowflakeExternalId come from two of its parameters, and a way to tell, from the deployed stack,
// which role that link edits (an output, a parameter, or an ARN written in the template). This project's
// templates meet it with their ApiAwsRoleArn / StorageAwsRoleArn outputs; a user's template meets it with
// its own names. A template that does not is refused with what is missing (docs/link-script.md).

import type { Json, Template } from '../template-check/template';
import { isJson } from '../template-check/template';
import { StackError } from './errors';
import { kindsWithOutputs, STATUS_OUTPUT, type StackKind } from './stack-kind';

export const LINK_TYPE = 'Custom::SnowflakeTrustLink';

/** The template parameters the two DESCRIBE values are deployed as. */
export interface ParameterNames {
  readonly userArn: string;
  readonly externalId: string;
}

export const DEFAULT_PARAMETERS: ParameterNames = {
  userArn: 'SnowflakeIamUserArn',
  externalId: 'SnowflakeExternalId',
};

/** Where the deployed stack says which role its link edits. */
export type RoleSource =
  | { readonly kind: 'output'; readonly output: string }
  | { readonly kind: 'parameter'; readonly parameter: string }
  | { readonly kind: 'literal'; readonly arn: string };

/** The template's side of the contract, found and checked. */
export interface LinkContract {
  readonly parameters: ParameterNames;
  /** The links fed by those parameters (logical ids). */
  readonly links: readonly string[];
  readonly role: RoleSource;
  /** SnowflakeTrustLinkStatus when the template declares it; else success is read from status and parameters. */
  readonly statusOutput?: string;
  /** The project's stack kind when the template is one of this project's; undefined for a user's template. */
  readonly projectKind?: StackKind;
}

export interface ContractOptions {
  readonly parameters: ParameterNames;
  /** --role-output: the output that holds the role's ARN. */
  readonly roleOutput?: string;
}

/** The contract the template at path meets for a link of this kind; throws StackError naming what is missing. */
export function linkContract(
  template: Template,
  path: string,
  kind: StackKind,
  options: ContractOptions,
): LinkContract {
  const outputs = template.Outputs ?? {};
  const projectKind = projectKindOf(outputs, path, kind);
  const { parameters } = options;
  const fed = fedLinks(template, path, parameters);
  requireDeclared(template, path, parameters);
  const role =
    options.roleOutput !== undefined
      ? declaredOutput(outputs, options.roleOutput, path)
      : projectKind !== undefined
        ? ({ kind: 'output', output: projectKind.roleOutput } as const)
        : roleSource(template, path, fed);
  return {
    parameters,
    links: fed.map(([id]) => id),
    role,
    statusOutput: Object.hasOwn(outputs, STATUS_OUTPUT) ? STATUS_OUTPUT : undefined,
    projectKind,
  };
}

/** How messages name where the role comes from: "output ApiAwsRoleArn", "parameter RoleArn"... */
export function roleSourceText(role: RoleSource): string {
  switch (role.kind) {
    case 'output':
      return `output ${role.output}`;
    case 'parameter':
      return `parameter ${role.parameter}`;
    case 'literal':
      return "the link's RoleArn in the template";
  }
}

// One of this project's templates is held to its kind, as before: the gateway's is not the storage stack's.
function projectKindOf(outputs: Record<string, Json>, path: string, kind: StackKind): StackKind | undefined {
  const kinds = kindsWithOutputs(Object.keys(outputs));
  if (kinds.includes(kind)) return kind;
  const other = kinds[0];
  if (other === undefined) return undefined;
  throw new StackError(
    `${path} is the template of ${other.title} (it has output ${other.roleOutput}), but a ${kind.integration} ` +
      `integration is linked through ${kind.title}, deployed from ${kind.templateFile} (output ${kind.roleOutput}). ` +
      `Give --template-file ${kind.templateFile}, or leave --template-file out.`,
  );
}

type LinkResource = [id: string, properties: Json];

function fedLinks(template: Template, path: string, parameters: ParameterNames): LinkResource[] {
  const links = Object.entries(template.Resources ?? {})
    .filter(([, resource]) => resource.Type === LINK_TYPE)
    .map(([id, resource]): LinkResource => [id, isJson(resource.Properties) ? resource.Properties : {}]);
  if (links.length === 0) {
    throw new StackError(
      `${path} has no ${LINK_TYPE} resource, so there is nothing for the values to link. Give the --template-file ` +
        `of the stack that holds the link (docs/link-script.md, "Your own template").`,
    );
  }
  const fed = links.filter(
    ([, properties]) =>
      refersTo(properties.SnowflakeIamUserArn, parameters.userArn) &&
      refersTo(properties.SnowflakeExternalId, parameters.externalId),
  );
  if (fed.length > 0) return fed;
  const seen = links.map(([id, properties]) => feedingText(id, properties)).join('; ');
  throw new StackError(
    `${path}: no ${LINK_TYPE} takes SnowflakeIamUserArn from parameter ${parameters.userArn} and ` +
      `SnowflakeExternalId from parameter ${parameters.externalId} (${seen}). Give --user-arn-parameter and ` +
      '--external-id-parameter with the parameters your link uses.',
  );
}

function feedingText(id: string, properties: Json): string {
  const from = (property: string) => {
    const names = referencedParameters(properties[property]);
    return names.length === 0 ? `${property} from no parameter` : `${property} from ${names.join(', ')}`;
  };
  return `${id} takes ${from('SnowflakeIamUserArn')} and ${from('SnowflakeExternalId')}`;
}

function requireDeclared(template: Template, path: string, parameters: ParameterNames): void {
  const declared = template.Parameters ?? {};
  const missing = [parameters.userArn, parameters.externalId].filter(
    (name) => !Object.hasOwn(declared, name),
  );
  if (missing.length === 0) return;
  throw new StackError(
    `${path} declares no parameter ${missing.join(' or ')}: sam deploy passes the values as parameters, and ` +
      'CloudFormation refuses one the template lacks.',
  );
}

function declaredOutput(outputs: Record<string, Json>, output: string, path: string): RoleSource {
  if (Object.hasOwn(outputs, output)) return { kind: 'output', output };
  const has = Object.keys(outputs).join(', ') || 'none';
  throw new StackError(`--role-output ${output}: ${path} declares no such output (it has ${has}).`);
}

// The role the links edit, as the deployed stack can tell it.
function roleSource(template: Template, path: string, fed: readonly LinkResource[]): RoleSource {
  const roles = [
    ...new Map(fed.map(([id, p]) => [JSON.stringify(normalized(p.RoleArn)), [id, p.RoleArn]])).values(),
  ];
  if (roles.length > 1) {
    throw new StackError(
      `${path}: the links ${fed.map(([id]) => id).join(', ')} edit different roles; give --role-output ` +
        'with the output that holds the ARN of the role this integration names.',
    );
  }
  const [id, roleArn] = roles[0] as [string, unknown];
  if (typeof roleArn === 'string') return { kind: 'literal', arn: roleArn };
  const parameter = isJson(roleArn) && typeof roleArn.Ref === 'string' ? roleArn.Ref : undefined;
  if (parameter !== undefined && Object.hasOwn(template.Parameters ?? {}, parameter)) {
    return { kind: 'parameter', parameter };
  }
  const wanted = JSON.stringify(normalized(roleArn));
  const output = Object.entries(template.Outputs ?? {}).find(
    ([, declared]) => JSON.stringify(normalized(declared.Value)) === wanted,
  );
  if (output !== undefined) return { kind: 'output', output: output[0] };
  throw new StackError(
    `${path}: ${id}'s RoleArn is ${JSON.stringify(roleArn)}, and no output has that value, so the deployed stack ` +
      'cannot say which role it links. Add an output with that Value, or give --role-output NAME.',
  );
}

// !GetAtt A.B and Fn::GetAtt: [A, B] are the same value.
function normalized(value: unknown): unknown {
  if (isJson(value) && typeof value['Fn::GetAtt'] === 'string') {
    const [resource, ...attribute] = value['Fn::GetAtt'].split('.');
    return { 'Fn::GetAtt': [resource, attribute.join('.')] };
  }
  return value;
}

/** Whether an expression takes the parameter's value: a Ref to it, or ${name} in a Fn::Sub. */
function refersTo(value: unknown, parameter: string): boolean {
  return referencedParameters(value).includes(parameter);
}

function referencedParameters(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedParameters);
  if (!isJson(value)) return [];
  if (typeof value.Ref === 'string') return [value.Ref];
  const sub = value['Fn::Sub'];
  const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : '';
  const inSub = [...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((match) => match[1] as string);
  return [...inSub, ...Object.values(value).flatMap(referencedParameters)];
}
