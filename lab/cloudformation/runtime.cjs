// The lab's Lambda runtime: one child process is one function instance. It loads the function's
// module once (the cold start), then runs one invocation at a time, as the parent asks over IPC,
// with a context like Lambda's. Plain CommonJS so that it starts with bare `node`, like Lambda does.
'use strict';

let handler;

process.on('message', async (message) => {
  if (message.type === 'init') init(message);
  if (message.type === 'invoke') await invoke(message);
});

function init({ modulePath, exportName }) {
  const started = process.hrtime.bigint();
  try {
    handler = require(modulePath)[exportName];
    if (typeof handler !== 'function') throw new Error(`${modulePath} exports no function "${exportName}"`);
    const initMs = Number(process.hrtime.bigint() - started) / 1e6;
    process.send({ type: 'ready', initMs });
  } catch (error) {
    process.send({ type: 'initError', error: describe(error) });
  }
}

async function invoke({ id, event, context, deadline }) {
  const lambdaContext = {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const value = await handler(event, lambdaContext);
    process.send({ type: 'result', id, ok: true, value: value === undefined ? null : value });
  } catch (error) {
    process.send({ type: 'result', id, ok: false, error: describe(error) });
  }
}

function describe(error) {
  return error instanceof Error
    ? { errorType: error.name, errorMessage: error.message }
    : { errorType: 'Error', errorMessage: String(error) };
}
