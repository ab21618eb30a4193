import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../handler/echo/index';

function post(body: string | null, isBase64Encoded = false) {
  return handler({ body, isBase64Encoded });
}

function bodyOf(result: APIGatewayProxyResult): unknown {
  return JSON.parse(result.body);
}

describe('echo remote service', () => {
  it('answers each row with its argument, keeping row numbers and order', async () => {
    const body = JSON.stringify({
      data: [
        [0, 'snow'],
        [1, 42],
        [2, { a: [1, 2] }],
        [3, null],
      ],
    });

    const result = await post(body);

    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(bodyOf(result)).toEqual({
      data: [
        [0, 'snow'],
        [1, 42],
        [2, { a: [1, 2] }],
        [3, null],
      ],
    });
  });

  it('keeps the order Snowflake sent, even when row numbers are not sorted', async () => {
    const body = JSON.stringify({
      data: [
        [7, 'x'],
        [2, 'y'],
        [5, 'z'],
      ],
    });

    const result = await post(body);

    expect(bodyOf(result)).toEqual({
      data: [
        [7, 'x'],
        [2, 'y'],
        [5, 'z'],
      ],
    });
  });

  it('answers a row with several arguments with the list of them, and one with none with null', async () => {
    const body = JSON.stringify({ data: [[0, 'a', 'b', 3], [1]] });

    const result = await post(body);

    expect(bodyOf(result)).toEqual({
      data: [
        [0, ['a', 'b', 3]],
        [1, null],
      ],
    });
  });

  it('answers an empty batch with an empty data array', async () => {
    const result = await post('{"data": []}');

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ data: [] });
  });

  it('answers a batch of many rows row for row', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => [i, `value ${i}`]);

    const result = await post(JSON.stringify({ data: rows }));

    expect(bodyOf(result)).toEqual({ data: rows });
  });

  it('reads a base64-encoded body', async () => {
    const body = Buffer.from(JSON.stringify({ data: [[0, 'é']] })).toString('base64');

    const result = await post(body, true);

    expect(bodyOf(result)).toEqual({ data: [[0, 'é']] });
  });

  it.each([
    ['no body', null, 'The request body is empty.'],
    ['a blank body', '  ', 'The request body is empty.'],
    ['a body that is not JSON', '{"data": [[0, "a"]', 'The request body is not JSON.'],
    ['a JSON array', '[[0, "a"]]', 'The request body is not a JSON object.'],
    ['a JSON string', '"data"', 'The request body is not a JSON object.'],
    ['no data member', '{"rows": [[0, "a"]]}', 'The request body has no "data" array.'],
    ['data that is not an array', '{"data": {"0": "a"}}', 'The request body has no "data" array.'],
    [
      'a row that is not an array',
      '{"data": [[0, "a"], "b"]}',
      'Entry 1 of "data" is not a [row number, argument...] array.',
    ],
    ['an empty row', '{"data": [[]]}', 'Entry 0 of "data" is not a [row number, argument...] array.'],
    [
      'a row number that is a string',
      '{"data": [["0", "a"]]}',
      'Entry 0 of "data" starts with "0", not a row number.',
    ],
    [
      'a fractional row number',
      '{"data": [[0.5, "a"]]}',
      'Entry 0 of "data" starts with 0.5, not a row number.',
    ],
    ['a negative row number', '{"data": [[-1, "a"]]}', 'Entry 0 of "data" starts with -1, not a row number.'],
  ])('answers %s with 400 and a message saying what is wrong', async (_case, body, message) => {
    const result = await post(body);

    expect(result.statusCode).toBe(400);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json' });
    const { message: shown } = bodyOf(result) as { message: string };
    expect(shown.startsWith(message)).toBe(true);
    expect(shown).toContain('Snowflake sends {"data": [[row number, argument...], ...]}.');
  });

  it('lets an unexpected failure through to Lambda rather than blaming the body', async () => {
    const event = {
      isBase64Encoded: false,
      get body(): string {
        throw new TypeError('body unavailable');
      },
    };

    const answer = handler(event);

    await expect(answer).rejects.toThrow(TypeError);
  });
});
