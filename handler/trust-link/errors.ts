// The link's typed failures. The message of each is the Reason that the person at the CloudFormation
// console reads, so it says what is wrong and what to do about it.

import { CustomResourceError } from '../framework/errors';

export { DeadlineError, MalformedEventError } from '../framework/errors';

/** A failure the link understands and has explained in its message. */
export class TrustLinkError extends CustomResourceError {}

/** The resource's properties are not usable; nothing was read or written. */
export class InvalidPropertiesError extends TrustLinkError {}

/** The role to link does not exist (or the ARN given names another account's role). */
export class RoleNotFoundError extends TrustLinkError {}

/** IAM refused a call, or did not answer; the message carries IAM's own words. */
export class IamRefusedError extends TrustLinkError {
  /** The same call may succeed later: throttling, a 5xx, a concurrent change, the network. */
  readonly retryable: boolean;
  /** IAM answered with a refusal, so the call changed nothing (unlike a timeout or a 5xx). */
  readonly changedNothing: boolean;

  constructor(
    message: string,
    options: { cause?: unknown; retryable?: boolean; changedNothing?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
    this.changedNothing = options.changedNothing ?? false;
  }
}

/** The link's Sid is held by a statement the link did not write; nothing was written. */
export class SidInUseError extends TrustLinkError {}

/** Other writers kept removing the link's statement; the link gave up after a bounded number of writes. */
export class LinkNotConfirmedError extends TrustLinkError {}

/** The lease that serializes links on one role could not be taken (no table, no permission). */
export class LockUnavailableError extends TrustLinkError {}

/** A link of another stack owns the statement under this Sid; nothing was written. */
export class OwnedElsewhereError extends TrustLinkError {}

/** The request comes from a stack this function does not serve; nothing was read or written. */
export class ForeignStackError extends TrustLinkError {}

/** The cleanup's revocation of a rotation's old external ids failed: they are still trusted. */
export class RevocationFailedError extends TrustLinkError {}
