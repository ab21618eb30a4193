// The remote service behind POST /echo: an API Gateway Lambda proxy integration speaking Snowflake's
// external-function format.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { formatResults, parseBatch } from './batch';
import { echoRows } from './echo';
import { MalformedBatchError } from './errors';
import { badRequest, ok } from './response';

export async function handler(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>,
): Promise<APIGatewayProxyResult> {
  try {
    const rows = parseBatch(bodyText(event));
    return ok(formatResults(echoRows(rows)));
  } catch (error) {
    if (error instanceof MalformedBatchError) return badRequest(error.message);
    throw error;
  }
}

// API Gateway base64-encodes bodies whose content type is listed as binary.
function bodyText({
  body,
  isBase64Encoded,
}: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): string | null {
  if (body === null || !isBase64Encoded) return body;
  return Buffer.from(body, 'base64').toString('utf8');
}
