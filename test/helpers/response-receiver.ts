// A local stand-in for the presigned response URL: records every request made to it.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedResponse {
  method: string;
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  body: Record<string, unknown>;
}

export interface ResponseReceiver {
  url: string;
  received: ReceivedResponse[];
  /** Status codes to answer with, in order; 200 once they run out. */
  answers: number[];
  close(): Promise<void>;
}

export async function startResponseReceiver(): Promise<ResponseReceiver> {
  const received: ReceivedResponse[] = [];
  const answers: number[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        body = {};
      }
      received.push({ method: request.method ?? '', headers: request.headers, rawBody, body });
      response.statusCode = answers.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/stack-response/presigned-token`,
    received,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
