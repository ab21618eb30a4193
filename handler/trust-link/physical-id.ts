// Physical resource ids. The id names the role and the Sid, so a change of either is a replacement,
// and a Delete knows what to undo from the id alone.

const PREFIX = 'SnowflakeTrustLink';
const CREATE_FAILED = `${PREFIX}-CreateFailed`;
const LINK_ID = /^SnowflakeTrustLink:([\w+=,.@-]{1,64}):([A-Za-z0-9]{1,128})$/;

/** The id of the link of one Sid on one role. */
export function linkPhysicalId(roleName: string, sid: string): string {
  return `${PREFIX}:${roleName}:${sid}`;
}

/** The id a failed Create answers with: the Delete that follows sees it and touches nothing. */
export function createFailedPhysicalId(requestId: string): string {
  return `${CREATE_FAILED}:${requestId}`;
}

/** The role and Sid a link id names, or undefined for any other id (a failed Create's marker included). */
export function parseLinkPhysicalId(physicalId: string): { roleName: string; sid: string } | undefined {
  const match = LINK_ID.exec(physicalId);
  return match?.[1] && match[2] ? { roleName: match[1], sid: match[2] } : undefined;
}

/** Whether two ids name the same link: IAM role names are unique without regard to case, Sids are not. */
export function sameLink(a: string, b: string): boolean {
  const [first, second] = [parseLinkPhysicalId(a), parseLinkPhysicalId(b)];
  return (
    first !== undefined &&
    second !== undefined &&
    first.roleName.toLowerCase() === second.roleName.toLowerCase() &&
    first.sid === second.sid
  );
}

const REVOCATION_PREFIX = 'SnowflakeTrustLinkRevocation';
const REVOCATION_ID = /^SnowflakeTrustLinkRevocation:([\w+=,.@-]{1,64}):([A-Za-z0-9]{1,128}):([0-9a-f]{12})$/;

/** The id of a revocation: the link's role and Sid, and the digest of the id current when it was made. */
export function revocationPhysicalId(roleName: string, sid: string, currentDigest: string): string {
  return `${REVOCATION_PREFIX}:${roleName}:${sid}:${currentDigest}`;
}

/** The role, Sid and current id's digest a revocation id names, or undefined for any other id. */
export function parseRevocationPhysicalId(
  physicalId: string,
): { roleName: string; sid: string; current: string } | undefined {
  const match = REVOCATION_ID.exec(physicalId);
  return match?.[1] && match[2] && match[3]
    ? { roleName: match[1], sid: match[2], current: match[3] }
    : undefined;
}
