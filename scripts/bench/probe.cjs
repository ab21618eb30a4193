// The benchmark's probe: runs in a fresh Node.js process, does one task the parent sends over IPC and
// answers with its figures. Plain CommonJS, started with bare `node`, so nothing else loads before it.
// It runs on the Node.js of the Lambda runtime (22.15 or later for module.registerHooks).
'use strict';

const diagnostics = require('node:diagnostics_channel');
const http = require('node:http');
const { registerHooks } = require('node:module');
const { dirname } = require('node:path');
const { pathToFileURL } = require('node:url');

process.on('message', async (task) => {
  try {
    process.send({ ok: true, result: await TASKS[task.type](task) });
  } catch (error) {
    process.send({ ok: false, error: String(error?.stack ?? error) });
  }
});

const TASKS = {
  // Loads a bundle, then makes the first AWS call (ours: the handler on the event; bare: `firstCall`).
  // Times when the module is evaluated and when the first request leaves.
  // `preload`: built-ins imported before the clock starts (what the lab alone makes a bundle import).
  async cold({ modulePath, kind, firstCall, event, preload = [] }) {
    for (const builtin of preload) await import(builtin);
    let requested;
    diagnostics.subscribe('http.client.request.start', () => {
      requested ??= process.hrtime.bigint();
    });
    const started = process.hrtime.bigint();
    const loaded = await load(modulePath);
    const evaluated = process.hrtime.bigint();
    await firstAwsCall(loaded, kind, firstCall, event);
    const answered = process.hrtime.bigint();
    return {
      evaluatedMs: ms(evaluated - started),
      requestMs: ms((requested ?? answered) - started),
      maxRssKb: process.resourceUsage().maxRSS,
      heapUsedKb: Math.round(process.memoryUsage().heapUsed / 1024),
    };
  },

  // The bytes of the bundle's own files that Node.js loads: when the module is evaluated (the cold
  // start), and by the end of the first call (files imported on demand). Hooks slow loading: not timed.
  // Also the built-ins imported as ES modules by the start: node:http's facade loads undici, ~15 ms.
  async bytes({ modulePath, kind, firstCall, event }) {
    const bundleDir = `${pathToFileURL(dirname(modulePath)).href}/`;
    const files = new Map();
    const esmBuiltins = new Set();
    registerHooks({
      resolve(specifier, context, nextResolve) {
        const result = nextResolve(specifier, context);
        if (result.url.startsWith('node:') && context.conditions.includes('import'))
          esmBuiltins.add(result.url);
        return result;
      },
      load(url, context, nextLoad) {
        const result = nextLoad(url, context);
        if (url.startsWith(bundleDir)) files.set(url, Buffer.byteLength(result.source ?? ''));
        return result;
      },
    });
    const total = () => [...files.values()].reduce((sum, size) => sum + size, 0);
    const loaded = await load(modulePath);
    const atStart = { bytes: total(), files: files.size, esmBuiltins: [...esmBuiltins].sort() };
    await firstAwsCall(loaded, kind, firstCall, event);
    return { atStart, afterFirstCall: { bytes: total(), files: files.size } };
  },

  // Times the handler on each Create event, one after another, in this warm process.
  async creates({ modulePath, events }) {
    const { handler } = await load(modulePath);
    const times = [];
    for (const event of events) {
      const started = process.hrtime.bigint();
      await handler(event, lambdaContext(60_000));
      times.push(ms(process.hrtime.bigint() - started));
    }
    return times;
  },

  // One invocation of the handler, untimed: the parent times the whole, from starting this process to the
  // response's arrival.
  async invoke({ modulePath, event, preload = [] }) {
    for (const builtin of preload) await import(builtin);
    const { handler } = await load(modulePath);
    await handler(event, lambdaContext(60_000));
    return {};
  },

  // The same work through the bare bundle: each run's calls in order (SDK calls, or HTTP requests replayed
  // as recorded), then the PUT.
  async sdk({ modulePath, runs }) {
    const bare = await load(modulePath);
    const agent = new http.Agent({ keepAlive: true });
    const times = [];
    for (const { calls, responseUrl, body } of runs) {
      const started = process.hrtime.bigint();
      for (const call of calls) await (call.http ? replay(call.http) : send(bare, call));
      await request(agent, responseUrl, 'PUT', {}, body);
      times.push(ms(process.hrtime.bigint() - started));
    }
    agent.destroy();
    return times;
  },
};

// An ES module (.mjs) is imported, as Lambda does; the bare CommonJS bundle is required.
function load(modulePath) {
  return modulePath.endsWith('.mjs') ? import(pathToFileURL(modulePath).href) : require(modulePath);
}

function firstAwsCall(loaded, kind, firstCall, event) {
  return kind === 'bare' ? send(loaded, firstCall) : loaded.handler(event, lambdaContext(60_000));
}

// The bare bundle's clients are made on first use and kept, as a handler would keep them.
const bareClients = new Map();
function send(bare, { client, command, input }) {
  if (!bareClients.has(client)) bareClients.set(client, new bare.clients[client]({}));
  return bareClients.get(client).send(new bare.commands[command](input));
}

// A recorded HTTP request sent again with fetch, as the handler sends it; its answer is read whole.
async function replay({ method, url, headers, body }) {
  const response = await fetch(url, { method, headers, body });
  await response.arrayBuffer();
}

function request(agent, url, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { agent, method, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode < 300 ? resolve() : reject(new Error(`${method} answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function lambdaContext(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: 'bench',
    awsRequestId: 'bench',
    logStreamName: 'bench',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

function ms(nanoseconds) {
  return Number(nanoseconds) / 1e6;
}
