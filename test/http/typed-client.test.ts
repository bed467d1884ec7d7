import { describe, expect, it } from 'vitest';
import { hc } from 'hono/client';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';
import type { HeraldApp } from '../../src/http/app';

describe.each(dialects())('typed client (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false });

  it('hc<HeraldApp> knows the routes and their response types', async () => {
    const owner = await t.current.setupOwner();
    const token = await t.current.createToken(owner, owner.workspaceId);
    const client = hc<HeraldApp>('http://127.0.0.1', {
      fetch: (input: Request | string | URL, init?: RequestInit) => t.current.app.request(input instanceof Request ? input : String(input), init),
      headers: { authorization: `Bearer ${token}` },
    });
    const res = await client.api.v1.workspaces[':workspaceId'].$get({ param: { workspaceId: owner.workspaceId } });
    expect(res.status).toBe(200);
    if (res.status === 200) {
      const ws = await res.json();
      // Compile-time check: `timezone` is typed as string on the response.
      const tz: string = ws.timezone;
      expect(tz).toBe('UTC');
    }
    const me = await client.api.v1.me.$get();
    expect(me.status).toBe(200);
    const health = await client.api.health.$get();
    expect(await health.json()).toEqual({ status: 'ok' });
  });
});
