// Starts the probe (probe.cjs) in a fresh Node.js process, gives it one task and returns its answer.
import { fork } from 'node:child_process';
import { resolve } from 'node:path';

const PROBE = resolve(__dirname, 'probe.cjs');

/** Runs one task in a new process of `node` with the given environment; the probe's own output is dropped. */
export function runProbe<T>(
  task: Record<string, unknown>,
  environment: Record<string, string>,
  node: string,
): Promise<T> {
  const child = fork(PROBE, [], {
    execPath: node,
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...environment },
  });
  return new Promise((done, failed) => {
    child.once('message', (message: { ok: boolean; result?: T; error?: string }) => {
      child.kill();
      if (message.ok) done(message.result as T);
      else failed(new Error(message.error));
    });
    child.once('exit', (code) => failed(new Error(`the probe exited with ${code} before answering`)));
    child.send(task);
  });
}
