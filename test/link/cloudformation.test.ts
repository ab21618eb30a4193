import { describe, expect, it } from 'vitest';
import { awsProblem } from '../../scripts/link/cloudformation';

function sdkError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('awsProblem', () => {
  it.each([
    [
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      /no AWS credentials were found \(profile ops\)/,
    ],
    [new Error('Region is missing'), /no AWS region is set/],
    [sdkError('AccessDenied', 'User x is not authorized'), /access denied \(User x is not authorized\)/],
    [
      sdkError('ExpiredToken', 'The security token included in the request is expired'),
      /AWS refused the credentials \(ExpiredToken: /,
    ],
    [
      sdkError('Throttling', 'Rate exceeded'),
      /^Reading stack demo before deploying failed: Throttling: Rate exceeded$/,
    ],
  ])('turns %s into a sentence that says what to do', (error, message) => {
    expect(awsProblem(error, 'demo', { profile: 'ops' })).toMatch(message);
  });
});
