import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { createTestApp, useTestApp } from '../support/test-app';
import { createLogger } from '../../src/logging/logger';

describe.each(dialects())('problem responses and request hygiene (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false });

  const countWorkspaces = async () => (await t.current.services.database.db.selectFrom('workspaces').select('id').execute()).length;

  it('malformed JSON → 400 with a plain message, nothing changes', async () => {
    const owner = await t.current.setupOwner();
    const before = await countWorkspaces();
    const res = await t.current.request('/api/v1/workspaces', { method: 'POST', headers: owner.headers({ 'content-type': 'application/json' }), body: '{"name": "x",' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({ status: 400, title: 'Bad request', detail: 'Malformed JSON in request body', instance: '/api/v1/workspaces' });
    expect(typeof doc.type).toBe('string');
    expect(await countWorkspaces()).toBe(before);
  });

  it('unknown fields and wrong types → 422 listing each field', async () => {
    const owner = await t.current.login((await t.current.services.database.db.selectFrom('users').select('email').executeTakeFirstOrThrow()).email, 'correct horse battery');
    const before = await countWorkspaces();
    const res = await t.current.json('POST', '/api/v1/workspaces', { name: 42, isAdmin: true, extra: 'x' }, owner);
    expect(res.status).toBe(422);
    const doc = (await res.json()) as { errors: Array<{ path: string; message: string }>; detail: string };
    const paths = doc.errors.map((e) => e.path).sort();
    expect(paths).toEqual(['extra', 'isAdmin', 'name']);
    expect(doc.detail).toMatch(/request body is invalid/);
    const missing = await t.current.json('POST', '/api/v1/workspaces', {}, owner);
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual(['name']);
    const wrongType = await t.current.request('/api/v1/workspaces', { method: 'POST', headers: owner.headers({ 'content-type': 'text/plain' }), body: 'name=x' });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('content-type')).toBe('application/problem+json');
    expect(await countWorkspaces()).toBe(before);
  });

  it('bodies over 12 MB → 413, with or without content-length', async () => {
    const owner = await t.current.login((await t.current.services.database.db.selectFrom('users').select('email').executeTakeFirstOrThrow()).email, 'correct horse battery');
    const before = await countWorkspaces();
    const big = JSON.stringify({ name: 'x'.repeat(13 * 1024 * 1024) });
    const res = await t.current.request('/api/v1/workspaces', { method: 'POST', headers: owner.headers({ 'content-type': 'application/json', 'content-length': String(big.length) }), body: big });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toMatch(/12 MB/);
    // A streamed body of unknown length is cut off while reading.
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (sent >= 13) return ctrl.close();
        sent++;
        ctrl.enqueue(chunk);
      },
    });
    const streamed = await t.current.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await countWorkspaces()).toBe(before);
  });

  it('non-UTF-8 JSON → 400', async () => {
    const owner = await t.current.login((await t.current.services.database.db.selectFrom('users').select('email').executeTakeFirstOrThrow()).email, 'correct horse battery');
    const before = await countWorkspaces();
    const body = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]); // latin-1 é
    const res = await t.current.request('/api/v1/workspaces', { method: 'POST', headers: owner.headers({ 'content-type': 'application/json' }), body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/UTF-8/);
    expect(await countWorkspaces()).toBe(before);
    const ok = await t.current.request('/api/v1/workspaces', { method: 'POST', headers: owner.headers({ 'content-type': 'application/json' }), body: Buffer.from('{"name":"café ✓"}') });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { name: string }).name).toBe('café ✓');
  });

  it('unknown routes → 404 problem; request ids are echoed or generated', async () => {
    const res = await t.current.request('/api/v1/nope', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const gen = await t.current.request('/api/health', { headers: { 'x-request-id': 'bad id with spaces\u0001' } });
    expect(gen.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('logging and internal errors', () => {
  it('logs one line per request without headers or bodies, and 500s leak nothing', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        cb();
      },
    });
    const log = createLogger('info', sink);
    const t = await createTestApp(dialects()[0] ?? 'sqlite', { initQueue: false, services: { log } });
    try {
      const owner = await t.setupOwner({ password: 'super secret password' });
      lines.length = 0;
      await t.json('GET', '/api/v1/me', undefined, owner);
      await new Promise((r) => setImmediate(r));
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
      expect(line).toMatchObject({ method: 'GET', path: '/api/v1/me', status: 200, msg: 'request' });
      expect(typeof line.ms).toBe('number');
      expect(typeof line.reqId).toBe('string');
      expect(lines[0]).not.toContain(owner.cookie.split('=')[1] ?? 'never');
      expect(lines[0]).not.toContain(owner.csrfToken);

      // Break the database underneath: the client gets a bland 500, the log gets the request id.
      lines.length = 0;
      await t.services.database.db.schema.dropTable('api_tokens').execute();
      const res = await t.request('/api/v1/workspaces/' + owner.workspaceId + '/tokens', { headers: { cookie: owner.cookie, 'x-request-id': 'req-500' } });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).not.toMatch(/api_tokens|select|stack|at \w+ \(/i);
      expect(JSON.parse(text)).toMatchObject({ status: 500, title: 'Internal error' });
      await new Promise((r) => setImmediate(r));
      const errorLine = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'unhandled error');
      expect(errorLine?.reqId).toBe('req-500');
    } finally {
      await t.close();
    }
  });
});
