// The XML that IAM's Query protocol answers with, as @aws-sdk/client-iam's AwsQueryProtocol reads
// it: `<{Action}Response><{Action}Result>...</{Action}Result><ResponseMetadata/>` on success and
// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>` on failure.
import type { IamError } from './errors';

const NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** A role as IAM describes it in GetRole and CreateRole answers. */
export interface RoleRecord {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  createDate: Date;
  description?: string;
  maxSessionDuration: number;
  /** The trust policy as stored: JSON text, not encoded. */
  assumeRolePolicyDocument: string;
  /** The role's tags, in the order they were first added. */
  tags: readonly RoleTag[];
}

/** One tag of a role. */
export interface RoleTag {
  key: string;
  value: string;
}

/** A success answer; `result` is the inner XML of the `...Result` element, or undefined for none. */
export function successXml(action: string, requestId: string, result?: string): string {
  const body = result === undefined ? '' : `<${action}Result>${result}</${action}Result>`;
  return (
    `<${action}Response xmlns="${NAMESPACE}">${body}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

/** An error answer. */
export function errorXml(error: IamError, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${error.type}</Type>` +
    `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** A `<Role>` element; IAM sends the trust policy URL-encoded (RFC 3986) inside the XML. */
export function roleXml(role: RoleRecord): string {
  const description =
    role.description === undefined ? '' : `<Description>${escapeXml(role.description)}</Description>`;
  return (
    `<Role><Path>${escapeXml(role.path)}</Path>` +
    `<AssumeRolePolicyDocument>${encodeRfc3986(role.assumeRolePolicyDocument)}</AssumeRolePolicyDocument>` +
    `<MaxSessionDuration>${role.maxSessionDuration}</MaxSessionDuration>` +
    `<RoleId>${role.roleId}</RoleId><RoleLastUsed/>` +
    `<RoleName>${escapeXml(role.roleName)}</RoleName><Arn>${escapeXml(role.arn)}</Arn>` +
    `<CreateDate>${role.createDate.toISOString().replace(/\.\d{3}Z$/, 'Z')}</CreateDate>${description}` +
    `${tagsXml(role.tags)}</Role>`
  );
}

// GetRole lists the role's tags; an untagged role has no Tags element.
function tagsXml(tags: readonly RoleTag[]): string {
  if (tags.length === 0) return '';
  const members = tags.map(
    (tag) => `<member><Key>${escapeXml(tag.key)}</Key><Value>${escapeXml(tag.value)}</Value></member>`,
  );
  return `<Tags>${members.join('')}</Tags>`;
}

/** encodeURIComponent that also encodes !'()*, as IAM's policy encoding does. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}
