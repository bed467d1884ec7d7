/**
 * Sending a rendered report file (the reports and the campaign report routes): the 200 response as
 * documented in OpenAPI and the headers that go with the file, kept in one place so both routes
 * answer the same way.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { RenderedReport } from '../use-cases/reports.use-case';
import type { AppEnv } from './env';

/** The documented 200 response of a route that answers with a report file. */
export const reportFileResponse = {
  description: 'The report file (Content-Disposition names it)',
  content: {
    'text/html': { schema: z.string() },
    'application/pdf': { schema: z.string().openapi({ format: 'binary' }) },
    'text/csv': { schema: z.string() },
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
  },
};

/** Answers with the file: HTML inline, the other formats as downloads, never cached by shared caches. */
export function sendReportFile(c: Context<AppEnv>, file: RenderedReport) {
  const disposition = file.contentType.startsWith('text/html') ? 'inline' : 'attachment';
  return c.body(new Uint8Array(file.body), 200, {
    'content-type': file.contentType,
    'content-disposition': `${disposition}; filename="${file.filename}"`,
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    // The page needs nothing from anywhere: no scripts, no requests; images only as data: URLs.
    ...(disposition === 'inline' ? { 'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox" } : {}),
  });
}
