/**
 * A local fake of the OK API on 127.0.0.1 for the connector tests. It checks every fb.do call like OK
 * would (application key, known access token, the documented signature — a bad one gets error 104),
 * answers with the fixture files in test/fixtures/ok/ (see the README there for the doc page each
 * follows), records every request, and records anything it was not told to expect: tests assert
 * `unexpected` is empty, so a stray request fails the test.
 *
 *   POST /fb.do              signed REST calls (form body)
 *   POST /oauth/token.do     authorization_code and refresh_token grants (query parameters)
 *   POST /upload/<n>         multipart photo upload (pic1, pic2, …), the upload_url getUploadUrl hands out
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'ok');

/** A fixture file's parsed JSON (a fresh copy each time). */
export function okFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(fixtureDir, `${name}.json`), 'utf8')) as T;
}

/** The documented error body for an OK error code, from errors.json. */
export function okErrorBody(code: number): { error_code: number; error_msg: string; error_data: null } {
  const row = okFixture<Array<{ error_code: number; error_msg: string; error_data: null }>>('errors').find((e) => e.error_code === code);
  if (!row) throw new Error(`no fixture for OK error ${code}`);
  return row;
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** What a handler answers: a JSON body (HTTP 200), an OK error, or a raw HTTP status. */
export type FakeAnswer = { body: unknown } | { okError: number } | { status: number; body?: unknown; headers?: Record<string, string> } | { hang: true };

/** A recorded request. */
export interface FakeRequest {
  path: string;
  /** fb.do: the REST method; token.do: the grant type; upload: 'upload'. */
  name: string;
  params: Record<string, string>;
  files?: Array<{ field: string; type: string; size: number }>;
}

/** A token the fake accepts. */
export interface FakeToken {
  /** Its own session_secret_key (the app's "eternal" token); otherwise MD5(token + app secret) signs. */
  sessionSecretKey?: string;
  /** Answer 102 PARAM_SESSION_EXPIRED for it. */
  expired?: boolean;
}

/** The running fake. */
export interface FakeOk {
  url: string;
  apiUrl: string;
  tokenUrl: string;
  applicationId: string;
  applicationKey: string;
  applicationSecretKey: string;
  requests: FakeRequest[];
  /** Requests nobody expected (each fails the test that checks). */
  unexpected: string[];
  /** Calls refused for a bad signature. */
  badSignatures: string[];
  tokens: Map<string, FakeToken>;
  /** Queues one answer for the next call of `name` (REST method, grant type, or 'upload'). */
  expect(name: string, answer: FakeAnswer | ((req: FakeRequest) => FakeAnswer)): void;
  /** Expectations not consumed yet. */
  pending(): string[];
  /** Requests of one name. */
  calls(name: string): FakeRequest[];
  reset(): void;
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

/** Starts the fake with an application (id/key/secret) on a random loopback port. */
export async function startFakeOk(app: { applicationId?: string; applicationKey?: string; applicationSecretKey?: string } = {}): Promise<FakeOk> {
  const applicationId = app.applicationId ?? '512000000001';
  const applicationKey = app.applicationKey ?? 'CBAFJIICABABABABA';
  const applicationSecretKey = app.applicationSecretKey ?? '0123456789ABCDEF01234567';
  const queues = new Map<string, Array<FakeAnswer | ((req: FakeRequest) => FakeAnswer)>>();
  const requests: FakeRequest[] = [];
  const unexpected: string[] = [];
  const badSignatures: string[] = [];
  const tokens = new Map<string, FakeToken>();
  const hanging = new Set<ServerResponse>();
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const sendOkError = (res: ServerResponse, code: number) => send(res, 200, okErrorBody(code), { 'invocation-error': String(code) });

  const answer = (res: ServerResponse, rec: FakeRequest) => {
    const queue = queues.get(rec.name);
    const next = queue?.shift();
    if (!next) {
      unexpected.push(`${rec.path} ${rec.name} ${JSON.stringify(rec.params)}`);
      return sendOkError(res, 3);
    }
    const a = typeof next === 'function' ? next(rec) : next;
    if ('hang' in a) {
      hanging.add(res);
      return;
    }
    if ('okError' in a) return sendOkError(res, a.okError);
    if ('status' in a) return send(res, a.status, a.body, a.headers);
    return send(res, 200, a.body);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const raw = await readBody(req);
      if (req.method === 'POST' && url.pathname === '/fb.do') {
        const params: Record<string, string> = Object.fromEntries(url.searchParams);
        const type = req.headers['content-type'] ?? '';
        if (!type.startsWith('application/x-www-form-urlencoded')) {
          unexpected.push(`fb.do with content-type ${type}`);
          return sendOkError(res, 4);
        }
        for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) params[k] = v;
        const rec: FakeRequest = { path: url.pathname, name: params.method ?? '', params };
        requests.push(rec);
        if (params.application_key !== applicationKey) return sendOkError(res, 101);
        const token = params.access_token ?? '';
        const known = tokens.get(token);
        if (!known) return sendOkError(res, 103);
        const secret = known.sessionSecretKey ?? md5(token + applicationSecretKey).toLowerCase();
        const base = Object.keys(params)
          .filter((k) => k !== 'sig' && k !== 'access_token' && k !== 'session_key')
          .sort()
          .map((k) => `${k}=${params[k]}`)
          .join('');
        if (params.sig !== md5(base + secret).toLowerCase()) {
          badSignatures.push(rec.name);
          return sendOkError(res, 104);
        }
        if (known.expired) return sendOkError(res, 102);
        if (params.format !== 'json') {
          unexpected.push(`${rec.name} without format=json`);
          return sendOkError(res, 100);
        }
        return answer(res, rec);
      }
      if (req.method === 'POST' && url.pathname === '/oauth/token.do') {
        const params: Record<string, string> = Object.fromEntries(url.searchParams);
        const rec: FakeRequest = { path: url.pathname, name: params.grant_type ?? '', params };
        requests.push(rec);
        return answer(res, rec);
      }
      if (req.method === 'POST' && url.pathname.startsWith('/upload/')) {
        const request = new Request(`http://127.0.0.1${url.pathname}`, { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: raw });
        let files: FakeRequest['files'] = [];
        try {
          const form = await request.formData();
          files = [...form.entries()].map(([field, v]) => ({ field, type: typeof v === 'string' ? 'text' : v.type, size: typeof v === 'string' ? v.length : v.size }));
        } catch {
          const rec: FakeRequest = { path: url.pathname, name: 'upload', params: {}, files };
          requests.push(rec);
          return sendOkError(res, 21);
        }
        const rec: FakeRequest = { path: url.pathname, name: 'upload', params: Object.fromEntries(url.searchParams), files };
        requests.push(rec);
        return answer(res, rec);
      }
      unexpected.push(`${req.method} ${url.pathname}`);
      return send(res, 404, { error: 'not found' });
    })().catch((e: unknown) => send(res, 500, { error: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiUrl: `${base}/fb.do`,
    tokenUrl: `${base}/oauth/token.do`,
    applicationId,
    applicationKey,
    applicationSecretKey,
    requests,
    unexpected,
    badSignatures,
    tokens,
    expect(name, a) {
      const q = queues.get(name) ?? [];
      q.push(a);
      queues.set(name, q);
    },
    pending() {
      return [...queues].flatMap(([name, q]) => q.map(() => name));
    },
    calls(name) {
      return requests.filter((r) => r.name === name);
    },
    reset() {
      queues.clear();
      requests.length = 0;
      unexpected.length = 0;
      badSignatures.length = 0;
    },
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
