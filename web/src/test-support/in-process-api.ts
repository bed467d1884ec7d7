/**
 * For jsdom screen tests: the web app's typed API client wired straight into an in-process Herald
 * (test/support/test-app.ts) as `session`, so screens are tested against the real server code, with
 * the session cookie and CSRF token a browser would send.
 */
import type { TestApp, TestSession } from '../../../test/support/test-app';
import { createApi, type Api } from '../api/client';

/** An Api whose requests go to `t.request` as `session`. */
export function inProcessApi(t: TestApp, session: Pick<TestSession, 'cookie' | 'csrfToken'>): Api {
  const api = createApi({
    baseUrl: 'http://127.0.0.1',
    fetch: async (input, init) => {
      const req = new Request(input, init);
      const headers = new Headers(req.headers);
      headers.set('cookie', session.cookie);
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.text();
      const url = new URL(req.url);
      return t.request(url.pathname + url.search, { method: req.method, headers, body });
    },
  });
  api.setCsrfToken(session.csrfToken);
  return api;
}
