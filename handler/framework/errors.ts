// The failures every custom resource shares. The message of each is the Reason that the person at the
// CloudFormation console reads, so it says what is wrong and what to do about it.

/** A failure the resource understands and has explained in its message; anything else is "Unexpected". */
export class CustomResourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The event is not a CloudFormation custom-resource request. */
export class MalformedEventError extends CustomResourceError {}

/** The function's time was about to run out before the work was done. */
export class DeadlineError extends CustomResourceError {}
