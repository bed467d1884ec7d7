/**
 * Serves the built web app (web/dist) at `/`: real files when they exist, index.html for every other
 * non-API GET (client-side routes), long-lived caching for Vite's content-hashed assets, and a strict
 * Content-Security-Policy on everything the browser renders. API paths are never answered here, so an
 * unknown `/api/...` keeps its problem+json 404. Without a build, `/` explains how to make one.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppServices } from '../server/services';
import type { AppEnv } from './env';

/** Where `vite build` writes the app (web/vite.config.ts). */
export const DEFAULT_WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/**
 * The policy: only our own origin for scripts, styles, fetches and forms; images may also be data:
 * or blob: URLs (local previews of images being attached). No inline script or style at all.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const securityHeaders: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

// Vite names build output `<name>-<8+ char hash>.<ext>` under assets/: such a file never changes.
const hashedAsset = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

const missingBuildPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Herald</title></head>
<body><h1>Herald</h1>
<p>The API is running (see <a href="/api/docs">/api/docs</a>), but the web app has not been built.</p>
<p>Build it with <code>node scripts/ensure-web-build.mjs</code> (or <code>npm start</code>, which builds it when needed) and reload this page.</p>
</body></html>
`;

/** Options of {@link registerStaticWeb}. */
export interface StaticWebOptions {
  /** Folder holding index.html and assets/; default {@link DEFAULT_WEB_DIST}. */
  distDir?: string;
}

async function readIfFile(path: string): Promise<Buffer | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? await readFile(path) : null;
  } catch {
    return null;
  }
}

function respond(c: Context<AppEnv>, body: Buffer | string, type: string, cacheControl: string, status: 200 | 404 = 200): Response {
  const headers = new Headers({ ...securityHeaders, 'content-type': type, 'cache-control': cacheControl });
  const bytes = typeof body === 'string' ? body : new Uint8Array(body);
  return c.req.method === 'HEAD' ? new Response(null, { status, headers }) : new Response(bytes, { status, headers });
}

/** Registers the web app's GET/HEAD handler; call after every API route. */
export function registerStaticWeb(app: OpenAPIHono<AppEnv>, _services: AppServices, opts: StaticWebOptions = {}): void {
  const root = resolve(opts.distDir ?? DEFAULT_WEB_DIST);
  app.on(['GET', 'HEAD'], '*', async (c) => {
    const path = c.req.path;
    if (path === '/api' || path.startsWith('/api/')) return c.notFound();

    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return c.notFound();
    }
    const file = resolve(root, `.${decoded}`);
    // Never serve anything outside the build folder (../ or encoded traversal).
    const inside = file === root || file.startsWith(root + sep);
    if (inside && file !== root && !decoded.endsWith('/')) {
      const body = await readIfFile(file);
      if (body) {
        const type = contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
        const cache = hashedAsset.test(decoded) ? 'public, max-age=31536000, immutable' : type.startsWith('text/html') ? 'no-cache' : 'public, max-age=3600';
        return respond(c, body, type, cache);
      }
      // A missing asset is a real 404: answering HTML for a script URL only hides the error.
      if (decoded.startsWith('/assets/')) return respond(c, 'Not found\n', 'text/plain; charset=utf-8', 'no-store', 404);
    }

    const index = await readIfFile(resolve(root, 'index.html'));
    if (!index) return respond(c, missingBuildPage, 'text/html; charset=utf-8', 'no-store');
    return respond(c, index, 'text/html; charset=utf-8', 'no-cache');
  });
}
