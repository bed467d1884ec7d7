/**
 * A loopback HTTP proxy that injects faults in front of a real server (the local PDS): a share of
 * requests get a 429 or a 500 without reaching the server, a 500 after the server did the work, or no
 * answer at all after the server did the work (the client times out: an unknown outcome). Used to prove
 * that publishing survives a flaky network with nothing lost and nothing doubled.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault = 'none' | 'rate_limit' | 'error_before' | 'error_after' | 'hang_after';

export interface FaultProxy {
  url: string;
  /** How many requests got each fault. */
  counts: Record<Fault, number>;
  close(): Promise<void>;
}

/**
 * Starts the proxy. `rate` is the share of matching requests that get a fault (spread evenly over the
 * four kinds); `match` picks which requests may be faulted (default: every XRPC call); `random` lets a
 * test seed the choices.
 */
export async function startFaultProxy(
  target: string,
  opts: { rate: number; match?: (req: IncomingMessage) => boolean; random?: () => number },
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const random = opts.random ?? Math.random;
  const counts: Record<Fault, number> = { none: 0, rate_limit: 0, error_before: 0, error_after: 0, hang_after: 0 };
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();

  const pick = (req: IncomingMessage): Fault => {
    if (opts.match && !opts.match(req)) return 'none';
    if (random() >= opts.rate) return 'none';
    const kinds: Fault[] = ['rate_limit', 'error_before', 'error_after', 'hang_after'];
    return kinds[Math.floor(random() * kinds.length)] ?? 'error_before';
  };

  const forward = (req: IncomingMessage, body: Buffer, done: (status: number, headers: Record<string, string | string[] | undefined>, data: Buffer) => void, fail: (e: Error) => void) => {
    const up = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(res.statusCode ?? 502, res.headers, Buffer.concat(chunks)));
        res.on('error', fail);
      },
    );
    up.on('error', fail);
    up.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const fault = pick(req);
      counts[fault] += 1;
      const problem = (status: number, error: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify({ error, message: `injected ${error}` }));
      };
      if (fault === 'rate_limit') {
        const reset = Math.ceil(Date.now() / 1000) + 1;
        return problem(429, 'RateLimitExceeded', { 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset), 'retry-after': '1' });
      }
      if (fault === 'error_before') return problem(500, 'InternalServerError');
      forward(
        req,
        body,
        (status, headers, data) => {
          if (fault === 'error_after') return problem(502, 'UpstreamFailure');
          if (fault === 'hang_after') {
            hung.add(res);
            return;
          }
          const h: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(headers)) if (v !== undefined && k !== 'transfer-encoding' && k !== 'connection') h[k] = v;
          res.writeHead(status, h);
          res.end(data);
        },
        () => problem(502, 'UpstreamUnreachable'),
      );
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((r) => {
        for (const res of hung) res.destroy();
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
