import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientIp } from '../../src/http/client-ip';

const appWith = (hops: number) => {
  const app = new Hono();
  app.get('/', (c) => c.text(clientIp(c, hops)));
  return app;
};
const env = { incoming: { socket: { remoteAddress: '10.0.0.9' } } };

describe('clientIp', () => {
  it('uses the socket address unless proxies are trusted, ignoring forged headers', async () => {
    const res = await appWith(0).request('/', { headers: { 'x-forwarded-for': '6.6.6.6' } }, env);
    expect(await res.text()).toBe('10.0.0.9');
  });

  it('takes the address the trusted proxies appended, not one the client wrote', async () => {
    const headers = { 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.2' };
    expect(await (await appWith(1).request('/', { headers }, env)).text()).toBe('10.0.0.2');
    expect(await (await appWith(2).request('/', { headers }, env)).text()).toBe('203.0.113.7');
    expect(await (await appWith(1).request('/', {}, env)).text()).toBe('10.0.0.9');
  });
});
