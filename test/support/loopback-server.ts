/**
 * A suite's own fake HTTP peer on a free loopback port (networks that cannot run here, answered the way
 * their documentation shows): started before the suite's other hooks, closed after it, open
 * connections included, so keep-alive sockets do not hold the run open.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** Answers one request; `body` is the whole request body as UTF-8 text (empty for a GET). */
export type LoopbackHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/**
 * Serves `handler` for the suite (call at the top of the file or inside `describe`, before its
 * `beforeAll`); `listening` gets the base URL, `http://127.0.0.1:<port>`, once the port is open.
 */
export function useLoopbackServer(handler: LoopbackHandler, listening: (url: string) => void): void {
  let server: Server | null = null;
  beforeAll(async () => {
    const s = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    server = s;
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    listening(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    const s = server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  });
}
