import { describe, expect, it } from 'vitest';
import { awsErrorCode, awsSaid, isAbort, isRetryableAwsError } from '../../handler/framework/aws';

describe('awsErrorCode', () => {
  it.each([
    [Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }), 'ResourceNotFoundException'],
    [Object.assign(new Error('socket'), { code: 'ECONNRESET' }), 'ECONNRESET'],
    [{ name: 7 }, 'Unknown'],
    ['text', 'Unknown'],
    [null, 'Unknown'],
  ])('reads %o as %s', (error, code) => {
    expect(awsErrorCode(error)).toBe(code);
  });
});

describe('isRetryableAwsError', () => {
  it.each([
    [Object.assign(new Error('x'), { name: 'ThrottlingException' }), true],
    [Object.assign(new Error('x'), { code: 'ETIMEDOUT' }), true],
    [Object.assign(new Error('x'), { name: 'Odd', $metadata: { httpStatusCode: 502 } }), true],
    [
      Object.assign(new Error('x'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }),
      false,
    ],
    [Object.assign(new Error('x'), { name: 'AbortError' }), false],
    [undefined, false],
  ])('says whether %o is worth another try', (error, retryable) => {
    expect(isRetryableAwsError(error)).toBe(retryable);
  });
});

describe('isAbort and awsSaid', () => {
  it('knows the caller’s abort and the deadline', () => {
    expect(isAbort(Object.assign(new Error('x'), { name: 'DeadlineError' }))).toBe(true);
    expect(isAbort('AbortError')).toBe(false);
  });

  it('writes the code and the words', () => {
    expect(awsSaid(Object.assign(new Error('no way'), { name: 'AccessDeniedException' }))).toBe(
      'AccessDeniedException: no way',
    );
    expect(awsSaid('plain')).toBe('Unknown: plain');
  });
});
