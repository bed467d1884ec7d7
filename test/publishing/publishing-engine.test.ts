/**
 * The exactly-once publishing engine against the loopback network, on SQLite and PostgreSQL with the
 * real job queue, worker and scheduler. The network stores every create request as a separate post,
 * so "exactly one post per target id" is checked directly.
 */
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useEngine, waitFor, inMs } from './engine-harness';
import { cancelPost, createPost, editPost, getPost, schedulePost } from '../../src/use-cases/posts.use-case';
import { listAccounts, reconnectAccount } from '../../src/use-cases/accounts.use-case';
import { findTarget } from '../../src/repositories/post-targets.repository';
import { eventsOfType } from '../../src/repositories/events.repository';
import { sweepOnce } from '../../src/publishing/scheduler';
import { publishingOptions } from '../../src/publishing/publishing-options';
import { fastEngine } from './engine-harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(dialects())('publishing engine (%s)', (dialect) => {
  const h = useEngine(dialect);

  async function published(targetId: string) {
    return waitFor(`target ${targetId} published`, async () => {
      const t = await findTarget(h.current.services.database.db, targetId);
      return t?.state === 'published' ? t : undefined;
    });
  }

  it('publishes a scheduled post once when it is due', async () => {
    const { accountId } = await h.current.connect();
    // Far enough ahead that even a loaded machine returns from createPost before the post is due.
    const post = await createPost(h.current.ctx(), { text: 'hello loopback', targets: [{ accountId }], schedule: inMs(3_000) });
    const target = post.targets[0]!;
    expect(target.state).toBe('scheduled');
    expect(h.current.network.postsWithKey(target.id)).toHaveLength(0);
    const t = await published(target.id);
    expect(Date.parse(t.published_at!)).toBeGreaterThanOrEqual(Date.parse(post.scheduledAt!));
    expect(h.current.network.postsWithKey(target.id)).toHaveLength(1);
    expect(h.current.network.postsWithKey(target.id)[0]!.text).toBe('hello loopback');
    const view = await getPost(h.current.ctx(), post.id);
    expect(view.targets[0]!.externalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/p\//);
    const events = await eventsOfType(h.current.services.database.db, h.current.workspaceId, 'post.target.published');
    expect(events.filter((e) => e.subject_id === target.id)).toHaveLength(1);
  });

  it('publishes the edited text when the post is edited after its job was queued', async () => {
    const { accountId } = await h.current.connect();
    const post = await createPost(h.current.ctx(), { text: 'old text', targets: [{ accountId }], schedule: inMs(1_500) });
    const edited = await editPost(h.current.ctx(), post.id, { text: 'new text' });
    expect(edited.targets[0]!.state).toBe('scheduled');
    expect(edited.targets[0]!.version).toBe(2);
    await published(post.targets[0]!.id);
    const sent = h.current.network.postsWithKey(post.targets[0]!.id);
    expect(sent.map((p) => p.text)).toEqual(['new text']);
  });

  it('publishes nothing for a post cancelled after its job was queued', async () => {
    const { accountId } = await h.current.connect();
    const post = await createPost(h.current.ctx(), { text: 'never', targets: [{ accountId }], schedule: inMs(400) });
    const cancelled = await cancelPost(h.current.ctx(), post.id);
    expect(cancelled.targets[0]!.state).toBe('cancelled');
    await sleep(1_000);
    expect(h.current.network.createRequests.get(post.targets[0]!.id) ?? 0).toBe(0);
    expect((await findTarget(h.current.services.database.db, post.targets[0]!.id))!.state).toBe('cancelled');
  });

  it('does not publish at the old time after a reschedule to later', async () => {
    const { accountId } = await h.current.connect();
    const post = await createPost(h.current.ctx(), { text: 'moved', targets: [{ accountId }], schedule: inMs(300) });
    const later = inMs(1_800);
    await schedulePost(h.current.ctx(), post.id, later);
    await sleep(900);
    expect(h.current.network.createRequests.get(post.targets[0]!.id) ?? 0).toBe(0);
    const t = await published(post.targets[0]!.id);
    expect(Date.parse(t.published_at!)).toBeGreaterThanOrEqual(Date.parse(later.at));
    expect(h.current.network.postsWithKey(post.targets[0]!.id)).toHaveLength(1);
  });

  it('retries 500s with backoff and publishes exactly one post', async () => {
    const { accountId } = await h.current.connect();
    h.current.network.failNext({ kind: 'status', status: 500 }, 3);
    const post = await createPost(h.current.ctx(), { text: 'flaky', targets: [{ accountId }], schedule: inMs(0) });
    const t = await published(post.targets[0]!.id);
    expect(t.attempts).toBe(4);
    expect(h.current.network.createRequests.get(t.id)).toBe(4);
    expect(h.current.network.postsWithKey(t.id)).toHaveLength(1);
  });

  it('honours Retry-After on 429', async () => {
    const { accountId } = await h.current.connect();
    h.current.network.failNext({ kind: 'rate_limited', retryAfterSeconds: 1 });
    const post = await createPost(h.current.ctx(), { text: 'slow down', targets: [{ accountId }], schedule: inMs(0) });
    await published(post.targets[0]!.id);
    const arrivals = h.current.network.arrivals.get(`loop:${(await listAccounts(h.current.ctx())).find((a) => a.id === accountId)!.handle}`)!;
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(950);
  });

  it('fails with the network message in plain words when the content is refused', async () => {
    const { accountId } = await h.current.connect();
    h.current.network.failNext({ kind: 'invalid', message: 'Links to this site are not allowed' });
    const post = await createPost(h.current.ctx(), { text: 'bad link', targets: [{ accountId }], schedule: inMs(0) });
    const t = await waitFor('failed', async () => {
      const r = await findTarget(h.current.services.database.db, post.targets[0]!.id);
      return r?.state === 'failed' ? r : undefined;
    });
    expect(t.last_error_message).toBe('Loopback rejected the post: Links to this site are not allowed');
    expect(h.current.network.postsWithKey(t.id)).toHaveLength(0);
    const view = await getPost(h.current.ctx(), post.id);
    expect(view.targets[0]!.error).toEqual({ kind: 'invalid_content', message: t.last_error_message });
  });

  it('fails a target whose stored text became invalid before publishing (re-validation in the worker)', async () => {
    const { accountId } = await h.current.connect();
    const post = await createPost(h.current.ctx(), { text: 'fine', targets: [{ accountId }], schedule: inMs(500) });
    await h.current.services.database.db.updateTable('post_targets').set({ text: 'x'.repeat(400) }).where('id', '=', post.targets[0]!.id).execute();
    const t = await waitFor('failed', async () => {
      const r = await findTarget(h.current.services.database.db, post.targets[0]!.id);
      return r?.state === 'failed' ? r : undefined;
    });
    expect(t.last_error_message).toContain('The text is 400 characters; the limit is 300');
    expect(h.current.network.createRequests.get(t.id) ?? 0).toBe(0);
  });

  it('holds targets on 401, marks the account, and publishes them after reconnect', async () => {
    const { accountId, handle } = await h.current.connect();
    h.current.network.rotatePassword(handle, 'new-password');
    const post = await createPost(h.current.ctx(), { text: 'after reconnect', targets: [{ accountId }], schedule: inMs(0) });
    const second = await createPost(h.current.ctx(), { text: 'second', targets: [{ accountId }], schedule: inMs(300) });
    for (const id of [post.targets[0]!.id, second.targets[0]!.id]) {
      await waitFor('held', async () => (await findTarget(h.current.services.database.db, id))?.state === 'held');
    }
    const acc = (await listAccounts(h.current.ctx())).find((a) => a.id === accountId)!;
    expect(acc.status).toBe('needs_reconnect');
    expect(acc.heldPosts).toBe(2);
    const ev = await eventsOfType(h.current.services.database.db, h.current.workspaceId, 'account.needs_reconnect');
    expect(ev.filter((e) => e.subject_id === accountId)).toHaveLength(1);

    const r = await reconnectAccount(h.current.ctx(), accountId, { credentials: { handle, password: 'new-password' } });
    expect(r.status).toBe('ok');
    expect(r.resumed).toBe(2);
    await published(post.targets[0]!.id);
    await published(second.targets[0]!.id);
    expect(h.current.network.postsWithKey(post.targets[0]!.id)).toHaveLength(1);
    expect(h.current.network.postsWithKey(second.targets[0]!.id)).toHaveLength(1);
  });

  it('after a timeout past sending: unconfirmed, then confirmed by lookup, without a second post', async () => {
    const { accountId } = await h.current.connect();
    h.current.network.failNext({ kind: 'hang_after_receive' });
    const post = await createPost(h.current.ctx(), { text: 'lost answer', targets: [{ accountId }], schedule: inMs(0) });
    const id = post.targets[0]!.id;
    await published(id);
    expect(h.current.network.createRequests.get(id)).toBe(1);
    expect(h.current.network.postsWithKey(id)).toHaveLength(1);
    const unconfirmed = await eventsOfType(h.current.services.database.db, h.current.workspaceId, 'post.target.unconfirmed');
    expect(unconfirmed.filter((e) => e.subject_id === id)).toHaveLength(1);
  });

  it('recovers a target whose worker died mid-send (expired lease): confirms, never re-sends', async () => {
    const { accountId, handle } = await h.current.connect();
    const db = h.current.services.database.db;
    const post = await createPost(h.current.ctx(), { text: 'crash', targets: [{ accountId }, ], schedule: inMs(60_000) });
    const id = post.targets[0]!.id;
    // The dead worker had claimed it and its request reached the network.
    await db.updateTable('post_targets').set({ state: 'publishing', lease_owner: 'dead-worker', lease_until: new Date(Date.now() - 1000).toISOString(), attempts: 1 }).where('id', '=', id).execute();
    h.current.network.posts.push({ id: 'pre-existing', accountId: `loop:${handle}`, key: id, text: 'crash', mediaCount: 0, createdAt: new Date().toISOString(), deleted: false });
    const t = await published(id);
    expect(t.external_id).toBe('pre-existing');
    expect(h.current.network.createRequests.get(id) ?? 0).toBe(0);

    // Second case: the request never arrived → the lookup finds nothing → sent exactly once.
    const post2 = await createPost(h.current.ctx(), { text: 'crash before send', targets: [{ accountId }], schedule: inMs(60_000) });
    const id2 = post2.targets[0]!.id;
    await db
      .updateTable('post_targets')
      .set({ state: 'publishing', lease_owner: 'dead-worker', lease_until: new Date(Date.now() - 1000).toISOString(), attempts: 1, scheduled_at: new Date(Date.now() - 5000).toISOString() })
      .where('id', '=', id2)
      .execute();
    await published(id2);
    expect(h.current.network.createRequests.get(id2)).toBe(1);
    expect(h.current.network.postsWithKey(id2)).toHaveLength(1);
  });

  it('re-enqueues a scheduled target whose job was lost', async () => {
    const { accountId } = await h.current.connect();
    const post = await createPost(h.current.ctx(), { text: 'lost job', targets: [{ accountId }], schedule: inMs(60_000) });
    const id = post.targets[0]!.id;
    await h.current.services.queue.removeByKey(`publish:${id}`);
    await h.current.services.database.db.updateTable('post_targets').set({ scheduled_at: new Date(Date.now() - 5_000).toISOString() }).where('id', '=', id).execute();
    const report = await sweepOnce(h.current.services, publishingOptions(h.current.services, fastEngine));
    expect(report.requeued).toBeGreaterThanOrEqual(1);
    await published(id);
    expect(h.current.network.postsWithKey(id)).toHaveLength(1);
  });

  it('leaves an overdue target alone when its job is still waiting: no second job is added', async () => {
    const { accountId } = await h.current.connect();
    const post = await createPost(h.current.ctx(), { text: 'waiting behind a backlog', targets: [{ accountId }], schedule: inMs(60_000) });
    const id = post.targets[0]!.id;
    const key = `publish:${id}`;
    // Overdue by the target's clock while its job still waits (as one behind a long backlog does).
    await h.current.services.database.db.updateTable('post_targets').set({ scheduled_at: new Date(Date.now() - 5_000).toISOString() }).where('id', '=', id).execute();
    const waitingBefore = (await h.current.services.queue.stats()).waiting;
    expect(await h.current.services.queue.liveKeys([key], { heldWithinMs: 10_000 })).toEqual(new Set([key]));
    const report = await sweepOnce(h.current.services, publishingOptions(h.current.services, fastEngine));
    expect(report.requeued).toBe(0);
    expect((await h.current.services.queue.stats()).waiting).toBe(waitingBefore);
    // Stamped, so the next sweeps within the grace period do not look at it again.
    const row = await h.current.services.database.db.selectFrom('post_targets').select('next_attempt_at').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.next_attempt_at).not.toBeNull();
    await h.current.services.queue.removeByKey(key);
  });

  it('never exceeds the per-account concurrency limit', async () => {
    const a = await h.current.connect();
    const b = await h.current.connect();
    h.current.network.setLatency(120);
    try {
      const posts = [];
      for (let i = 0; i < 6; i++) posts.push(await createPost(h.current.ctx(), { text: `burst ${i}`, targets: [{ accountId: a.accountId }, { accountId: b.accountId }], schedule: inMs(300) }));
      for (const p of posts) for (const t of p.targets) await published(t.id);
      for (const acc of [a, b]) {
        const max = h.current.network.maxConcurrent.get(`loop:${acc.handle}`);
        expect(max).toBeGreaterThanOrEqual(1);
        expect(max).toBeLessThanOrEqual(2);
      }
      for (const p of posts) for (const t of p.targets) expect(h.current.network.postsWithKey(t.id)).toHaveLength(1);
    } finally {
      h.current.network.setLatency(0);
    }
  });
});
