/**
 * A local fake of a Mastodon server's public account endpoints (GET /api/v1/accounts/lookup and
 * GET /api/v1/accounts/:id/statuses) answering with the doc-shaped fixtures in
 * test/fixtures/mastodon-public. Routes are given per test; any other request is recorded as
 * unexpected and answered 500, and tests assert there were none.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';

/** A fixture file, parsed. */
export const publicFixture = <T = unknown>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/mastodon-public/${name}`, import.meta.url), 'utf8')) as T;

/** A request the fake saw. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

/** What a route answers. */
export type FakeReply = { status: number; json?: unknown; headers?: Record<string, string> };

/** A route: method, exact path or pattern, and the answer. */
export interface FakeRoute {
  method: string;
  path: string | RegExp;
  reply: (req: SeenRequest) => FakeReply;
}

/** The fake server. */
export class FakePublicMastodon {
  server!: Server;
  url = '';
  routes: FakeRoute[] = [];
  seen: SeenRequest[] = [];
  unexpected: string[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const seen: SeenRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers };
      this.seen.push(seen);
      const route = this.routes.find((r) => r.method === seen.method && (typeof r.path === 'string' ? r.path === seen.path : r.path.test(seen.path)));
      if (!route) {
        this.unexpected.push(`${seen.method} ${seen.path}?${u.searchParams.toString()}`);
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unexpected request' }));
        return;
      }
      const r = route.reply(seen);
      res.writeHead(r.status, { 'content-type': 'application/json', ...(r.headers ?? {}) }).end(r.json === undefined ? '' : JSON.stringify(r.json));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(routes: FakeRoute[]): void {
    this.routes = routes;
    this.seen = [];
    this.unexpected = [];
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
