import 'aws-sdk-client-mock-vitest/extend';

// The handler logs a JSON line per step; keep them out of the test report. Tests that read logs spy on top.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
  typeof chunk === 'string' && chunk.startsWith('{"level"')
    ? true
    : (write as (...args: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stdout.write;
