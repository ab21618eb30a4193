import { describe, expect, it } from 'vitest';
import { cfnProblems, MAX_RESPONSE_BYTES, s3Refusal } from '../../lab/cloudformation';

const ids = {
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
  RequestId: 'r-1',
  LogicalResourceId: 'Link',
};
const good = { Status: 'SUCCESS', PhysicalResourceId: 'p-1', ...ids };
const body = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('s3Refusal', () => {
  it.each([
    ['a PUT with no Content-Type', 'PUT', { 'content-length': '2' }, undefined],
    ['a PUT with an empty Content-Type', 'PUT', { 'content-type': '', 'content-length': '2' }, undefined],
    ['a POST', 'POST', { 'content-length': '2' }, 'SignatureDoesNotMatch'],
    [
      'Content-Type application/json',
      'PUT',
      { 'content-type': 'application/json', 'content-length': '2' },
      'SignatureDoesNotMatch',
    ],
    ['no Content-Length (chunked)', 'PUT', { 'transfer-encoding': 'chunked' }, 'MissingContentLength'],
  ])('judges %s', (_case, method, headers, code) => {
    expect(s3Refusal({ method, headers, body: Buffer.from('{}') })?.code).toBe(code);
  });
});

describe('cfnProblems', () => {
  it('accepts a right response and returns it', () => {
    expect(cfnProblems(body(good), ids)).toEqual({ problems: [], warnings: [], response: good });
  });

  it('accepts a body of exactly 4096 bytes and refuses one byte more', () => {
    const padded = (size: number) => {
      const base = JSON.stringify({ ...good, Data: { Pad: '' } });
      return Buffer.from(JSON.stringify({ ...good, Data: { Pad: 'x'.repeat(size - base.length) } }));
    };

    expect(cfnProblems(padded(MAX_RESPONSE_BYTES), ids).problems).toEqual([]);
    expect(cfnProblems(padded(MAX_RESPONSE_BYTES + 1), ids).problems).toEqual([
      expect.stringContaining('too long'),
    ]);
  });

  it.each([
    ['text that is not JSON', Buffer.from('{"Status":'), 'not valid JSON'],
    ['a JSON list', body([good]), 'not a JSON object'],
    ['an unknown Status', body({ ...good, Status: 'DONE' }), 'Invalid Status'],
    ['a Reason that is not a string', body({ ...good, Reason: 3 }), 'Reason is not a string'],
    [
      'no PhysicalResourceId',
      body({ ...good, PhysicalResourceId: undefined }),
      'PhysicalResourceId is missing',
    ],
    ['another StackId', body({ ...good, StackId: 'x' }), 'StackId "x" does not match'],
    ['another LogicalResourceId', body({ ...good, LogicalResourceId: 'Other' }), 'LogicalResourceId "Other"'],
    ['NoEcho as a string', body({ ...good, NoEcho: 'true' }), 'NoEcho is not a boolean'],
    ['Data as a list', body({ ...good, Data: [] }), 'Data is not a JSON object'],
  ])('refuses %s', (_case, bytes, problem) => {
    const judged = cfnProblems(bytes, ids);

    expect(judged.problems).toEqual([expect.stringContaining(problem)]);
    expect(judged.response).toBeUndefined();
  });

  it.each([
    ['FAILED without Reason', { Status: 'FAILED' }, 'has no Reason'],
    ['a Reason with a tab', { Status: 'FAILED', Reason: 'a\tb' }, 'control characters'],
  ])('lets %s through with a warning', (_case, fields, warning) => {
    const judged = cfnProblems(body({ ...good, ...fields }), ids);

    expect(judged.problems).toEqual([]);
    expect(judged.warnings).toEqual([expect.stringContaining(warning)]);
    expect(judged.response?.Status).toBe('FAILED');
  });
});
