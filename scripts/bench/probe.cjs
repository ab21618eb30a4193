// The benchmark's probe: runs in a fresh Node.js process, does one task the parent sends over IPC and
// answers with its figures. Plain CommonJS, started with bare `node`, so nothing else loads before it.
'use strict';

const http = require('node:http');

process.on('message', async (task) => {
  try {
    process.send({ ok: true, result: await TASKS[task.type](task) });
  } catch (error) {
    process.send({ ok: false, error: String(error?.stack ?? error) });
  }
});

const TASKS = {
  // Loads a bundle and makes its client, then makes the first IAM call; times both.
  async cold({ modulePath, kind, roleName, event }) {
    const started = process.hrtime.bigint();
    const loaded = require(modulePath);
    let client;
    if (kind === 'bare') {
      client = loaded.createClient();
      new loaded.GetRoleCommand({ RoleName: roleName });
      new loaded.UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: '{}' });
    }
    const ready = process.hrtime.bigint();
    if (kind === 'bare') await client.send(new loaded.GetRoleCommand({ RoleName: roleName }));
    else await loaded.handler(event, lambdaContext(60_000));
    const answered = process.hrtime.bigint();
    return {
      loadMs: ms(ready - started),
      firstCallMs: ms(answered - started),
      maxRssKb: process.resourceUsage().maxRSS,
      heapUsedKb: Math.round(process.memoryUsage().heapUsed / 1024),
    };
  },

  // Times the handler on each Create event, one after another, in this warm process.
  async creates({ modulePath, events }) {
    const { handler } = require(modulePath);
    const times = [];
    for (const event of events) {
      const started = process.hrtime.bigint();
      await handler(event, lambdaContext(60_000));
      times.push(ms(process.hrtime.bigint() - started));
    }
    return times;
  },

  // The same work through the bare SDK client: three SDK calls, then the PUT.
  async sdk({ modulePath, targets }) {
    const bare = require(modulePath);
    const client = bare.createClient();
    const agent = new http.Agent({ keepAlive: true });
    const times = [];
    for (const { roleName, document, responseUrl, body } of targets) {
      const started = process.hrtime.bigint();
      await client.send(new bare.GetRoleCommand({ RoleName: roleName }));
      await client.send(
        new bare.UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: document }),
      );
      await client.send(new bare.GetRoleCommand({ RoleName: roleName }));
      await request(agent, responseUrl, 'PUT', {}, body);
      times.push(ms(process.hrtime.bigint() - started));
    }
    agent.destroy();
    return times;
  },

  // The same work as raw HTTP: GetRole, UpdateAssumeRolePolicy, GetRole as bare POSTs, then the PUT.
  async raw({ endpoint, targets }) {
    const agent = new http.Agent({ keepAlive: true });
    const times = [];
    for (const { roleName, document, responseUrl, body } of targets) {
      const started = process.hrtime.bigint();
      await post(agent, endpoint, `Action=GetRole&Version=2010-05-08&RoleName=${roleName}`);
      await post(
        agent,
        endpoint,
        `Action=UpdateAssumeRolePolicy&Version=2010-05-08&RoleName=${roleName}&PolicyDocument=${encodeURIComponent(document)}`,
      );
      await post(agent, endpoint, `Action=GetRole&Version=2010-05-08&RoleName=${roleName}`);
      await request(agent, responseUrl, 'PUT', {}, body);
      times.push(ms(process.hrtime.bigint() - started));
    }
    agent.destroy();
    return times;
  },
};

function post(agent, endpoint, form) {
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    // The stand-in checks that a SigV4 header for IAM is there, not its signature.
    authorization: 'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/iam/aws4_request, Signature=0',
  };
  return request(agent, endpoint, 'POST', headers, form);
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
