// Tiny custom-resource handlers, written as CommonJS modules into a temporary directory, for testing
// the CloudFormation stand-in without our own handler.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Shared by every tiny handler: a raw PUT (headers as given) and a correct response body.
const HELPERS = `
const http = require('node:http');
function put(url, body, headers) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: headers.method || 'PUT', headers: headers.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}
function answer(event, fields) {
  return JSON.stringify({ Status: 'SUCCESS', PhysicalResourceId: 'tiny-' + event.LogicalResourceId, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, ...fields });
}
function send(event, body, headers) {
  return put(event.ResponseURL, body, { headers: { 'content-length': Buffer.byteLength(body), ...headers } });
}
`;

/** A temporary directory for handler modules; `remove()` deletes it. */
export function handlerDir(): { dir: string; write(name: string, body: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'lab-handlers-'));
  return {
    dir,
    write(name, body) {
      const path = join(dir, name, 'index.js');
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(
        path,
        `'use strict';\n${HELPERS}\nexports.handler = async (event, context) => {\n${body}\n};\n`,
      );
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
