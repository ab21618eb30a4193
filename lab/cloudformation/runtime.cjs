// The lab's Lambda runtime: one child process is one function instance. It loads the function's
// module once (the cold start), then runs one invocation at a time, as the parent asks over IPC,
// with a context like Lambda's. Plain CommonJS so that it starts with bare `node`, like Lambda does.
'use strict';

const { existsSync } = require('node:fs');
const { pathToFileURL } = require('node:url');

// Lambda names the runtime in the environment; here it is whichever Node.js this instance runs on.
process.env.AWS_EXECUTION_ENV = `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`;

let handler;
// Written after each invocation on stdout and stderr; the parent drops it from the logs (lambda.ts).
const INVOCATION_END = '\u0000lab-invocation-end ';

process.on('message', async (message) => {
  if (message.type === 'init') await init(message);
  if (message.type === 'invoke') await invoke(message);
});

async function init({ modulePath, exportName }) {
  const started = process.hrtime.bigint();
  try {
    handler = (await load(modulePath))[exportName];
    if (typeof handler !== 'function') throw new Error(`${modulePath} exports no function "${exportName}"`);
    const initMs = Number(process.hrtime.bigint() - started) / 1e6;
    process.send({ type: 'ready', initMs });
  } catch (error) {
    process.send({ type: 'initError', error: describe(error) });
  }
}

// As Lambda's Node.js runtime: for `index.handler` it loads index.js, else index.mjs, else index.cjs;
// an .mjs file is an ES module, loaded with import().
async function load(modulePath) {
  const found = [
    modulePath,
    ...(modulePath.endsWith('.js') ? [swap(modulePath, '.mjs'), swap(modulePath, '.cjs')] : []),
  ].find((path) => existsSync(path));
  if (found === undefined) throw new Error(`Cannot find module ${modulePath}`);
  return found.endsWith('.mjs') ? import(pathToFileURL(found).href) : require(found);
}

function swap(path, extension) {
  return path.slice(0, -'.js'.length) + extension;
}

async function invoke({ id, event, context, deadline }) {
  const lambdaContext = {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let result;
  try {
    const value = await handler(event, lambdaContext);
    result = { type: 'result', id, ok: true, value: value === undefined ? null : value };
  } catch (error) {
    result = { type: 'result', id, ok: false, error: describe(error) };
  }
  // The invocation's last line on each stream: the parent reads the pipes apart from this IPC channel, so it
  // waits for these to know it has every line the invocation wrote.
  process.stdout.write(`${INVOCATION_END}${id}\n`);
  process.stderr.write(`${INVOCATION_END}${id}\n`);
  process.send(result);
}

function describe(error) {
  return error instanceof Error
    ? { errorType: error.name, errorMessage: error.message }
    : { errorType: 'Error', errorMessage: String(error) };
}
