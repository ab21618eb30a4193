/** A request body that is not a Snowflake external-function batch; its message is what Snowflake shows. */
export class MalformedBatchError extends Error {
  override readonly name = 'MalformedBatchError';
}
