import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiGatewayStandIn, type ProxyEvent } from '../../lab/apigateway';

const URL_BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
let api: ApiGatewayStandIn | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('API Gateway stand-in', () => {
  it("sends an execute-api URL's POST to its route as a proxy event, and answers with the result", async () => {
    api = await ApiGatewayStandIn.start();
    const events: ProxyEvent[] = [];
    api.route('/echo', async (event) => {
      events.push(event);
      return { statusCode: 200, body: '{"data":[[0,"hi"]]}' };
    });

    const response = await fetch(`${URL_BASE}/echo`, { method: 'POST', body: '{"data":[[0,"hi"]]}' });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: [[0, 'hi']] });
    expect(events[0]).toMatchObject({
      path: '/echo',
      httpMethod: 'POST',
      body: '{"data":[[0,"hi"]]}',
      requestContext: { apiId: 'abc123', stage: 'prod' },
    });
    expect(api.calls).toEqual([
      { apiId: 'abc123', stage: 'prod', path: '/echo', method: 'POST', status: 200 },
    ]);
  });

  it.each([
    ['an unrouted path', `${URL_BASE}/other`, 'POST', 403],
    ['another method', `${URL_BASE}/echo`, 'GET', 403],
    ['a failing integration', `${URL_BASE}/echo`, 'POST', 502],
  ])('answers %s as API Gateway does', async (_what, url, method, status) => {
    api = await ApiGatewayStandIn.start();
    api.route('/echo', async () => {
      throw new Error('the Lambda failed');
    });

    const response = await fetch(url, { method, ...(method === 'POST' ? { body: '{}' } : {}) });

    expect(response.status).toBe(status);
  });

  it('lets other URLs through, and gives fetch() back when closed', async () => {
    const server = createServer((_req, res) => res.end('plain'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const plain = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const original = globalThis.fetch;
    api = await ApiGatewayStandIn.start();

    const text = await (await fetch(plain)).text();
    await api.close();
    api = undefined;

    expect(text).toBe('plain');
    expect(globalThis.fetch).toBe(original);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
