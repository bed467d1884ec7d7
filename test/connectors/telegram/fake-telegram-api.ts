/**
 * A local fake of the Telegram Bot API on 127.0.0.1. It answers only what a test told it to expect,
 * in order, with fixture JSON from test/fixtures/telegram (each file names the section of
 * https://core.telegram.org/bots/api it follows), and records every request: the method, the token in
 * the path, and the parameters (a JSON body, or multipart fields with JSON-serialized values parsed
 * back, plus the uploaded files). A request it did not expect — another method, another token, one
 * too many — gets an error answer and is listed in `unexpected`, which `assertDone()` turns into a
 * test failure.
 *
 *   const tg = await startFakeTelegram();
 *   tg.expect('getMe', 'getMe');
 *   ... run the connector against tg.url ...
 *   tg.assertDone();
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/telegram');

/** The test bot's token (the fake accepts only this one unless an expectation says otherwise). */
export const TEST_BOT_TOKEN = '7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
/** The bot id of TEST_BOT_TOKEN. */
export const TEST_BOT_ID = 7000000001;
/** The fixtures' public channel and its discussion group. */
export const CHANNEL = { id: -1001234567890, username: 'heraldnews' } as const;
/** The channel's linked discussion group in the fixtures. */
export const DISCUSSION = { id: -1009876543210, username: 'heraldnews_chat' } as const;

/** A Bot API answer as fixtures hold it. */
export type BotApiAnswer = { ok: true; result: unknown; description?: string } | { ok: false; error_code: number; description: string; parameters?: Record<string, unknown> };

/** Reads a fixture's `response` (a fresh copy); the file must name the doc section it follows. */
export function fixture(name: string): BotApiAnswer {
  const file = JSON.parse(readFileSync(join(fixtureDir, `${name}.json`), 'utf8')) as { doc?: unknown; response?: BotApiAnswer };
  if (typeof file.doc !== 'string' || !file.doc.startsWith('https://core.telegram.org/bots/api')) throw new Error(`fixture ${name} does not name its doc page`);
  if (!file.response) throw new Error(`fixture ${name} has no response`);
  return structuredClone(file.response);
}

/** A fixture whose (object) result gets `patch` merged in. */
export function fixtureWith(name: string, patch: Record<string, unknown>): BotApiAnswer {
  const a = fixture(name);
  if (!a.ok || typeof a.result !== 'object' || a.result === null || Array.isArray(a.result)) throw new Error(`fixture ${name} has no object result to patch`);
  return { ...a, result: { ...(a.result as Record<string, unknown>), ...patch } };
}

/** An uploaded file as the fake received it. */
export interface ReceivedFile {
  field: string;
  filename: string;
  type: string;
  size: number;
  bytes: Buffer;
}

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  token: string;
  multipart: boolean;
  params: Record<string, unknown>;
  files: ReceivedFile[];
}

/** What to do with an expected request. */
export type Reply = string | BotApiAnswer | ((req: RecordedRequest) => BotApiAnswer);

interface Expectation {
  method: string;
  reply: Reply;
  /** Accept any token (the bad-token tests). */
  anyToken?: boolean;
  /** Read the request, then cut the connection without answering. */
  drop?: boolean;
}

/** The running fake and its controls. */
export interface FakeTelegram {
  url: string;
  requests: RecordedRequest[];
  unexpected: string[];
  /** Expects `method` next; answers with a fixture name, an answer, or a function of the request. */
  expect(method: string, reply: Reply, opts?: { anyToken?: boolean; drop?: boolean }): void;
  /** Requests of one method. */
  calls(method: string): RecordedRequest[];
  /** Throws when a request was unexpected or an expectation was not met; then forgets both. */
  assertDone(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Multipart values that look like JSON were JSON-serialized by the client (as the docs require). */
function fieldValue(v: string): unknown {
  if (/^[[{]/.test(v) || v === 'true' || v === 'false' || /^-?\d+$/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

async function parseRequest(req: IncomingMessage, body: Buffer): Promise<{ multipart: boolean; params: Record<string, unknown>; files: ReceivedFile[] }> {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': type } }).formData();
    const params: Record<string, unknown> = {};
    const files: ReceivedFile[] = [];
    for (const [k, v] of form.entries()) {
      if (typeof v === 'string') params[k] = fieldValue(v);
      else {
        const bytes = Buffer.from(await v.arrayBuffer());
        files.push({ field: k, filename: v.name, type: v.type, size: bytes.length, bytes });
      }
    }
    return { multipart: true, params, files };
  }
  if (type.startsWith('application/json')) return { multipart: false, params: body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {}, files: [] };
  if (body.length === 0) return { multipart: false, params: {}, files: [] };
  throw new Error(`unsupported content-type ${type}`);
}

function send(res: ServerResponse, answer: BotApiAnswer): void {
  const status = answer.ok ? 200 : answer.error_code;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(answer));
}

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeTelegram(opts: { token?: string } = {}): Promise<FakeTelegram> {
  const token = opts.token ?? TEST_BOT_TOKEN;
  const expectations: Expectation[] = [];
  const requests: RecordedRequest[] = [];
  const unexpected: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
      if (req.method !== 'POST' || !m) {
        unexpected.push(`${req.method} ${req.url?.replace(/bot[^/]+/, 'bot<token>')}`);
        return send(res, { ok: false, error_code: 404, description: 'Not Found' });
      }
      const parsed = await parseRequest(req, body);
      const rec: RecordedRequest = { method: m[2]!, token: m[1]!, ...parsed };
      requests.push(rec);
      const next = expectations[0];
      // Bot API methods are case-insensitive.
      if (!next || next.method.toLowerCase() !== rec.method.toLowerCase() || (!next.anyToken && rec.token !== token)) {
        unexpected.push(`${rec.method}${rec.token !== token ? ' (another token)' : ''} ${JSON.stringify(rec.params).slice(0, 200)}${next ? ` — expected ${next.method}` : ' — nothing more expected'}`);
        return send(res, { ok: false, error_code: 400, description: `Bad Request: the fake did not expect ${rec.method}` });
      }
      expectations.shift();
      if (next.drop) {
        res.socket?.destroy();
        return;
      }
      const answer = typeof next.reply === 'string' ? fixture(next.reply) : typeof next.reply === 'function' ? next.reply(rec) : structuredClone(next.reply);
      send(res, answer);
    })().catch((e: unknown) => {
      unexpected.push(`fake failed: ${String(e)}`);
      if (!res.headersSent) send(res, { ok: false, error_code: 500, description: 'Internal Server Error' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    unexpected,
    expect(method, reply, o = {}) {
      expectations.push({ method, reply, ...o });
    },
    calls(method) {
      return requests.filter((r) => r.method.toLowerCase() === method.toLowerCase());
    },
    assertDone() {
      const problems = [...unexpected.map((u) => `unexpected request: ${u}`), ...expectations.map((e) => `expected but not received: ${e.method}`)];
      unexpected.length = 0;
      expectations.length = 0;
      requests.length = 0;
      if (problems.length) throw new Error(`Fake Telegram Bot API:\n${problems.join('\n')}`);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
