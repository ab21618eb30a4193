import type { APIGatewayProxyResult } from 'aws-lambda';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** 200 with the batch's results: the only status Snowflake reads rows from. */
export function ok(body: string): APIGatewayProxyResult {
  return { statusCode: 200, headers: JSON_HEADERS, body };
}

/** 400 with a message Snowflake shows in the failed query's error. */
export function badRequest(message: string): APIGatewayProxyResult {
  return { statusCode: 400, headers: JSON_HEADERS, body: JSON.stringify({ message }) };
}
