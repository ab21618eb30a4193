// Structured logs: one JSON object per line, so CloudWatch Logs Insights can query every field.

type Fields = Record<string, unknown>;

/** Writes one log line. Callers never pass the response URL: it is a bearer credential. */
export function log(level: 'info' | 'warn' | 'error', message: string, fields: Fields = {}): void {
  process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`);
}

/** The parts of an error worth logging: name, message, and the cause's, one level down. */
export function errorFields(error: unknown): Fields {
  if (!(error instanceof Error)) return { error: String(error) };
  const cause =
    error.cause instanceof Error ? { name: error.cause.name, message: error.cause.message } : undefined;
  return { error: { name: error.name, message: error.message, ...(cause ? { cause } : {}) } };
}
