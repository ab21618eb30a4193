// A loopback HTTP server that answers as the tests script it and records every request it was sent.

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** An answer, or `cut` to drop the connection without one (the network failing). */
export type Reply = { status: number; body?: unknown; raw?: string; delayMs?: number } | 'cut';

export interface FakeSqlApi {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts the server; `answer` gives the reply to each request, by its index among all requests. */
export async function startFakeSqlApi(
  answer: (request: RecordedRequest, index: number) => Reply | Promise<Reply>,
): Promise<FakeSqlApi> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(incoming.url ?? '/', 'http://fake');
    const request: RecordedRequest = {
      method: incoming.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(request);
    const reply = await answer(request, requests.length - 1);
    if (reply === 'cut') {
      incoming.socket.destroy();
      return;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    response.writeHead(reply.status, { 'Content-Type': 'application/json' });
    response.end(reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An answer with a JSON body. */
export interface JsonReply {
  status: number;
  body: Record<string, unknown>;
}

/** A 200 answer holding one result set. */
export function resultSet(columns: string[], data: (string | null)[][], handle = '01b-handle'): JsonReply {
  return {
    status: 200,
    body: {
      code: '090001',
      sqlState: '00000',
      statementHandle: handle,
      statementStatusUrl: `/api/v2/statements/${handle}`,
      resultSetMetaData: {
        numRows: data.length,
        format: 'jsonv2',
        rowType: columns.map((name) => ({ name, type: 'text', nullable: true })),
        partitionInfo: [{ rowCount: data.length }],
      },
      data,
    },
  };
}

/** A 202 answer: the statement still runs. */
export function stillRunning(handle = '01b-handle'): JsonReply {
  return {
    status: 202,
    body: {
      code: '333334',
      message:
        'Asynchronous execution in progress. Use provided query id to perform query monitoring and management.',
      statementHandle: handle,
      statementStatusUrl: `/api/v2/statements/${handle}`,
    },
  };
}
