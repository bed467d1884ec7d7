/**
 * The core loop against the real local PDS, in process: a post with a link, a mention, a hashtag and
 * two images is published by the worker and read back from the PDS; delete from Herald removes it on
 * the network; a credential that stops working (app password revoked, session gone) holds the account's
 * posts, and reconnecting with a new app password publishes them on their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import type { WorkerHandle } from '../../src/jobs/job-queue';
import type { PublishingOptions } from '../../src/publishing/publishing-options';
import { publishingHandlers } from '../../src/publishing/publishing-worker';
import { startScheduler } from '../../src/publishing/scheduler';
import { createPost, deletePost, getPost } from '../../src/use-cases/posts.use-case';
import { listAccounts, reconnectAccount } from '../../src/use-cases/accounts.use-case';
import { getPostRecord, listPosts, requireBlueskyPds } from '../support/bluesky-network';
import { dialects } from '../support/databases';
import { setupBlueskyWorkspace, type BlueskyWorkspace } from '../support/publish-fixtures';
import { createTestServices, type TestServices } from '../support/test-app';
import { waitFor } from './engine-harness';
import { defaultConnectors } from '../../src/connectors/default-registry';
import { defaultNetworksConfig } from '../../src/config/config';

const pdsUrl = requireBlueskyPds();

const engine: Partial<PublishingOptions> = { leaseMs: 8_000, backoff: { baseMs: 100, capMs: 500 }, schedulerIntervalMs: 200, overdueGraceMs: 2_000 };

/** A valid w×h RGB PNG (real image bytes, so the PDS can sniff them). */
function png(w: number, h: number, rgb: [number, number, number]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = (crcTable[(c ^ x) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const rows = Buffer.concat(Array.from({ length: h }, () => Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => rgb).flat())])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

async function xrpc(path: string, init: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${pdsUrl}/xrpc/${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

describe.skipIf(!pdsUrl).each(dialects())('publishing to the local Bluesky network (%s)', (dialect) => {
  let services: TestServices;
  let worker: WorkerHandle;
  let scheduler: { stop(): Promise<void> };
  let ws: BlueskyWorkspace;

  beforeAll(async () => {
    services = await createTestServices(dialect, { config: { blueskyDefaultService: pdsUrl! }, services: { connectors: defaultConnectors(defaultNetworksConfig()) } });
    ws = await setupBlueskyWorkspace(services, pdsUrl!, { count: 2, prefix: `pub${dialect.slice(0, 2)}` });
    worker = await services.queue.startWorker(publishingHandlers(services, engine), { concurrency: 4, workerId: `bsky-${dialect}`, pollIntervalMs: 50 });
    scheduler = startScheduler(services, engine);
  });

  afterAll(async () => {
    await scheduler?.stop();
    await worker?.stop();
    await services?.close();
  });

  const publishedTarget = (postId: string) =>
    waitFor(`post ${postId} published`, async () => {
      const p = await getPost(ws.ctx, postId);
      const t = p.targets[0]!;
      if (t.state === 'failed') throw new Error(`publishing failed: ${JSON.stringify(t)}`);
      return t.state === 'published' ? t : null;
    }, 30_000);

  it('publishes text with link, mention and hashtag facets and two images with alt text; delete removes it', async () => {
    const [alice, bob] = ws.accounts;
    const text = `Launch day with @${bob!.handle} — details at https://example.com/launch?x=1 #herald ✨`;
    const images = [png(8, 6, [200, 30, 30]), png(4, 4, [30, 30, 200])];
    const post = await createPost(ws.ctx, {
      text,
      langs: ['en'],
      media: images.map((b, i) => ({ data: b.toString('base64'), mimeType: 'image/png', alt: `square ${i + 1}` })),
      targets: [{ accountId: alice!.accountId }],
      schedule: { at: new Date(Date.now() + 1_500).toISOString() },
    });
    const target = await publishedTarget(post.id);
    const rkey = String(target.externalId).split('/').pop()!;
    const record = await getPostRecord(pdsUrl!, alice!.did, rkey);
    const value = record!.value as { text: string; langs: string[]; facets: Array<{ index: { byteStart: number; byteEnd: number }; features: Array<Record<string, string>> }>; embed: { $type: string; images: Array<{ alt: string; image: { size: number; mimeType: string } }> } };
    expect(value.text).toBe(text);
    expect(value.langs).toEqual(['en']);
    const bytes = Buffer.from(text, 'utf8');
    const slice = (f: { index: { byteStart: number; byteEnd: number } }) => bytes.subarray(f.index.byteStart, f.index.byteEnd).toString('utf8');
    const byType = (t: string) => value.facets.find((f) => f.features[0]?.$type === t)!;
    expect(slice(byType('app.bsky.richtext.facet#mention'))).toBe(`@${bob!.handle}`);
    expect(byType('app.bsky.richtext.facet#mention').features[0]?.did).toBe(bob!.did);
    expect(slice(byType('app.bsky.richtext.facet#link'))).toBe('https://example.com/launch?x=1');
    expect(byType('app.bsky.richtext.facet#tag').features[0]?.tag).toBe('herald');
    expect(value.embed.$type).toBe('app.bsky.embed.images');
    expect(value.embed.images.map((i) => i.alt)).toEqual(['square 1', 'square 2']);
    expect(value.embed.images.map((i) => i.image.size)).toEqual(images.map((b) => b.length));

    await deletePost(ws.ctx, post.id, { onNetwork: true });
    expect(await getPostRecord(pdsUrl!, alice!.did, rkey)).toBeNull();
  });

  it('refuses an oversized image and a too-long text before scheduling, storing nothing', async () => {
    const alice = ws.accounts[0]!;
    const db = services.database.db;
    const count = async () => Number((await db.selectFrom('post_targets').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const big = Buffer.concat([png(2, 2, [1, 2, 3]), Buffer.alloc(1_000_001)]);
    const at = { at: new Date(Date.now() + 3_600_000).toISOString() };
    await expect(createPost(ws.ctx, { text: 'big', media: [{ data: big.toString('base64'), mimeType: 'image/png', alt: '' }], targets: [{ accountId: alice.accountId }], schedule: at })).rejects.toThrow(/1,000,000|1000000|too large|bytes/i);
    await expect(createPost(ws.ctx, { text: 'é'.repeat(301), targets: [{ accountId: alice.accountId }], schedule: at })).rejects.toThrow(/301 graphemes/);
    expect(await count()).toBe(before);
  });

  it('holds posts when the credentials stop working and publishes them after reconnect', async () => {
    const bob = ws.accounts[1]!;
    // Expire everything Herald holds: revoke the app password and invalidate the stored session.
    const session = await xrpc('com.atproto.server.createSession', { body: { identifier: bob.handle, password: bob.password } });
    const token = String(session.body.accessJwt);
    expect((await xrpc('com.atproto.server.revokeAppPassword', { token, body: { name: 'herald' } })).status).toBe(200);
    await services.database.db
      .updateTable('accounts')
      .set({ session_enc: services.secrets.seal({ did: bob.did, handle: bob.handle, accessJwt: 'expired', refreshJwt: 'expired' }, `account:${bob.accountId}:session`) })
      .where('id', '=', bob.accountId)
      .execute();

    const texts = ['held one', 'held two'].map((t) => `${t} ${Math.random().toString(36).slice(2, 8)}`);
    const posts: Awaited<ReturnType<typeof createPost>>[] = [];
    for (const text of texts) posts.push(await createPost(ws.ctx, { text, targets: [{ accountId: bob.accountId }], schedule: { at: new Date(Date.now() + 1_000).toISOString() } }));
    await waitFor('both targets held', async () => {
      const states = await Promise.all(posts.map(async (p) => (await getPost(ws.ctx, p.id)).targets[0]!.state));
      return states.every((s) => s === 'held');
    }, 30_000);
    const account = (await listAccounts(ws.ctx)).find((a) => a.id === bob.accountId)!;
    expect(account.status).toBe('needs_reconnect');
    expect(await listPosts(pdsUrl!, bob.did)).toHaveLength(0);

    const fresh = await xrpc('com.atproto.server.createAppPassword', { token, body: { name: 'herald-2' } });
    const resumed = await reconnectAccount(ws.ctx, bob.accountId, { credentials: { identifier: bob.handle, appPassword: String(fresh.body.password), serviceUrl: pdsUrl! } });
    expect(resumed.status).toBe('ok');
    expect(resumed.resumed).toBe(2);
    for (const p of posts) await publishedTarget(p.id);
    const onPds = (await listPosts(pdsUrl!, bob.did)).map((r) => (r.value as { text: string }).text).sort();
    expect(onPds).toEqual([...texts].sort());
  });
});
