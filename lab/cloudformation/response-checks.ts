// How S3 and CloudFormation judge a custom resource's response, as pure functions: S3 refuses a PUT
// to a presigned URL that breaks the signature (method, Content-Type) or the framing; CloudFormation
// then reads the stored object and refuses a body it cannot use.

/** The most CloudFormation reads of a response object. */
export const MAX_RESPONSE_BYTES = 4096;
const MAX_PHYSICAL_ID_BYTES = 1024;

/** The request as the receiver saw it. */
export interface ResponsePut {
  method: string;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** What the response must answer: the ids of the request it belongs to. */
export interface ExpectedIds {
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
}

/** A response body CloudFormation accepted. */
export interface CfnResponseBody extends ExpectedIds {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  NoEcho?: boolean;
  Data?: Record<string, unknown>;
}

/** S3's refusal: the HTTP status and error code it answers with. */
export interface S3Refusal {
  status: number;
  code: string;
  message: string;
}

const SIGNATURE_MISMATCH: S3Refusal = {
  status: 403,
  code: 'SignatureDoesNotMatch',
  message:
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
};

/** Why S3 would refuse this PUT to a presigned URL, or undefined when it stores the object. */
export function s3Refusal(put: ResponsePut): S3Refusal | undefined {
  if (put.method !== 'PUT') return SIGNATURE_MISMATCH;
  // The URL is signed without a Content-Type: any value breaks the signature.
  const contentType = put.headers['content-type'];
  if (contentType !== undefined && contentType !== '') return SIGNATURE_MISMATCH;
  if (put.headers['content-length'] === undefined) {
    return {
      status: 411,
      code: 'MissingContentLength',
      message: 'You must provide the Content-Length HTTP header.',
    };
  }
  return undefined;
}

/**
 * What CloudFormation finds wrong with a stored response body: problems that make it refuse the
 * response (then `response` is absent), and flaws it lets through that still hurt the person at the
 * console (`warnings`).
 */
export function cfnProblems(
  body: Buffer,
  expected: ExpectedIds,
): { problems: string[]; warnings: string[]; response?: CfnResponseBody } {
  const judged = refusals(body, expected);
  if (judged.response === undefined) return { ...judged, warnings: [] };
  return { ...judged, warnings: reasonWarnings(judged.response) };
}

function refusals(body: Buffer, expected: ExpectedIds): { problems: string[]; response?: CfnResponseBody } {
  if (body.length > MAX_RESPONSE_BYTES) {
    return {
      problems: [`Response object is too long: ${body.length} bytes, the limit is ${MAX_RESPONSE_BYTES}.`],
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return {
      problems: ['Response object is not valid JSON (a Content-Length counted in characters cuts it short).'],
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problems: ['Response object is not a JSON object.'] };
  }
  const response = parsed as Record<string, unknown>;
  const problems = [
    ...statusProblems(response),
    ...physicalIdProblems(response.PhysicalResourceId),
    ...idProblems(response, expected),
    ...optionalFieldProblems(response),
  ];
  return problems.length > 0 ? { problems } : { problems, response: response as unknown as CfnResponseBody };
}

function statusProblems(response: Record<string, unknown>): string[] {
  const { Status: status, Reason: reason } = response;
  if (status !== 'SUCCESS' && status !== 'FAILED') return [`Invalid Status ${JSON.stringify(status)}.`];
  if (reason !== undefined && typeof reason !== 'string') return ['Reason is not a string.'];
  return [];
}

function reasonWarnings({ Status: status, Reason: reason }: CfnResponseBody): string[] {
  const problems: string[] = [];
  if (status === 'FAILED' && (reason === undefined || reason.trim() === '')) {
    problems.push('A FAILED response has no Reason: the console would show nothing to act on.');
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
  if (typeof reason === 'string' && /[\u0000-\u001f\u007f]/.test(reason)) {
    problems.push('Reason contains control characters, which break DescribeStackEvents.');
  }
  return problems;
}

function physicalIdProblems(id: unknown): string[] {
  if (typeof id !== 'string' || id === '') return ['PhysicalResourceId is missing or empty.'];
  if (Buffer.byteLength(id) > MAX_PHYSICAL_ID_BYTES) {
    return [`PhysicalResourceId is longer than ${MAX_PHYSICAL_ID_BYTES} bytes.`];
  }
  return [];
}

function idProblems(response: Record<string, unknown>, expected: ExpectedIds): string[] {
  return (['StackId', 'RequestId', 'LogicalResourceId'] as const)
    .filter((key) => response[key] !== expected[key])
    .map(
      (key) =>
        `${key} ${JSON.stringify(response[key])} does not match the request's ${JSON.stringify(expected[key])}.`,
    );
}

function optionalFieldProblems(response: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (response.NoEcho !== undefined && typeof response.NoEcho !== 'boolean')
    problems.push('NoEcho is not a boolean.');
  const data = response.Data;
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) {
    problems.push('Data is not a JSON object.');
  }
  return problems;
}
