import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { responses?: Record<string, unknown>; parameters?: Array<{ name: string; in: string; required?: boolean }>; security?: Array<Record<string, string[]>>; requestBody?: { content?: Record<string, unknown> } }>>;
  components: { schemas?: Record<string, Json>; securitySchemes?: Record<string, { type: string }> };
};

/** The routes this module owns; other engineers' routes may be listed too. */
const expectedRoutes = [
  'get /api/health',
  'get /api/ready',
  'post /api/v1/setup',
  'post /api/v1/auth/login',
  'post /api/v1/auth/logout',
  'get /api/v1/me',
  'get /api/v1/workspaces',
  'post /api/v1/workspaces',
  'get /api/v1/workspaces/{workspaceId}',
  'patch /api/v1/workspaces/{workspaceId}',
  'get /api/v1/workspaces/{workspaceId}/members',
  'post /api/v1/workspaces/{workspaceId}/members',
  'patch /api/v1/workspaces/{workspaceId}/members/{userId}',
  'delete /api/v1/workspaces/{workspaceId}/members/{userId}',
  'get /api/v1/workspaces/{workspaceId}/tokens',
  'post /api/v1/workspaces/{workspaceId}/tokens',
  'delete /api/v1/workspaces/{workspaceId}/tokens/{tokenId}',
];

const httpMethods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

function walk(node: Json, visit: (key: string, value: Json, path: string) => void, path = '#'): void {
  if (Array.isArray(node)) node.forEach((v, i) => walk(v, visit, `${path}/${i}`));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      visit(k, v, `${path}/${k}`);
      walk(v, visit, `${path}/${k}`);
    }
  }
}

describe.each(dialects())('OpenAPI document (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false });

  it('is a valid OpenAPI 3.1 document listing every route', async () => {
    const res = await t.current.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const raw = (await res.json()) as Json;
    const doc = raw as unknown as Doc;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe('Herald API');
    expect(doc.info.version).toBeTruthy();

    const listed = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).filter((m) => httpMethods.has(m)).map((m) => `${m} ${p}`));
    for (const r of expectedRoutes) expect(listed, r).toContain(r);

    const schemes = doc.components.securitySchemes ?? {};
    expect(schemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.cookieAuth).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'herald_session' });

    for (const [p, item] of Object.entries(doc.paths)) {
      expect(p.startsWith('/')).toBe(true);
      const templateParams = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        if (!httpMethods.has(method)) continue;
        expect(Object.keys(op.responses ?? {}).length, `${method} ${p} has responses`).toBeGreaterThan(0);
        for (const code of Object.keys(op.responses ?? {})) expect(code).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
        const pathParams = (op.parameters ?? []).filter((x) => x.in === 'path');
        expect(pathParams.map((x) => x.name).sort(), `${method} ${p} path params`).toEqual([...templateParams].sort());
        for (const pp of pathParams) expect(pp.required).toBe(true);
        for (const req of op.security ?? []) for (const name of Object.keys(req)) expect(schemes[name], `${method} ${p} security ${name}`).toBeDefined();
        if (expectedRoutes.includes(`${method} ${p}`) && p.startsWith('/api/v1/') && !p.endsWith('/setup') && !p.endsWith('/login')) {
          expect(op.security?.length, `${method} ${p} documents its security`).toBeGreaterThan(0);
        }
      }
    }

    // Every $ref resolves; no OpenAPI 3.0-only keywords in 3.1 schemas.
    walk(raw, (key, value, at) => {
      if (key === '$ref') {
        expect(typeof value).toBe('string');
        const target = String(value).replace(/^#\//, '').split('/').reduce<Json | undefined>((n, seg) => (n && typeof n === 'object' && !Array.isArray(n) ? n[seg] : undefined), raw);
        expect(target, `${at} → ${String(value)}`).toBeDefined();
      }
      if (key === 'nullable') throw new Error(`3.0 keyword "nullable" at ${at}`);
    });

    // Request bodies are strict: unknown fields are rejected and documented as such.
    const createWs = doc.paths['/api/v1/workspaces']?.post?.requestBody?.content?.['application/json'] as { schema: Json } | undefined;
    const ref = createWs?.schema && typeof createWs.schema === 'object' && !Array.isArray(createWs.schema) ? createWs.schema.$ref : undefined;
    const schema = typeof ref === 'string' ? doc.components.schemas?.[ref.split('/').pop() ?? ''] : createWs?.schema;
    expect(schema).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('serves Swagger UI at /api/docs', async () => {
    const res = await t.current.request('/api/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/swagger/i);
    expect(html).toContain('/api/openapi.json');
  });
});
