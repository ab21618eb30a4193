// The errors the IAM stand-in answers with: IAM's own codes, HTTP statuses and messages.

/** Who is at fault, as IAM's ErrorResponse says it: the caller (Sender) or IAM (Receiver). */
export type IamErrorType = 'Sender' | 'Receiver';

/** One IAM error as it goes on the wire: `<ErrorResponse><Error><Type/><Code/><Message/></Error>`. */
export class IamError extends Error {
  override readonly name = 'IamError';

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly type: IamErrorType = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
  }
}

/** A role that is not in the store. */
export function noSuchRole(roleName: string): IamError {
  return new IamError('NoSuchEntity', 404, `The role with name ${roleName} cannot be found.`);
}

/** A trust policy IAM refuses. */
export function malformedPolicy(message: string): IamError {
  return new IamError('MalformedPolicyDocument', 400, message);
}

/** A request parameter that breaks IAM's input constraints. */
export function validationError(message: string): IamError {
  return new IamError('ValidationError', 400, message);
}

/** The fault kinds the stand-in injects on demand, each as IAM sends it. */
export const FAULT_ERRORS = {
  Throttling: () => new IamError('Throttling', 400, 'Rate exceeded'),
  ServiceFailure: () =>
    new IamError(
      'ServiceFailure',
      500,
      'Request processing has failed due to some unknown error, exception or failure.',
    ),
  ConcurrentModification: () =>
    new IamError(
      'ConcurrentModification',
      409,
      'The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.',
    ),
} as const;

export type ErrorFault = keyof typeof FAULT_ERRORS;
