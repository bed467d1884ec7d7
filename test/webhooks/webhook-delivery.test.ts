/**
 * Webhooks out: a published target is delivered to a local receiver with a valid signature, retried
 * after a 500, and recorded in webhook_deliveries; the secret is shown once and stored sealed.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { inMs, useEngine, waitFor } from '../publishing/engine-harness';
import { createPost } from '../../src/use-cases/posts.use-case';
import { createWebhook, deleteWebhook, listWebhooks, setWebhookActiveState } from '../../src/use-cases/webhooks.use-case';
import { signWebhookBody, verifyWebhookSignature } from '../../src/webhooks/webhook-signing';
import { deliveriesOfWebhook } from '../../src/repositories/webhooks.repository';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/domain/errors';

describe('webhook signing', () => {
  it('verifies its own signatures and rejects tampering and stale timestamps', () => {
    const header = signWebhookBody('whsec_x', '{"a":1}', 1_800_000_000);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('whsec_x', '{"a":1}', header, { nowSeconds: 1_800_000_010 })).toBe(true);
    expect(verifyWebhookSignature('whsec_x', '{"a":2}', header, { nowSeconds: 1_800_000_010 })).toBe(false);
    expect(verifyWebhookSignature('whsec_y', '{"a":1}', header, { nowSeconds: 1_800_000_010 })).toBe(false);
    expect(verifyWebhookSignature('whsec_x', '{"a":1}', header, { nowSeconds: 1_800_001_000 })).toBe(false);
  });
});

describe.each(dialects())('webhook delivery (%s)', (dialect) => {
  const h = useEngine(dialect);
  const received: Array<{ headers: IncomingHttpHeaders; body: string; status: number }> = [];
  let failuresLeft = 1;
  let receiver: Server;
  let receiverUrl = '';

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = failuresLeft-- > 0 ? 500 : 204;
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it('delivers post.target.published with a valid signature, retrying after a 500', async () => {
    const hook = await createWebhook(h.current.ctx(), { url: receiverUrl, events: ['post.target.published'] });
    expect(hook.secret).toMatch(/^whsec_/);
    const stored = await h.current.services.database.db.selectFrom('webhooks').selectAll().where('id', '=', hook.id).executeTakeFirstOrThrow();
    expect(stored.secret_enc).not.toContain(hook.secret);
    expect(JSON.stringify(await listWebhooks(h.current.ctx()))).not.toContain(hook.secret);

    const { accountId } = await h.current.connect();
    const post = await createPost(h.current.ctx(), { text: 'hooked', targets: [{ accountId }], schedule: inMs(0) });
    const targetId = post.targets[0]!.id;
    const delivery = await waitFor('delivered', async () => {
      const d = (await deliveriesOfWebhook(h.current.services.database.db, hook.id))[0];
      return d?.status === 'delivered' ? d : undefined;
    });
    expect(delivery.attempts).toBe(2);
    expect(delivery.last_status_code).toBe(204);
    expect(received.map((r) => r.status)).toEqual([500, 204]);
    for (const r of received) {
      expect(r.headers['x-herald-event']).toBe('post.target.published');
      expect(verifyWebhookSignature(hook.secret, r.body, String(r.headers['x-herald-signature']), { nowSeconds: Math.floor(Date.now() / 1000) })).toBe(true);
    }
    const body = JSON.parse(received[1]!.body) as { id: string; type: string; createdAt: string; data: Record<string, unknown> };
    expect(body.type).toBe('post.target.published');
    expect(body.id).toBe(delivery.event_id);
    expect(body.data).toMatchObject({ targetId, postId: post.id, state: 'published', network: 'loopback' });
    expect(String(body.data.externalUrl)).toMatch(/^http:\/\/127\.0\.0\.1/);
    // Same event, same id on the retry: receivers can de-duplicate.
    expect(JSON.parse(received[0]!.body).id).toBe(body.id);

    // The list shows the newest delivery's outcome; pausing stops new deliveries being recorded.
    const listed = (await listWebhooks(h.current.ctx())).find((w) => w.id === hook.id);
    expect(listed?.lastDelivery).toMatchObject({ status: 'delivered', attempts: 2, statusCode: 204, error: null });
    expect((await setWebhookActiveState(h.current.ctx(), hook.id, false)).active).toBe(false);
    const before = (await deliveriesOfWebhook(h.current.services.database.db, hook.id)).length;
    await createPost(h.current.ctx(), { text: 'paused', targets: [{ accountId }], schedule: inMs(0) });
    await waitFor('published', async () => ((await h.current.services.database.db.selectFrom('post_targets').select('state').where('text', '=', 'paused').executeTakeFirst())?.state === 'published' ? true : undefined));
    expect((await deliveriesOfWebhook(h.current.services.database.db, hook.id)).length).toBe(before);
    expect((await setWebhookActiveState(h.current.ctx(), hook.id, true)).active).toBe(true);
    await expect(setWebhookActiveState(h.current.ctx(), 'not-an-id', true)).rejects.toThrow(NotFoundError);
  });

  it('validates input, enforces roles and keeps workspaces apart', async () => {
    await expect(createWebhook(h.current.ctx(), { url: 'ftp://example.test/x' })).rejects.toBeInstanceOf(ValidationError);
    await expect(createWebhook(h.current.ctx(), { url: receiverUrl, events: ['post.nonsense' as 'post.target.failed'] })).rejects.toBeInstanceOf(ValidationError);
    await expect(createWebhook(h.current.ctx('editor'), { url: receiverUrl })).rejects.toBeInstanceOf(ForbiddenError);
    const hook = await createWebhook(h.current.ctx(), { url: receiverUrl });
    const other = { ...h.current.ctx(), workspaceId: '0190a0a0-0000-7000-8000-000000000000' };
    await expect(deleteWebhook(other, hook.id)).rejects.toBeInstanceOf(NotFoundError);
    await deleteWebhook(h.current.ctx(), hook.id);
    await expect(deleteWebhook(h.current.ctx(), hook.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
