import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/http/env';
import { errorHandler, notFoundHandler } from '../../src/http/error-handler';
import { requestContext } from '../../src/http/middleware/request-context';
import { CONTENT_SECURITY_POLICY, registerStaticWeb } from '../../src/http/static-web';
import { createTestServices, createTestApp, type TestServices } from '../support/test-app';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-AbCdEf12.js"></script></head><body><div id="root"></div></body></html>';

describe('static web app serving (fixture dist)', () => {
  let dist: string;
  let services: TestServices;
  let app: OpenAPIHono<AppEnv>;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'herald-web-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'index-AbCdEf12.js'), 'console.log("app");');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(tmpdir(), 'herald-secret.txt'), 'secret');
    services = await createTestServices('sqlite', { initQueue: false });
    app = new OpenAPIHono<AppEnv>();
    app.onError(errorHandler);
    app.notFound(notFoundHandler);
    app.use('*', requestContext(services));
    app.get('/api/health', (c) => c.json({ status: 'ok' }));
    registerStaticWeb(app, services, { distDir: dist });
  });

  afterAll(async () => {
    rmSync(dist, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'herald-secret.txt'), { force: true });
    await services.close();
  });

  it('serves index.html at / with the CSP and hardening headers, never cached for long', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe(INDEX);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('falls back to index.html for client-side routes', async () => {
    for (const path of ['/some/spa/route', '/accounts', '/w/123/compose?x=1']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(INDEX);
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('gives hashed assets a year of immutable caching and other files an hour', async () => {
    const js = await app.request('/assets/index-AbCdEf12.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log("app");');
    const svg = await app.request('/favicon.svg');
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('public, max-age=3600');
    const head = await app.request('/assets/index-AbCdEf12.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('a missing asset is a 404, not the app page', async () => {
    const res = await app.request('/assets/gone-12345678.js');
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('<html');
  });

  it('never leaves the build folder', async () => {
    for (const path of ['/../herald-secret.txt', '/%2e%2e/herald-secret.txt', '/assets/%2e%2e/%2e%2e/herald-secret.txt']) {
      const res = await app.request(path);
      expect(await res.text()).not.toBe('secret');
    }
  });

  it('leaves /api paths to the API: unknown ones stay problem+json 404s', async () => {
    const res = await app.request('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toContain('/api/v1/nope');
    const ok = await app.request('/api/health');
    expect(await ok.json()).toEqual({ status: 'ok' });
    const post = await app.request('/accounts', { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('without a build, / explains how to make one', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'herald-web-empty-'));
    try {
      const bare = new OpenAPIHono<AppEnv>();
      bare.use('*', requestContext(services));
      registerStaticWeb(bare, services, { distDir: empty });
      const res = await bare.request('/');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(await res.text()).toContain('ensure-web-build');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the real app registers the web app after the API', () => {
  it('/ answers HTML with the CSP; unknown /api paths stay problem+json', async () => {
    const t = await createTestApp('sqlite', { initQueue: false });
    try {
      const root = await t.request('/');
      expect(root.status).toBe(200);
      expect(root.headers.get('content-type')).toContain('text/html');
      expect(root.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      const api = await t.request('/api/v1/nope');
      expect(api.status).toBe(404);
      expect(api.headers.get('content-type')).toBe('application/problem+json');
      const docs = await t.request('/api/openapi.json');
      expect(docs.status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
